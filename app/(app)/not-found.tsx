import { NotFoundMessage } from "@/app/_ui/not-found-message";

/** An unknown, deleted or other-organization id inside the app (a workflow, a run): the 404, with the sidebar kept. */
export default function AppNotFound() {
  return <NotFoundMessage />;
}
