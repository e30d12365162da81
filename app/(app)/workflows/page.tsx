import { Suspense } from "react";
import { TableSkeleton } from "@/app/_ui/states";
import { WorkflowList } from "./workflow-list";

export const metadata = { title: "Workflows · Weft" };

export default function WorkflowsPage() {
  // The list reads ?q= from the URL, which needs a Suspense boundary around it.
  return (
    <Suspense fallback={<TableSkeleton label="Loading workflows" />}>
      <WorkflowList />
    </Suspense>
  );
}
