import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { serverAuth } from "@/lib/server";
import { WEFT_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

const loop = [
  ["Discover", "GET /api/connectors?detail=summary", "A compact catalog of every block, small enough for a system prompt."],
  ["Edit", "POST /api/workflows/:id/operations", "A batch of edit ops. Bad ops are skipped and explained, never the whole batch."],
  ["Run", "POST /api/workflows/:id/run", "Durable on PostgreSQL: runs survive crashes, deploys and restarts."],
  ["Read", "GET /api/runs/:runId/logs", "One entry per block attempt, secrets redacted."],
] as const;

/** The landing page for visitors; a signed-in visit goes straight to the app. */
export default async function HomePage() {
  const session = await serverAuth()
    .api.getSession({ headers: await headers() })
    .catch(() => null);
  if (session) redirect("/workflows");
  return (
    <main className="mx-auto max-w-4xl px-6 py-16">
      <header className="flex items-baseline justify-between gap-4">
        <h1 className="text-3xl font-semibold tracking-tight">Weft</h1>
        <nav aria-label="Site" className="flex items-baseline gap-4 text-sm">
          <a className="font-medium text-stone-600 hover:text-stone-900" href="/docs/api">
            API reference
          </a>
          <span className="rounded bg-stone-200 px-2 py-0.5 font-mono text-xs text-stone-600">v{WEFT_VERSION}</span>
        </nav>
      </header>
      <p className="mt-4 max-w-2xl text-lg text-stone-600">
        Durable workflows that LLM agents and teams build together. People edit on a canvas; agents edit through one
        patch endpoint that applies what it can and explains what it skipped.
      </p>
      <ol className="mt-10 grid gap-4 sm:grid-cols-2">
        {loop.map(([step, route, text], i) => (
          <li key={step} className="rounded-lg border border-stone-200 bg-white p-5 shadow-sm">
            <div className="text-sm font-medium text-stone-500">
              {i + 1}. {step}
            </div>
            <code className="mt-2 block font-mono text-sm text-indigo-700">{route}</code>
            <p className="mt-2 text-sm text-stone-600">{text}</p>
          </li>
        ))}
      </ol>
      <div className="mt-10 flex gap-3">
        <a className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500" href="/sign-up">
          Create an account
        </a>
        <a className="rounded-md border border-stone-300 bg-white px-4 py-2 text-sm font-medium hover:bg-stone-100" href="/sign-in">
          Sign in
        </a>
      </div>
      <footer className="mt-12 text-sm text-stone-500">
        Service status: <a className="text-indigo-700 underline" href="/health">/health</a> · API reference:{" "}
        <a className="text-indigo-700 underline" href="/docs/api">/docs/api</a> · API schema:{" "}
        <a className="text-indigo-700 underline" href="/api/openapi.json">/api/openapi.json</a>
      </footer>
    </main>
  );
}
