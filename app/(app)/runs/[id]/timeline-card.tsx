"use client";

import { cn } from "@/app/_ui/cn";
import { ErrorState, Skeleton } from "@/app/_ui/states";
import type { RunLogEntry, RunResource } from "../run-words";
import { Timeline, type BlockFocus } from "./timeline";
import { entryDurationMs, type Span } from "./timeline-entry";
import type { LogConnection } from "./use-run-log";

/** The run's time axis: from its start to its end (or to now while it goes on). */
function axisOf(run: RunResource, entries: RunLogEntry[], now: number): Span {
  const starts = entries.flatMap((e) => (e.startedAt ? [Date.parse(e.startedAt)] : []));
  const start = run.startedAt ? Date.parse(run.startedAt) : starts.length ? Math.min(...starts) : Date.parse(run.createdAt);
  let end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  for (const entry of entries) {
    if (!entry.startedAt) continue;
    end = Math.max(end, Date.parse(entry.startedAt) + (entryDurationMs(entry, now) ?? 0));
  }
  return { start, length: Math.max(1, end - start) };
}

const CONNECTION: Record<LogConnection, { label: string; dot: string }> = {
  loading: { label: "Loading", dot: "bg-stone-300" },
  live: { label: "Live", dot: "bg-green-500 animate-pulse" },
  reconnecting: { label: "Reconnecting…", dot: "bg-amber-500 animate-pulse" },
  complete: { label: "Complete", dot: "bg-stone-300" },
  error: { label: "Not loaded", dot: "bg-red-500" },
};

export function TimelineCard({
  run,
  log,
  now,
  focus,
}: {
  run: RunResource;
  log: { entries: RunLogEntry[]; connection: LogConnection; error: unknown };
  now: number | null;
  focus: BlockFocus | null;
}) {
  const at = now ?? Date.parse(run.finishedAt ?? run.startedAt ?? run.createdAt);
  const connection = CONNECTION[log.connection];
  const count = log.entries.length;
  return (
    <section aria-label="Timeline" className="overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm">
      <div className="flex items-center justify-between gap-3 border-b border-stone-200 px-4 py-2.5">
        <h2 className="text-sm font-semibold text-stone-900">
          Timeline{" "}
          <span className="ml-1 font-normal text-stone-500" data-testid="entry-count">
            {count} {count === 1 ? "block attempt" : "block attempts"}
          </span>
        </h2>
        <span className="inline-flex items-center gap-1.5 text-xs text-stone-500">
          <span aria-hidden className={cn("size-2 rounded-full", connection.dot)} />
          {connection.label}
        </span>
      </div>
      {log.connection === "error" ? (
        <div className="p-4">
          <ErrorState error={log.error} onRetry={() => window.location.reload()} />
        </div>
      ) : count === 0 ? (
        log.connection === "loading" ? (
          <div role="status" aria-label="Loading the timeline" className="space-y-3 p-4">
            <Skeleton className="h-5 w-full" />
            <Skeleton className="h-5 w-5/6" />
            <Skeleton className="h-5 w-2/3" />
          </div>
        ) : (
          <p className="px-4 py-10 text-center text-sm text-stone-500">{emptyText(run)}</p>
        )
      ) : (
        <Timeline entries={log.entries} axis={axisOf(run, log.entries, at)} now={at} focus={focus} />
      )}
    </section>
  );
}

function emptyText(run: RunResource): string {
  if (run.status === "queued") return "Waiting for a worker to pick this run up. Block attempts appear here as they happen.";
  if (run.status === "running" || run.status === "waiting") return "The first block is running. Its attempt appears here when it settles.";
  return "This run recorded no block attempts.";
}
