"use client";

import { ChevronRight } from "lucide-react";
import { cn } from "@/app/_ui/cn";
import { JsonView } from "@/app/_ui/json-view";
import { StatusPill, statusColor } from "@/app/_ui/status";
import { formatDuration, formatExact } from "@/app/_ui/time";
import type { RunLogEntry } from "../run-words";

/** Where a bar sits on the run's time axis: start offset and length in ms. */
export type Span = { start: number; length: number };

/** The grid every row and the header share: block, attempt, status, bar, duration (two lines under 640 px). */
export const ROW_GRID =
  "grid grid-cols-[16px_minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1.5 sm:grid-cols-[16px_minmax(0,1.2fr)_72px_104px_minmax(0,2fr)_64px]";

/** How long an entry took; a waiting entry has been waiting until `now`. */
export function entryDurationMs(entry: RunLogEntry, now: number): number | null {
  if (entry.durationMs !== null) return entry.durationMs;
  if (!entry.startedAt) return null;
  const end = entry.finishedAt ? Date.parse(entry.finishedAt) : entry.status === "waiting" ? now : null;
  return end === null ? null : Math.max(0, end - Date.parse(entry.startedAt));
}

export function TimelineEntry({
  entry,
  axis,
  now,
  expanded,
  highlighted,
  onToggle,
}: {
  entry: RunLogEntry;
  axis: Span;
  now: number;
  expanded: boolean;
  highlighted: boolean;
  onToggle: () => void;
}) {
  const duration = entryDurationMs(entry, now);
  const offset = entry.startedAt ? Date.parse(entry.startedAt) - axis.start : null;
  const detailsId = `entry-${entry.blockId}-${entry.attempt}`;
  const attempt = entry.attempt === 0 ? "—" : `#${entry.attempt}`;
  return (
    <div
      data-testid="timeline-row"
      data-block-id={entry.blockId}
      data-status={entry.status}
      className={cn("border-b border-stone-100 transition-colors", highlighted && "bg-indigo-50/70")}
    >
      <button
        type="button"
        onClick={onToggle}
        aria-expanded={expanded}
        aria-controls={detailsId}
        className={cn(ROW_GRID, "w-full px-3 py-2 text-left hover:bg-stone-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600")}
      >
        <ChevronRight aria-hidden className={cn("size-4 text-stone-400 transition-transform", expanded && "rotate-90")} />
        <span className="min-w-0">
          <span className="block truncate font-mono text-xs font-medium text-stone-900">{entry.blockId}</span>
          <span className="flex items-center gap-1.5 text-[11px] text-stone-500">
            <span className="truncate">{entry.blockType}</span>
            <span className="sm:hidden">· {attempt}</span>
            {entry.attempt > 1 && <span className="rounded bg-amber-50 px-1 text-[10px] font-medium text-amber-700 ring-1 ring-amber-200 sm:hidden">retry</span>}
          </span>
        </span>
        <span className="hidden items-center gap-1.5 font-mono text-xs text-stone-600 sm:flex">
          {attempt}
          {entry.attempt > 1 && <span className="rounded bg-amber-50 px-1 font-sans text-[10px] font-medium text-amber-700 ring-1 ring-amber-200">retry</span>}
        </span>
        <span className="justify-self-end sm:justify-self-start">
          <StatusPill status={entry.status} />
        </span>
        <span className="relative col-start-2 h-2.5 rounded-full bg-stone-100 sm:col-start-auto" aria-hidden>
          {offset !== null && entry.status !== "skipped" && (
            <span
              className="absolute inset-y-0 rounded-full"
              style={{
                left: `${Math.min(100, Math.max(0, (offset / axis.length) * 100))}%`,
                width: `max(3px, ${Math.min(100, ((duration ?? 0) / axis.length) * 100)}%)`,
                maxWidth: `${100 - Math.min(100, Math.max(0, (offset / axis.length) * 100))}%`,
                background: statusColor(entry.status),
              }}
            />
          )}
        </span>
        <span className="text-right font-mono text-xs tabular-nums text-stone-600">{entry.status === "skipped" ? "—" : duration !== null && duration < 1 ? "<1 ms" : formatDuration(duration)}</span>
      </button>
      {expanded && <EntryDetails id={detailsId} entry={entry} offset={offset} />}
    </div>
  );
}

function EntryDetails({ id, entry, offset }: { id: string; entry: RunLogEntry; offset: number | null }) {
  return (
    <div id={id} className="space-y-3 bg-stone-50/60 px-3 pb-4 pt-1 sm:pl-10">
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-stone-500">
        <div>
          <dt className="inline">Started </dt>
          <dd className="inline text-stone-700">{entry.startedAt ? `${formatExact(entry.startedAt)} (+${formatDuration(offset)})` : "—"}</dd>
        </div>
        <div>
          <dt className="inline">Finished </dt>
          <dd className="inline text-stone-700">{entry.finishedAt ? formatExact(entry.finishedAt) : entry.status === "waiting" ? "still waiting" : "—"}</dd>
        </div>
      </dl>
      {entry.error !== null && entry.error !== undefined && <JsonView title="Error" value={entry.error} />}
      <div className="grid gap-3 lg:grid-cols-2">
        <JsonView title="Input" value={entry.input ?? null} />
        <JsonView title="Output" value={entry.output ?? null} />
      </div>
      {entry.messages.length > 0 && (
        <div className="rounded-md border border-stone-200 bg-white">
          <p className="border-b border-stone-200 px-3 py-1.5 text-xs font-medium uppercase tracking-wide text-stone-500">Messages</p>
          <ol className="divide-y divide-stone-100 font-mono text-xs">
            {entry.messages.map((m, i) => (
              <li key={i} className="flex gap-3 px-3 py-1.5">
                <time dateTime={m.at} title={formatExact(m.at)} className="shrink-0 text-stone-400">
                  {new Date(m.at).toLocaleTimeString("en-GB")}
                </time>
                <span className={cn("w-10 shrink-0 uppercase", LEVELS[m.level] ?? "text-stone-500")}>{m.level}</span>
                <span className="min-w-0 whitespace-pre-wrap break-words text-stone-800">{m.message}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}

const LEVELS: Record<string, string> = { debug: "text-stone-400", info: "text-sky-700", warn: "text-amber-700", error: "text-red-700" };
