import { PageHeader } from "@/app/_ui/page";
import { RunsConsole } from "./runs-console";

export const metadata = { title: "Runs · Weft" };

export default function RunsPage() {
  return (
    <>
      <PageHeader title="Runs" description="Every run of your organization's workflows, newest first, updated live." />
      <RunsConsole />
    </>
  );
}
