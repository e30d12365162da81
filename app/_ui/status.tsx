import type { RunStatus } from "@/lib/resources/run";
import { cn } from "./cn";

/** One colour per run status, everywhere the same, always with its label. */
const STYLES: Record<RunStatus, { pill: string; dot: string }> = {
  queued: { pill: "bg-slate-100 text-slate-700 ring-slate-200", dot: "bg-slate-400" },
  running: { pill: "bg-blue-50 text-blue-700 ring-blue-200", dot: "bg-blue-500 animate-pulse" },
  waiting: { pill: "bg-amber-50 text-amber-800 ring-amber-200", dot: "bg-amber-500" },
  succeeded: { pill: "bg-green-50 text-green-700 ring-green-200", dot: "bg-green-500" },
  failed: { pill: "bg-red-50 text-red-700 ring-red-200", dot: "bg-red-500" },
  canceled: { pill: "bg-zinc-100 text-zinc-600 ring-zinc-200", dot: "bg-zinc-400" },
};

/** The status of a run (or of a block attempt, which uses the same words where they match). */
export function StatusPill({ status, className }: { status: string; className?: string }) {
  const style = STYLES[status as RunStatus] ?? { pill: "bg-stone-100 text-stone-600 ring-stone-200", dot: "bg-stone-400" };
  return (
    <span
      data-status={status}
      className={cn("inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", style.pill, className)}
    >
      <span aria-hidden className={cn("size-1.5 rounded-full", style.dot)} />
      {status.replace("_", " ")}
    </span>
  );
}

/** The colour of a status, for bars and canvas nodes. */
export function statusColor(status: string): string {
  const colors: Record<string, string> = {
    queued: "#94a3b8",
    running: "#3b82f6",
    waiting: "#f59e0b",
    succeeded: "#22c55e",
    failed: "#ef4444",
    canceled: "#a1a1aa",
    skipped: "#d6d3d1",
    timed_out: "#f97316",
  };
  return colors[status] ?? "#a8a29e";
}
