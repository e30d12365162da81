/**
 * The words the runs pages use for a run's trigger, its starter and its timing, shared by the
 * console and the run page.
 */
import { useEffect, useState } from "react";
// Types only: the resource module's zod schemas stay out of the browser bundle.
import type { RunLogEntry, RunResource, RunStatus, RunTrigger } from "@/lib/resources/run";

export type { RunLogEntry, RunResource, RunStatus, RunTrigger };

export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "waiting", "succeeded", "failed", "canceled"];
export const RUN_TRIGGERS: readonly RunTrigger[] = ["manual", "api", "schedule", "webhook", "mcp", "workflow"];
const FINAL: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "canceled"]);

export const TRIGGER_LABELS: Record<RunTrigger, string> = {
  manual: "Manual",
  api: "API",
  schedule: "Schedule",
  webhook: "Webhook",
  mcp: "MCP",
  workflow: "Workflow call",
};

export const STATUS_LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
};

/** Who started a run, in product words, from its `triggeredBy` (`user:…`, `api_key:…`, …). */
export function starterOf(triggeredBy: string | null): string | null {
  if (!triggeredBy) return null;
  const kind = triggeredBy.slice(0, triggeredBy.indexOf(":"));
  const words: Record<string, string> = { user: "member", api_key: "agent key", webhook: "webhook", schedule: "schedule", run: "parent run" };
  return words[kind] ?? null;
}

export function isFinal(status: RunStatus): boolean {
  return FINAL.has(status);
}

/** How long a run took, or has taken so far when it is still going (`now` ticks for live runs). */
export function runDurationMs(run: Pick<RunResource, "startedAt" | "finishedAt" | "status">, now: number): number | null {
  if (!run.startedAt) return null;
  const start = Date.parse(run.startedAt);
  if (run.finishedAt) return Date.parse(run.finishedAt) - start;
  return isFinal(run.status) ? null : Math.max(0, now - start);
}

/** The current time, refreshed every `everyMs` while `live`; null until mounted (server and client render alike). */
export function useNow(live: boolean, everyMs = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [live, everyMs]);
  return now;
}
