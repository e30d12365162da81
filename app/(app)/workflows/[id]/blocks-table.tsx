"use client";

/**
 * A definition's blocks as rows (a table from 768 px up, cards below it): id and name, connector,
 * enabled, a short summary of the params that are set, and where each block leads. Until the
 * canvas arrives, this is how a person reads a graph.
 */
import { useQuery } from "@tanstack/react-query";
import { api, read } from "@/app/_ui/api";
import { cn } from "@/app/_ui/cn";
import { table, TableHead } from "@/app/_ui/page";
import type { Block, WorkflowDefinition } from "@/lib/engine/model";

/** One value, short: strings as they are, everything else as compact JSON, cut at `max` characters. */
export function shortValue(value: unknown, max = 48): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `key: value · key: value` of the params that are set. */
function paramSummary(block: Block): string {
  const entries = Object.entries(block.params).filter(([, value]) => value !== undefined && value !== null && value !== "");
  return entries.map(([key, value]) => `${key}: ${shortValue(value)}`).join(" · ");
}

/** Where each block's edges go: `greet`, or `true → notify` for a branch handle. */
function nextBlocks(definition: WorkflowDefinition): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const edge of definition.edges) {
    const label = edge.sourceHandle ? `${edge.sourceHandle} → ${edge.target}` : edge.target;
    next.set(edge.source, [...(next.get(edge.source) ?? []), label]);
  }
  return next;
}

function useConnectorNames() {
  return useQuery({
    queryKey: ["connectors", "summary"],
    queryFn: async () => read(await api.api.connectors.$get({ query: { detail: "summary" } })),
    staleTime: Infinity,
    select: (catalog) => new Map(catalog.data.map((entry) => [entry.type, entry.name])),
  });
}

function EnabledPill({ block }: { block: Block }) {
  return block.enabled === false ? (
    <span className="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-600 ring-1 ring-inset ring-stone-200">Disabled</span>
  ) : (
    <span className="rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-700 ring-1 ring-inset ring-green-200">Enabled</span>
  );
}

function Params({ block }: { block: Block }) {
  const summary = paramSummary(block);
  if (!summary) return <span className="text-xs text-stone-400">No params</span>;
  return (
    <span className="line-clamp-2 break-all font-mono text-xs text-stone-700" title={JSON.stringify(block.params, null, 2)}>
      {summary}
    </span>
  );
}

function LeadsTo({ targets }: { targets: string[] | undefined }) {
  if (!targets?.length) return <span className="text-xs text-stone-400">End</span>;
  return <span className="font-mono text-xs text-stone-700">{targets.join(", ")}</span>;
}

export function BlocksTable({ definition }: { definition: WorkflowDefinition }) {
  const names = useConnectorNames().data;
  const next = nextBlocks(definition);
  return (
    <>
      <div className={cn(table.wrap, "hidden md:block")}>
        <table className={table.table}>
          <TableHead columns={["Block", "Type", "Enabled", "Params", "Leads to"]} />
          <tbody className="divide-y divide-stone-100">
            {definition.blocks.map((block) => (
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
                  <EnabledPill block={block} />
                </td>
                <td className={cn(table.td, "min-w-56 max-w-md")}>
                  <Params block={block} />
                </td>
                <td className={table.td}>
                  <LeadsTo targets={next.get(block.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="space-y-2 md:hidden">
        {definition.blocks.map((block) => (
          <li key={block.id} className="rounded-lg border border-stone-200 bg-white p-3 shadow-sm" data-testid="block-card">
            <div className="flex items-start justify-between gap-3">
              <div className="min-w-0">
                <span className="font-mono text-sm font-medium text-stone-900">{block.id}</span>
                <span className="block text-xs text-stone-500">
                  {names?.get(block.type) ?? block.type}
                  {block.name ? ` · ${block.name}` : ""}
                </span>
              </div>
              <EnabledPill block={block} />
            </div>
            <div className="mt-2">
              <Params block={block} />
            </div>
            <p className="mt-1.5 text-xs text-stone-500">
              Leads to <LeadsTo targets={next.get(block.id)} />
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
