import { PageHeader } from "@/app/_ui/page";

export const metadata = { title: "Workflows · Weft" };

export default function WorkflowsPage() {
  return <PageHeader title="Workflows" description="Every workflow of your organization." />;
}
