/**
 * How the CLI prints runs and their log entries (docs/runs.md) in human output: one line per log
 * entry (time, block, status, duration) with its messages, error and output under it; a status
 * line per change when following; and a run's fields with its output as indented JSON.
 */
import type { RunLogEntry, RunResource } from "@/lib/resources/run";
import { between, clock, duration, oneLine, when } from "./format";
import { statusStyle, type Output } from "./output";
import { isFinal } from "./run-stream";

/** The message of a block's or run's error value. */
function errorText(error: unknown): string {
  if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") return (error as { message: string }).message;
  return JSON.stringify(error);
}

/** `15:06:07  greet (greet)  succeeded  12 ms`, then its messages, error or output indented. */
export function printLogEntry(out: Output, entry: RunLogEntry): void {
  const at = entry.finishedAt ?? entry.startedAt;
  const parts = [
    out.paint("dim", at ? clock(new Date(at)) : "--:--:--"),
    `${entry.blockId} ${out.paint("dim", `(${entry.blockType})`)}`,
    out.paint(statusStyle(entry.status), entry.status) + (entry.attempt > 1 ? ` attempt ${entry.attempt}` : ""),
  ];
  if (entry.durationMs !== null && entry.status !== "skipped") parts.push(out.paint("dim", duration(entry.durationMs)));
  out.line(parts.join("  "));
  for (const message of entry.messages) out.line(`    ${out.paint("dim", `${message.level}:`)} ${message.message}`);
  if (entry.error !== null && entry.error !== undefined) out.line(`    ${out.paint("red", "error:")} ${errorText(entry.error)}`);
  else if (entry.status === "succeeded" && entry.output !== undefined && entry.output !== null) out.line(`    ${out.paint("dim", "→")} ${oneLine(entry.output)}`);
}

/** `── run waiting on event "approve"`, `── run succeeded in 1.2 s`. */
export function printRunStatus(out: Output, run: RunResource): void {
  let text = `run ${out.paint(statusStyle(run.status), run.status)}`;
  if (run.status === "waiting" && run.waitingOn) {
    const on = run.waitingOn;
    if (on.kind === "event") text += ` on event "${on.event}"${on.key ? ` with key "${on.key}"` : ""} (block ${on.blockId})`;
    else if (on.kind === "children") text += ` for the child runs of ${on.blockId}`;
    else text += ` in ${on.blockId}${on.until ? ` until ${when(on.until)}` : ""}`;
  } else if (run.status === "queued" && run.queuePosition !== undefined) {
    text += ` (${run.queuePosition} ahead)`;
  } else if (isFinal(run.status) && run.startedAt && run.finishedAt) {
    text += ` in ${between(run.startedAt, run.finishedAt)}`;
  }
  if (run.error) text += `: ${run.error.message}${run.error.blockId ? ` (block ${run.error.blockId})` : ""}`;
  out.line(out.paint("dim", "── ") + text);
}

/** A run's fields, then its output as indented JSON. */
export function printRun(out: Output, run: RunResource): void {
  const pairs: [string, string][] = [
    ["Run", run.id],
    ["Workflow", `${run.workflowId} (version ${run.workflowVersion})`],
    ["Status", out.paint(statusStyle(run.status), run.status)],
    ["Trigger", run.trigger],
    ["Created", when(run.createdAt)],
  ];
  if (run.startedAt && run.finishedAt) pairs.push(["Took", between(run.startedAt, run.finishedAt)]);
  if (run.parentRunId) pairs.push(["Parent run", run.parentRunId]);
  if (run.waitingOn) {
    const on = run.waitingOn;
    pairs.push(["Waiting on", on.kind === "event" ? `event "${on.event}" (block ${on.blockId})` : on.kind === "children" ? `the child runs of ${on.blockId}` : `${on.blockId}`]);
  }
  if (run.children && run.children.length > 0) {
    const counts = new Map<string, number>();
    for (const child of run.children) counts.set(child.status, (counts.get(child.status) ?? 0) + 1);
    pairs.push(["Child runs", [...counts].map(([status, n]) => `${n} ${status}`).join(", ")]);
  }
  if (run.error) pairs.push(["Error", `${run.error.message}${run.error.blockId ? ` (block ${run.error.blockId})` : ""}`]);
  out.fields(pairs);
  if (run.output !== null) {
    out.line(out.paint("dim", "Output"));
    out.line(JSON.stringify(run.output, null, 2));
  }
}
