"use client";

/**
 * The run's block attempts, one row each, with a bar on the run's time axis. Rows are virtualised
 * (only the visible ones are in the DOM), so a run with thousands of entries opens and scrolls
 * smoothly; a row expands to its input, output, error and messages.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { cn } from "@/app/_ui/cn";
import { formatDuration } from "@/app/_ui/time";
import type { RunLogEntry } from "../run-words";
import { ROW_GRID, TimelineEntry, type Span } from "./timeline-entry";
import { entryKey } from "./use-run-log";

export type BlockFocus = { blockId: string; n: number };

export function Timeline({ entries, axis, now, focus }: { entries: RunLogEntry[]; axis: Span; now: number; focus: BlockFocus | null }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 49,
    overscan: 8,
    getItemKey: (index) => entryKey(entries[index]),
  });

  // A block picked on the canvas: show its latest attempt, opened, and mark it for a moment.
  useEffect(() => {
    if (!focus) return;
    let index = -1;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].blockId === focus.blockId) {
        index = i;
        break;
      }
    }
    if (index < 0) return;
    const key = entryKey(entries[index]);
    setExpanded((current) => new Set(current).add(key));
    setHighlighted(key);
    virtualizer.scrollToIndex(index, { align: "start" });
    scroller.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    const timer = setTimeout(() => setHighlighted(null), 2_000);
    return () => clearTimeout(timer);
    // Only a new pick scrolls; new entries arriving must not pull the list back.
  }, [focus]);

  const toggle = (key: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <div>
      <div className={cn(ROW_GRID, "hidden border-b border-stone-200 bg-stone-50 px-3 py-2 text-xs font-medium uppercase tracking-wide text-stone-500 sm:grid")}>
        <span />
        <span>Block</span>
        <span>Attempt</span>
        <span>Status</span>
        <span className="flex justify-between normal-case tracking-normal">
          <span>0</span>
          <span>{formatDuration(axis.length)}</span>
        </span>
        <span className="text-right">Duration</span>
      </div>
      <div ref={scroller} className="max-h-[70vh] overflow-y-auto overscroll-contain" data-testid="timeline-scroller" tabIndex={-1}>
        <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = entries[item.index];
            const key = entryKey(entry);
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="absolute left-0 top-0 w-full"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <TimelineEntry
                  entry={entry}
                  axis={axis}
                  now={now}
                  expanded={expanded.has(key)}
                  highlighted={highlighted === key}
                  onToggle={() => toggle(key)}
                />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
