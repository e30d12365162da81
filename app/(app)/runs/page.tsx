import { Suspense } from "react";
import { PageHeader } from "@/app/_ui/page";
import { TableSkeleton } from "@/app/_ui/states";
import { RunsConsole } from "./runs-console";

export const metadata = { title: "Runs · Weft" };

export default function RunsPage() {
  return (
    <>
      <PageHeader title="Runs" description="Every run of your organization's workflows, newest first, updated live." />
      {/* The console reads its filters from the URL, which needs a Suspense boundary. */}
      <Suspense fallback={<TableSkeleton rows={6} label="Loading runs" />}>
        <RunsConsole />
      </Suspense>
    </>
  );
}
