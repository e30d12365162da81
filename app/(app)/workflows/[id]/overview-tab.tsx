"use client";

/**
 * The Overview tab: the definition as tables (blocks with a short summary of their params, the
 * edge count, the variables) until the canvas editor arrives, and how an agent changes it.
 */
import { useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import { api, read } from "@/app/_ui/api";
import { cn } from "@/app/_ui/cn";
import { Card, table } from "@/app/_ui/page";
import { EmptyState } from "@/app/_ui/states";
import type { Block } from "@/lib/engine/model";
import type { Workflow } from "@/lib/resources/workflow";
import { CodeBlock } from "../_components/code-block";

/** The patch endpoint, ready to paste: the quickstart's webhook trigger and greet block. */
function patchCurl(workflow: Workflow): string {
  const origin = typeof window === "undefined" ? "http://localhost:3000" : window.location.origin;
  return [
    `curl -X POST ${origin}/api/workflows/${workflow.id}/operations \\`,
    `  -H "x-api-key: $WEFT_API_KEY" -H 'content-type: application/json' \\`,
    `  -H 'If-Match: ${workflow.version}' -d '{"ops":[`,
    `    {"operation_type":"add","block_id":"trg","type":"trigger_webhook"},`,
    `    {"operation_type":"add","block_id":"greet","type":"greet","params":{"name":"{{trg.body.name}}"}},`,
    `    {"operation_type":"connect","block_id":"trg","target_block_id":"greet"}]}'`,
  ].join("\n");
}

/** One value, short: strings as they are, everything else as compact JSON, cut at `max` characters. */
function shortValue(value: unknown, max = 48): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `key: value · key: value` of the params that are set. */
function paramSummary(block: Block): string {
  const entries = Object.entries(block.params).filter(([, value]) => value !== undefined && value !== null && value !== "");
  return entries.map(([key, value]) => `${key}: ${shortValue(value)}`).join(" · ");
}

function useConnectorNames() {
  return useQuery({
    queryKey: ["connectors", "summary"],
    queryFn: async () => read(await api.api.connectors.$get({ query: { detail: "summary" } })),
    staleTime: Infinity,
    select: (catalog) => new Map(catalog.data.map((entry) => [entry.type, entry.name])),
  });
}

export function OverviewTab({ workflow }: { workflow: Workflow }) {
  const { blocks, edges, variables = {} } = workflow.definition;
  const names = useConnectorNames().data;
  const variableEntries = Object.entries(variables);

  if (blocks.length === 0) {
    return (
      <EmptyState icon={<Boxes className="size-8" aria-hidden />} title="No blocks yet">
        <p>Agents add them with the patch endpoint; the canvas editor is coming. With an organization API key:</p>
        <div className="mt-4 text-left">
          <CodeBlock title="Add a webhook trigger and a greet block" code={patchCurl(workflow)} />
        </div>
      </EmptyState>
    );
  }

  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-3 gap-3 sm:max-w-md">
        <Stat label="Blocks" value={blocks.length} />
        <Stat label="Edges" value={edges.length} />
        <Stat label="Variables" value={variableEntries.length} />
      </dl>

      <section aria-labelledby="blocks-heading">
        <h2 id="blocks-heading" className="mb-2 text-sm font-semibold text-stone-900">Blocks</h2>
        <div className={table.wrap}>
          <table className={table.table}>
            <thead>
              <tr>
                <th scope="col" className={table.th}>Block</th>
                <th scope="col" className={table.th}>Type</th>
                <th scope="col" className={table.th}>Enabled</th>
                <th scope="col" className={table.th}>Params</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {blocks.map((block) => (
                <tr key={block.id} className={table.tr} data-testid="block-row">
                  <td className={cn(table.td, "whitespace-nowrap")}>
                    <span className="font-mono text-xs font-medium text-stone-900">{block.id}</span>
                    {block.name && <span className="block text-xs text-stone-500">{block.name}</span>}
                  </td>
                  <td className={cn(table.td, "whitespace-nowrap")}>
                    <span className="text-stone-800">{names?.get(block.type) ?? block.type}</span>
                    <span className="block font-mono text-xs text-stone-500">{block.type}</span>
                  </td>
                  <td className={cn(table.td, "whitespace-nowrap")}>
                    {block.enabled === false ? (
                      <span className="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-600 ring-1 ring-inset ring-stone-200">Disabled</span>
                    ) : (
                      <span className="rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-700 ring-1 ring-inset ring-green-200">Enabled</span>
                    )}
                  </td>
                  <td className={cn(table.td, "min-w-56 max-w-md")}>
                    {paramSummary(block) ? (
                      <span className="line-clamp-2 break-all font-mono text-xs text-stone-700" title={JSON.stringify(block.params, null, 2)}>
                        {paramSummary(block)}
                      </span>
                    ) : (
                      <span className="text-xs text-stone-400">No params</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {variableEntries.length > 0 && (
        <section aria-labelledby="variables-heading">
          <h2 id="variables-heading" className="mb-2 text-sm font-semibold text-stone-900">Variables</h2>
          <div className={table.wrap}>
            <table className={table.table}>
              <thead>
                <tr>
                  <th scope="col" className={table.th}>Name</th>
                  <th scope="col" className={table.th}>Value</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-stone-100">
                {variableEntries.map(([name, value]) => (
                  <tr key={name} className={table.tr}>
                    <td className={cn(table.td, "font-mono text-xs")}>{name}</td>
                    <td className={cn(table.td, "break-all font-mono text-xs")}>{shortValue(value, 160)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-1.5 text-xs text-stone-500">
            Blocks read them as <code className="font-mono">{"{{vars.name}}"}</code>.
          </p>
        </section>
      )}

      <Card className="p-4">
        <details>
          <summary className="cursor-pointer text-sm font-medium text-stone-800">Change it through the API</summary>
          <p className="mb-3 mt-2 text-sm text-stone-500">
            The patch endpoint applies edit ops and explains any it skips; send <code className="font-mono">If-Match</code> with the
            version you read.
          </p>
          <CodeBlock title="Patch endpoint" code={patchCurl(workflow)} />
        </details>
      </Card>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-lg border border-stone-200 bg-white px-3 py-2 shadow-sm">
      <dt className="text-xs text-stone-500">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums text-stone-900">{value}</dd>
    </div>
  );
}
