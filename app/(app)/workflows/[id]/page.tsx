import { Suspense } from "react";
import { Skeleton } from "@/app/_ui/states";
import { WorkflowPage } from "./workflow-page";

export const metadata = { title: "Workflow · Weft" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // The page reads ?tab= from the URL, which needs a Suspense boundary around it.
  return (
    <Suspense fallback={<Skeleton className="h-8 w-64" />}>
      <WorkflowPage id={id} />
    </Suspense>
  );
}
