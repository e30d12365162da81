import { Link2, Lock, LockOpen } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "@/app/_ui/cn";
import { CodeBlock } from "@/app/_ui/code-block";
import { MethodBadge } from "./method-badge";
import { InlineText, Prose } from "./prose";
import type { ReferenceOperation, ReferenceResponse } from "./reference";
import { FieldList, SchemaBlock } from "./schema-fields";

const LOCATION_TITLES: Record<string, string> = { path: "Path parameters", query: "Query parameters", header: "Headers", cookie: "Cookies" };

/**
 * One operation: what it does and who may call it on the left; its parameters, body and answers
 * below; an example request and answer beside it on wide screens (under it on narrow ones).
 */
export function OperationSection({ operation, errorSchema }: { operation: ReferenceOperation; errorSchema?: string }) {
  return (
    <section
      id={operation.anchor}
      data-operation={`${operation.method.toUpperCase()} ${operation.path}`}
      aria-labelledby={`${operation.anchor}-title`}
      className="scroll-mt-20 border-t border-stone-200 py-10 first-of-type:border-t-0 xl:grid xl:grid-cols-[minmax(0,1fr)_minmax(0,26rem)] xl:gap-10"
    >
      <div className="min-w-0">
        <h3 id={`${operation.anchor}-title`} className="group flex items-center gap-2 text-xl font-semibold tracking-tight text-stone-900">
          {operation.summary}
          <a href={`#${operation.anchor}`} aria-label={`Link to ${operation.summary}`} className="rounded text-stone-300 opacity-0 group-hover:opacity-100 hover:text-indigo-600 focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-indigo-600">
            <Link2 className="size-4" aria-hidden />
          </a>
        </h3>
        <div className="mt-2 flex min-w-0 items-center gap-2">
          <MethodBadge method={operation.method} />
          <code className="min-w-0 break-all font-mono text-sm text-stone-700">{operation.path}</code>
          {operation.deprecated && <span className="text-xs font-medium text-rose-700">deprecated</span>}
        </div>
        <Prose text={operation.description} className="mt-4 max-w-prose" />
        <Auth schemes={operation.auth} />

        {operation.parameters.map((group) => (
          <Block key={group.location} title={LOCATION_TITLES[group.location] ?? group.location}>
            <FieldList fields={group.fields} />
          </Block>
        ))}
        {operation.body && (
          <Block
            title="Request body"
            aside={
              <>
                {operation.body.required ? "required" : "optional"} · {operation.body.mediaTypes.join(", ")}
              </>
            }
          >
            {operation.body.description && <Prose text={operation.body.description} className="mb-3" />}
            <SchemaBlock view={operation.body.view} />
          </Block>
        )}
        <Block title="Responses">
          <div className="divide-y divide-stone-200 overflow-hidden rounded-lg border border-stone-200">
            {operation.responses.map((response) => (
              <ResponseRow key={response.status} response={response} errorSchema={errorSchema} />
            ))}
          </div>
        </Block>
      </div>

      <div className="mt-8 min-w-0 space-y-4 xl:sticky xl:top-20 xl:mt-0 xl:self-start">
        <CodeBlock title="Request" badge={<span className="font-mono text-stone-500">curl</span>} code={operation.curl} testId="curl" />
        {operation.responseExample && (
          <CodeBlock title="Response" badge={<StatusCode status={operation.responseExample.status} dark />} code={operation.responseExample.json} />
        )}
      </div>
    </section>
  );
}

function Block({ title, aside, children }: { title: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <div className="mt-8">
      <h4 className="mb-2 flex flex-wrap items-baseline gap-x-2 text-sm font-semibold text-stone-900">
        {title}
        {aside && <span className="text-xs font-normal text-stone-500">{aside}</span>}
      </h4>
      {children}
    </div>
  );
}

/** Who may call it: any one of the listed ways in, each explained under Authentication. */
function Auth({ schemes }: { schemes: string[] }) {
  if (schemes.length === 0) {
    return (
      <p className="mt-4 flex items-center gap-1.5 text-xs text-stone-500">
        <LockOpen className="size-3.5" aria-hidden /> No credentials needed
      </p>
    );
  }
  return (
    <p className="mt-4 flex flex-wrap items-center gap-1.5 text-xs text-stone-500">
      <Lock className="size-3.5" aria-hidden />
      {schemes.length === 1 ? "Needs" : "Needs one of"}
      {schemes.map((scheme) => (
        <a key={scheme} href="#authentication" className="rounded border border-stone-200 bg-white px-1.5 py-px font-mono text-[11px] text-stone-700 hover:border-indigo-300 hover:text-indigo-700">
          {scheme}
        </a>
      ))}
    </p>
  );
}

function ResponseRow({ response, errorSchema }: { response: ReferenceResponse; errorSchema?: string }) {
  const summary = (
    <>
      <StatusCode status={response.status} />
      <span className="min-w-0 flex-1 text-sm text-stone-700">{response.description ? <InlineText text={response.description} /> : null}</span>
      {response.mediaTypes.length > 0 && !(response.mediaTypes.length === 1 && response.mediaTypes[0] === "application/json") && (
        <span className="font-mono text-[11px] text-stone-400">{response.mediaTypes.join(", ")}</span>
      )}
    </>
  );
  const sharedError = response.schemaName !== undefined && response.schemaName === errorSchema;
  const expandable = response.view && !sharedError && (response.view.fields.length > 0 || response.view.variants.length > 0);
  const headers = response.headers.length > 0 && (
    <p className="mt-1 text-xs text-stone-500">
      Headers:{" "}
      {response.headers.map((header, i) => (
        <span key={header.name}>
          {i > 0 && "; "}
          <code className="font-mono text-stone-700">{header.name}</code>
          {header.description && <> ({header.description})</>}
        </span>
      ))}
    </p>
  );
  if (!expandable) {
    return (
      <div className="px-3 py-2.5" data-status={response.status}>
        <div className="flex items-baseline gap-3">{summary}</div>
        <div className="pl-12">
          {headers}
          {sharedError && (
            <p className="mt-0.5 text-xs text-stone-500">
              Body: the <a href="#errors" className="text-indigo-700 hover:underline">{errorSchema} object</a>
            </p>
          )}
        </div>
      </div>
    );
  }
  return (
    <details open={response.status.startsWith("2")} data-status={response.status}>
      <summary className="flex cursor-pointer list-none items-baseline gap-3 px-3 py-2.5 hover:bg-stone-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600 [&::-webkit-details-marker]:hidden">
        {summary}
        <span className="text-xs text-stone-400 [details[open]>summary_&]:hidden">Show</span>
      </summary>
      <div className="border-t border-stone-100 px-3 pb-3 pt-1">
        {headers}
        <SchemaBlock view={response.view!} />
      </div>
    </details>
  );
}

/** An HTTP status code, coloured by its class (2xx green, 4xx amber, 5xx red). */
function StatusCode({ status, dark = false }: { status: string; dark?: boolean }) {
  const tone = status.startsWith("2") ? "text-emerald-600" : status.startsWith("4") ? "text-amber-700" : status.startsWith("5") ? "text-red-600" : "text-stone-600";
  return <span className={cn("w-9 shrink-0 font-mono text-xs font-semibold", dark ? tone.replace(/-(600|700)$/, "-400") : tone)}>{status}</span>;
}
