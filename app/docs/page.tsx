import { redirect } from "next/navigation";

/** `/docs`: the only documentation the app serves is the API reference. */
export default function DocsPage() {
  redirect("/docs/api");
}
