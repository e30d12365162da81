import type { ReactNode } from "react";
import { CodeBlock } from "@/app/_ui/code-block";
import { MethodBadge } from "./method-badge";
import { InlineText, Prose } from "./prose";
import { curlCalls, operationFor, type Walkthrough } from "./quickstart";
import type { Reference, ReferenceOperation } from "./reference";
import { SchemaBlock } from "./schema-fields";

/** The reference's opening sections: where to send requests, how to authenticate, errors, walkthroughs. */
export function IntroSections({ reference, serverUrl, walkthroughs }: { reference: Reference; serverUrl: string; walkthroughs: Walkthrough[] }) {
  return (
    <>
      <section id="introduction" aria-labelledby="introduction-title" className="scroll-mt-20 border-b border-stone-200 pb-10">
        <p className="text-sm font-medium text-indigo-700">
          {reference.title} · v{reference.version}
        </p>
        <h1 id="introduction-title" className="mt-1 text-3xl font-semibold tracking-tight text-stone-900 sm:text-4xl">
          API reference
        </h1>
        <Prose text={reference.description} className="mt-3 max-w-2xl text-base leading-7 text-stone-600" />
        <div className="mt-8 grid grid-cols-[minmax(0,1fr)] gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] xl:gap-10">
          <Prose
            className="max-w-prose"
            text={
              "Every route lives under `/api` on this server, and this page is generated from the [OpenAPI 3.1 document](/api/openapi.json) " +
              "it publishes, so it matches the version you are running. Send JSON with `content-type: application/json`; answers are JSON " +
              "too, except the run stream (Server-Sent Events).\n\nThe examples are `curl` commands for a shell where `URL` is this server and " +
              "`KEY` an organization API key (create one under Settings → API keys, or with `POST /api/keys`). The quickstart below sets " +
              "both up from nothing."
            }
          />
          <div className="self-start">
            <CodeBlock title="Shell set-up" code={`URL=${serverUrl}\nKEY=weft_…   # an organization API key`} />
          </div>
        </div>
      </section>

      <IntroSection id="authentication" title="Authentication">
        <Prose
          className="max-w-prose"
          text="Every route needs a credential unless it says otherwise. Any one of these ways in works; each operation lists the ones it accepts."
        />
        <dl className="mt-4 divide-y divide-stone-200 overflow-hidden rounded-lg border border-stone-200 bg-white">
          {reference.schemes.map((scheme) => (
            <div key={scheme.name} className="grid grid-cols-[minmax(0,1fr)] gap-1 px-4 py-3 sm:grid-cols-[12rem_minmax(0,1fr)] sm:gap-4">
              <dt>
                <code className="font-mono text-[13px] font-semibold text-stone-900">{scheme.name}</code>
                <div className="font-mono text-[11px] text-stone-500">{scheme.kind}</div>
              </dt>
              <dd className="text-sm leading-6 text-stone-600">{scheme.description ? <InlineText text={scheme.description} /> : null}</dd>
            </div>
          ))}
        </dl>
      </IntroSection>

      <IntroSection id="errors" title="Errors">
        <div className="grid grid-cols-[minmax(0,1fr)] gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] xl:gap-10">
          <div className="min-w-0">
            <Prose
              className="max-w-prose"
              text={`Every error answer is one JSON object${reference.errorSchema ? ` (\`${reference.errorSchema.name}\`)` : ""} with a stable \`error\` code to branch on, and often a \`message\` for people and fields that help to recover (\`retryAfterMs\`, \`current\`, \`validation_errors\`, \`issues\`). A 5xx is a fault on our side; every bad input is a 4xx.`}
            />
            {reference.errorSchema && (
              <div className="mt-4">
                <SchemaBlock view={reference.errorSchema.view} />
              </div>
            )}
          </div>
          <div className="self-start">
            <CodeBlock title="GET /api/schedules/sch_unknown" code={`HTTP/1.1 404 Not Found\ncontent-type: application/json\n\n{"error":"not_found","message":"No such schedule."}`} />
          </div>
        </div>
        <h3 className="mt-8 mb-2 text-sm font-semibold text-stone-900">The error answers, by status</h3>
        <div className="overflow-hidden rounded-lg border border-stone-200 bg-white">
          <table className="min-w-full divide-y divide-stone-200 text-sm">
            <thead className="bg-stone-50">
              <tr>
                <th scope="col" className="w-20 px-4 py-2 text-left text-xs font-medium uppercase tracking-wide text-stone-500">Status</th>
                <th scope="col" className="px-4 py-2 text-left text-xs font-medium uppercase tracking-wide text-stone-500">Codes and meaning</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {reference.errors.map(({ status, descriptions }) => (
                <tr key={status} className="align-top">
                  <td className="px-4 py-2.5 font-mono text-xs font-semibold text-amber-700">{status}</td>
                  <td className="px-4 py-2.5">
                    <ul className="space-y-1 text-stone-600">
                      {descriptions.map(({ text, operations }) => (
                        <li key={text}>
                          <ErrorCodes text={text} />
                          <span className="ml-1.5 text-xs text-stone-400">{operations === 1 ? "1 route" : `${operations} routes`}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </IntroSection>

      {walkthroughs.length > 0 && (
        <IntroSection id="quickstart" title="Quickstart">
          <Prose
            className="max-w-prose"
            text="An agent's whole loop from a terminal: sign up, mint an API key, read the catalog, build a workflow with the patch endpoint, run it and read the result. Paste it as is with the app running (`npm start`); it needs `curl` and `node`. These are the README's commands, which the end-to-end tests run word for word."
          />
          <div className="mt-6 space-y-8">
            {walkthroughs.map((walkthrough) => (
              <WalkthroughBlock key={walkthrough.title} walkthrough={walkthrough} reference={reference} />
            ))}
          </div>
        </IntroSection>
      )}
    </>
  );
}

function IntroSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-20 border-b border-stone-200 py-10">
      <h2 id={`${id}-title`} className="mb-4 text-2xl font-semibold tracking-tight text-stone-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A README walkthrough, and the operations it calls, each linked to its section. */
function WalkthroughBlock({ walkthrough, reference }: { walkthrough: Walkthrough; reference: Reference }) {
  const used = new Map<string, ReferenceOperation>();
  for (const call of curlCalls(walkthrough.script)) {
    const operation = operationFor(reference.tags, call);
    if (operation) used.set(operation.anchor, operation);
  }
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4 xl:grid-cols-[minmax(0,1fr)_14rem]" data-walkthrough={walkthrough.title}>
      <div className="min-w-0">
        <CodeBlock title={walkthrough.title} code={walkthrough.script} testId="walkthrough" />
        {walkthrough.note && <p className="mt-2 text-xs text-stone-500">{walkthrough.note}</p>}
      </div>
      {used.size > 0 && (
        <div>
          <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-stone-500">Routes it calls</h3>
          <ul className="space-y-1">
            {[...used.values()].map((operation) => (
              <li key={operation.anchor}>
                <a href={`#${operation.anchor}`} className="flex items-baseline gap-2 rounded px-1 py-0.5 text-xs leading-snug text-stone-600 hover:bg-stone-100 hover:text-stone-900">
                  <MethodBadge method={operation.method} compact />
                  <span className="min-w-0">{operation.summary}</span>
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/**
 * An error description with its codes in monospace: every `snake_case` word, and a leading
 * one-word code (`unauthorized or …`, `conflict`).
 */
export function ErrorCodes({ text }: { text: string }) {
  const parts = text.split(/(\b[a-z]+(?:_[a-z]+)+\b|^[a-z]+(?=$|:| or | \(|,))/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="rounded bg-stone-100 px-1 py-0.5 font-mono text-[12px] text-stone-800">
            {part}
          </code>
        ) : (
          <InlineText key={i} text={part} />
        ),
      )}
    </>
  );
}
