import { RunView } from "./run-view";

export const metadata = { title: "Run · Weft" };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Keyed by the id: "Run again" opens another run with fresh state (stream, timeline, dialogs).
  return <RunView key={id} runId={id} />;
}
