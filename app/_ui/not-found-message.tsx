import Link from "next/link";
import { buttonClass } from "./button";

/**
 * The 404 message: for unknown pages, and for ids that are unknown, deleted or another
 * organization's. Never "forbidden": whether something exists elsewhere is not revealed.
 */
export function NotFoundMessage() {
  return (
    <section className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center px-6 text-center">
      <p className="font-mono text-sm text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-stone-900">We could not find that</h1>
      <p className="mt-2 text-sm text-stone-500">
        It does not exist, it was deleted, or it belongs to an organization other than your active one.
      </p>
      <Link href="/workflows" className={`${buttonClass("primary")} mt-6`}>
        Go to your workflows
      </Link>
    </section>
  );
}
