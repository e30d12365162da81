"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import type { MouseEvent } from "react";
import { cn } from "@/app/_ui/cn";
import { CopyButton } from "@/app/_ui/copy";
import { table, TableHead } from "@/app/_ui/page";
import { StatusPill } from "@/app/_ui/status";
import { formatDuration, RelativeTime } from "@/app/_ui/time";
import { isFinal, runDurationMs, starterOf, TRIGGER_LABELS, useNow, type RunResource } from "./run-words";
import type { WorkflowName } from "./workflow-names";

// Rows fade in when they are inserted (@starting-style): a run that appears while the list is
// open, or a new page.
const fadeIn = "transition-opacity duration-700 starting:opacity-0";

/** Runs as a dense table (cards under 640 px); a row opens its run. */
export function RunsTable({ runs, names, showWorkflow }: { runs: RunResource[]; names: Map<string, WorkflowName>; showWorkflow: boolean }) {
  const router = useRouter();
  const now = useNow(runs.some((r) => !isFinal(r.status)));
  // The whole row opens the run; links and buttons inside it keep their own click.
  const open = (id: string) => (event: MouseEvent) => {
    if ((event.target as HTMLElement).closest("a,button")) return;
    router.push(`/runs/${id}`);
  };
  return (
    <>
      <div className={cn(table.wrap, "hidden sm:block")}>
        <table className={table.table}>
          <TableHead columns={["Status", "Run", ...(showWorkflow ? ["Workflow"] : []), "Trigger", "Started", { label: "Duration", className: "text-right" }]} />
          <tbody className="divide-y divide-stone-100">
            {runs.map((run) => (
              <tr key={run.id} data-run-id={run.id} onClick={open(run.id)} className={cn(table.tr, fadeIn, "cursor-pointer")}>
                <td className={cn(table.td, "py-2.5")}>
                  <StatusPill status={run.status} />
                </td>
                <td className={cn(table.td, "py-2.5")}>
                  <RunLink run={run} />
                </td>
                {showWorkflow && (
                  <td className={cn(table.td, "max-w-64 py-2.5")}>
                    <WorkflowCell run={run} name={names.get(run.workflowId)} />
                  </td>
                )}
                <td className={cn(table.td, "whitespace-nowrap py-2.5")}>
                  <TriggerText run={run} />
                </td>
                <td className={cn(table.td, "whitespace-nowrap py-2.5 text-stone-600")}>
                  <RelativeTime iso={run.startedAt ?? run.createdAt} />
                </td>
                <td className={cn(table.td, "whitespace-nowrap py-2.5 text-right font-mono text-xs tabular-nums text-stone-600")}>
                  <Duration run={run} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="divide-y divide-stone-100 overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm sm:hidden">
        {runs.map((run) => (
          <li key={run.id} data-run-id={run.id} onClick={open(run.id)} className={cn(fadeIn, "cursor-pointer space-y-1 px-4 py-3 hover:bg-stone-50")}>
            <div className="flex items-center justify-between gap-3">
              {showWorkflow ? <WorkflowCell run={run} name={names.get(run.workflowId)} /> : <RunLink run={run} />}
              <StatusPill status={run.status} />
            </div>
            <div className="flex items-center justify-between gap-3 text-xs text-stone-500">
              <span className="min-w-0 truncate">
                <TriggerText run={run} /> · <RelativeTime iso={run.startedAt ?? run.createdAt} />
              </span>
              <span className="shrink-0 font-mono tabular-nums">
                <Duration run={run} now={now} />
              </span>
            </div>
            {showWorkflow && <RunLink run={run} />}
          </li>
        ))}
      </ul>
    </>
  );
}

function RunLink({ run }: { run: RunResource }) {
  return (
    <span className="inline-flex items-center">
      <Link
        href={`/runs/${run.id}`}
        aria-label={`Run ${run.id}`}
        className="rounded font-mono text-xs text-stone-700 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        <IdText id={run.id} />
      </Link>
      <CopyButton value={run.id} label={`Copy ${run.id}`} />
    </span>
  );
}

function IdText({ id }: { id: string }) {
  return <span title={id}>{id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-5)}` : id}</span>;
}

function WorkflowCell({ run, name }: { run: RunResource; name: WorkflowName | undefined }) {
  const version = <span className="shrink-0 font-mono text-xs text-stone-400">v{run.workflowVersion}</span>;
  if (name && "deleted" in name) {
    return (
      <span className="flex min-w-0 items-center gap-1.5 text-stone-500">
        <span className="truncate italic">Deleted workflow</span>
        {version}
      </span>
    );
  }
  return (
    <span className="flex min-w-0 items-center gap-1.5">
      <Link
        href={`/workflows/${run.workflowId}`}
        className="truncate rounded font-medium text-stone-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        {name?.name ?? <span className="font-mono text-xs">{run.workflowId}</span>}
      </Link>
      {version}
    </span>
  );
}

export function TriggerText({ run }: { run: Pick<RunResource, "trigger" | "triggeredBy"> }) {
  const who = starterOf(run.triggeredBy);
  return (
    <span>
      <span className="text-stone-700">{TRIGGER_LABELS[run.trigger]}</span>
      {who && who !== run.trigger && <span className="text-stone-400"> · {who}</span>}
    </span>
  );
}

function Duration({ run, now }: { run: RunResource; now: number | null }) {
  if (run.status === "queued") return <span className="text-stone-400">queued</span>;
  const ms = runDurationMs(run, now ?? Date.parse(run.startedAt ?? run.createdAt));
  return <span title={isFinal(run.status) ? undefined : "Still going"}>{formatDuration(ms)}</span>;
}
