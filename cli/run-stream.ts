/**
 * Following a run over `GET /api/runs/:runId/stream` (docs/runs.md, "Logs and the live stream")
 * until it reaches a final status. A dropped connection — an error, the stream ending early, or no
 * bytes for three heartbeats — is resumed with `Last-Event-ID` set to the last log entry seen, so
 * the server sends only the entries after it: none is lost and none is printed twice.
 */
import type { RunLogEntry, RunResource } from "@/lib/resources/run";
import { CliError } from "./command";
import { ApiFailure, failureOf, Unreachable, type Connection } from "./connection";
import { readEvents } from "./sse";

const FINAL = new Set(["succeeded", "failed", "canceled"]);

/** Whether `status` is final: a run never leaves succeeded, failed or canceled. */
export function isFinal(status: string): boolean {
  return FINAL.has(status);
}

/** Timing of a follow. Tests may shorten it. */
export const followTiming = {
  /** No byte for this long (the server pings every 15 s) counts as a dropped connection. */
  idleMs: 45_000,
  /** Pauses before reconnecting, by attempt; the last repeats. */
  retryMs: [200, 500, 1_000, 2_000, 5_000],
  /** Consecutive reconnects without receiving an event before giving up. */
  maxAttempts: 12,
};

export interface FollowHandlers {
  onLog?(entry: RunLogEntry): void;
  /** Every `status` event: the run as it is now. */
  onStatus?(run: RunResource): void;
  /** The connection dropped; a reconnect after `lastEventId` follows. */
  onDrop?(reason: string, lastEventId: string | undefined): void;
}

/** Follows run `runId` until its final status; answers the run as that status event carried it. */
export async function followRun(connection: Connection, runId: string, handlers: FollowHandlers = {}): Promise<RunResource> {
  let lastEventId: string | undefined;
  let failures = 0;
  for (;;) {
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), followTiming.idleMs);
    const alive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), followTiming.idleMs);
    };
    let reason: string;
    try {
      const response = await connection.client.api.runs[":runId"].stream.$get(
        { param: { runId } },
        { headers: lastEventId !== undefined ? { "last-event-id": lastEventId } : {}, init: { signal: idle.signal } },
      );
      if (!response.ok || !response.body) {
        // A proxy or a restarting server (502–504) is worth another try; anything else is an answer.
        if (![502, 503, 504].includes(response.status)) throw await failureOf(response);
        reason = `the server answered ${response.status}`;
      } else {
        for await (const event of readEvents(response.body, alive)) {
          failures = 0;
          if (event.event === "log") {
            if (event.id) lastEventId = event.id;
            handlers.onLog?.(JSON.parse(event.data) as RunLogEntry);
          } else if (event.event === "status") {
            const run = JSON.parse(event.data) as RunResource;
            handlers.onStatus?.(run);
            if (isFinal(run.status)) return run;
          }
        }
        reason = "the stream closed before the run finished";
      }
    } catch (error) {
      if (error instanceof ApiFailure || !isDrop(error)) throw error;
      reason = idle.signal.aborted ? `no data for ${Math.round(followTiming.idleMs / 1000)} s` : dropReason(error);
    } finally {
      clearTimeout(timer);
    }
    failures += 1;
    if (failures > followTiming.maxAttempts) throw new CliError(`lost the stream of run ${runId}: ${reason}`, 1, [`Try \`weft logs ${runId} --follow\` again.`]);
    handlers.onDrop?.(reason, lastEventId);
    const pauses = followTiming.retryMs;
    await new Promise((resolve) => setTimeout(resolve, pauses[Math.min(failures - 1, pauses.length - 1)]));
  }
}

/** A lost connection (refused, reset, cut mid-body, or aborted for silence) rather than a bug. */
function isDrop(error: unknown): boolean {
  return error instanceof Unreachable || (error instanceof Error && (error.name === "AbortError" || error.name === "TypeError"));
}

function dropReason(error: unknown): string {
  if (error instanceof Unreachable) return error.message;
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return cause ? `${(error as Error).message}: ${cause}` : (error as Error).message;
}
