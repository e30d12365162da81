"use client";

/**
 * The Runs tab: the workflow's most recent runs, refetched every 3 seconds so runs started
 * elsewhere (an agent, a webhook, a schedule) appear without a reload. The runs console has the
 * full history and its filters.
 */
import { useQuery } from "@tanstack/react-query";
import { ArrowRight, History } from "lucide-react";
import Link from "next/link";
import { api, read } from "@/app/_ui/api";
import { CopyButton } from "@/app/_ui/copy";
import { cn } from "@/app/_ui/cn";
import { table } from "@/app/_ui/page";
import { EmptyState, ErrorState, TableSkeleton } from "@/app/_ui/states";
import { StatusPill } from "@/app/_ui/status";
import { formatDuration, RelativeTime } from "@/app/_ui/time";
import type { RunResource } from "@/lib/resources/run";

const RECENT = 20;

/** How long it ran, or has been running so far. */
function runDuration(run: RunResource): string {
  if (!run.startedAt) return "—";
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  return formatDuration(end - Date.parse(run.startedAt)) + (run.finishedAt ? "" : " so far");
}

/** The trigger, in words. */
function triggerLabel(run: RunResource): string {
  const labels: Record<string, string> = { manual: "Manual", api: "API", schedule: "Schedule", webhook: "Webhook", mcp: "MCP" };
  return labels[run.trigger] ?? run.trigger;
}

export function RunsTab({ workflowId }: { workflowId: string }) {
  const runs = useQuery({
    queryKey: ["runs", { workflowId, limit: RECENT }],
    queryFn: async () => read(await api.api.runs.$get({ query: { workflowId, limit: String(RECENT) } })),
    refetchInterval: 3_000,
  });
  const consoleLink = (
    <Link
      href={`/runs?workflowId=${encodeURIComponent(workflowId)}`}
      className="inline-flex items-center gap-1 rounded text-sm font-medium text-indigo-700 hover:text-indigo-500 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      Open in the runs console <ArrowRight className="size-3.5" aria-hidden />
    </Link>
  );

  return (
    <section aria-labelledby="runs-heading">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="runs-heading" className="text-sm font-semibold text-stone-900">
          Recent runs
        </h2>
        {consoleLink}
      </div>
      {runs.isPending ? (
        <TableSkeleton label="Loading runs" />
      ) : !runs.data ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : runs.data.data.length === 0 ? (
        <EmptyState icon={<History className="size-8" aria-hidden />} title="No runs yet">
          Start one with Run above, or from a webhook endpoint, a schedule or the API. New runs show up here by themselves.
        </EmptyState>
      ) : (
        <div className={table.wrap}>
          <table className={table.table}>
            <thead>
              <tr>
                <th scope="col" className={table.th}>Status</th>
                <th scope="col" className={table.th}>Run</th>
                <th scope="col" className={table.th}>Trigger</th>
                <th scope="col" className={table.th}>Started</th>
                <th scope="col" className={table.th}>Duration</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {runs.data.data.map((run) => (
                <tr key={run.id} className={table.tr} data-testid="run-row">
                  <td className={table.td}>
                    <Link href={`/runs/${run.id}`} className="rounded focus-visible:outline-2 focus-visible:outline-indigo-600" aria-label={`Run ${run.id}: ${run.status}`}>
                      <StatusPill status={run.status} />
                    </Link>
                  </td>
                  <td className={cn(table.td, "whitespace-nowrap")}>
                    <span className="inline-flex items-center gap-0.5">
                      <Link href={`/runs/${run.id}`} title={run.id} className="rounded font-mono text-xs text-stone-700 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
                        {run.id.length > 16 ? `${run.id.slice(0, 8)}…${run.id.slice(-5)}` : run.id}
                      </Link>
                      <CopyButton value={run.id} label={`Copy ${run.id}`} />
                    </span>
                  </td>
                  <td className={cn(table.td, "whitespace-nowrap")}>
                    {triggerLabel(run)}
                    <span className="block text-xs text-stone-500">v{run.workflowVersion}</span>
                  </td>
                  <td className={cn(table.td, "whitespace-nowrap")}>
                    <RelativeTime iso={run.startedAt ?? run.createdAt} />
                  </td>
                  <td className={cn(table.td, "whitespace-nowrap tabular-nums")}>{runDuration(run)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
