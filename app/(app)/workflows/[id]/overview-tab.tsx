"use client";

/**
 * The Blocks tab: the definition as tables (blocks, the edge count, the variables), and how an
 * agent changes it.
 */
import { Boxes } from "lucide-react";
import Link from "next/link";
import { cn } from "@/app/_ui/cn";
import { Card, table } from "@/app/_ui/page";
import type { Workflow } from "@/lib/resources/workflow";
import { CodeBlock } from "@/app/_ui/code-block";
import { BlocksTable, shortValue } from "./blocks-table";

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

const keyLink = (
  <Link href="/settings" className="font-medium text-indigo-700 hover:text-indigo-500">
    Settings
  </Link>
);

export function OverviewTab({ workflow }: { workflow: Workflow }) {
  const { blocks, edges, variables = {} } = workflow.definition;
  const variableEntries = Object.entries(variables);

  if (blocks.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-stone-300 bg-white px-6 py-10">
        <div className="mx-auto max-w-2xl text-center">
          <Boxes className="mx-auto mb-3 size-8 text-stone-400" aria-hidden />
          <h2 className="text-base font-semibold text-stone-900">No blocks yet</h2>
          <p className="mt-1 text-sm text-stone-500">
            Build it on the Editor tab, or let an agent add blocks with the patch endpoint. Paste this with an organization API key
            (create one in {keyLink}) to add a webhook trigger and a greeting:
          </p>
        </div>
        <div className="mx-auto mt-5 max-w-3xl">
          <CodeBlock title="Patch endpoint: add two blocks and connect them" code={patchCurl(workflow)} />
        </div>
      </div>
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
        <h2 id="blocks-heading" className="mb-2 text-sm font-semibold text-stone-900">
          Blocks
        </h2>
        <BlocksTable definition={workflow.definition} />
      </section>

      {variableEntries.length > 0 && (
        <section aria-labelledby="variables-heading">
          <h2 id="variables-heading" className="mb-2 text-sm font-semibold text-stone-900">
            Variables
          </h2>
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
          <summary className="cursor-pointer rounded text-sm font-medium text-stone-800 focus-visible:outline-2 focus-visible:outline-indigo-600">
            Change it through the API
          </summary>
          <p className="mb-3 mt-2 text-sm text-stone-500">
            The patch endpoint applies edit ops and explains any it skips. Send <code className="font-mono">If-Match</code> with the
            version you read, so a stale edit is refused instead of overwriting someone else&apos;s.
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
