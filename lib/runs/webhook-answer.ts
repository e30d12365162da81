/**
 * What a waiting webhook caller gets (docs/runs.md, "Answering the caller"): the run's answer as
 * soon as a `respond_webhook` block records it, else the finished run, else nothing yet.
 */
import type postgres from "postgres";
import type { WebhookResponse } from "@/lib/engine/webhook-response";
import { FINAL_STATUSES, type RunResource, type RunStatus } from "@/lib/resources/run";
import type { Runtime } from "@/lib/runtime/types";
import { beyondStart, waitForChange, watchRun, type RunWatch } from "@/lib/runtime/wait-for-change";
import { parseFinalHint } from "@/lib/store/channels";
import { getWebhookAnswerState, type WebhookAnswerState } from "@/lib/store/webhook-responses";
import { fail, succeed, type Actor, type Outcome } from "@/lib/workflows/outcome";

/** `responded`: the workflow's answer; `finished`: the run ended without one; `pending`: neither within the wait. */
export type WebhookAnswer =
  | { kind: "responded"; response: WebhookResponse }
  | { kind: "finished"; run: Pick<RunResource, "status" | "output" | "error"> }
  | { kind: "pending" };

/** The answer state a final notification gives (a webhook run that ended without an answer), else undefined. */
function answerFromHint(hint: string | undefined): WebhookAnswerState | undefined {
  const final = parseFinalHint(hint);
  if (!final || !FINAL_STATUSES.has(final.status as RunStatus)) return undefined;
  return { finished: { status: final.status as RunStatus, output: final.output, error: final.error }, response: null };
}

/** Watches a run's notifications for `awaitWebhookAnswer`, from now: arm it before creating the run. */
export function watchForAnswer(deps: { runtime: Runtime }, runId: string): RunWatch {
  return watchRun(runId, (id, listener) => deps.runtime.subscribe(id, listener), beyondStart);
}

/**
 * Waits up to `timeoutMs` for the run's answer or its end, woken by the run's notifications
 * without losing one (lib/runtime/wait-for-change.ts). An answer recorded before the run ended is
 * always the one returned: both are read in one snapshot. `not_found` for another organization's run.
 * `watch`: from `watchForAnswer(runId)`, armed before the caller created that run (which it just
 * did), so the wait skips its first read, and a final notification that carries the run's end
 * (FINAL_HINT, lib/store/channels.ts) stands for the read after it; the wait closes it.
 */
export async function awaitWebhookAnswer(
  deps: { runtime: Runtime; sql: postgres.Sql },
  actor: Actor,
  runId: string,
  timeoutMs: number,
  options: { pollMs?: number; watch?: RunWatch } = {},
): Promise<Outcome<WebhookAnswer>> {
  // A watch armed before the run was created: the new run is queued and has no answer, no read needed.
  const known = options.watch ? { watch: options.watch, value: { finished: null, response: null }, seen: 0 } : undefined;
  const state = await waitForChange<WebhookAnswerState | null>({
    runId,
    subscribe: (id, listener) => deps.runtime.subscribe(id, listener),
    read: () => getWebhookAnswerState(deps.sql, actor.organizationId, runId),
    done: (value) => value === null || value.response !== null || value.finished !== null,
    timeoutMs,
    pollMs: options.pollMs,
    // A run starting has no answer and is not finished.
    wakes: beyondStart,
    known,
    // The run this caller just created: its final notification says how it ended, as a read would.
    fromHint: options.watch ? answerFromHint : undefined,
  });
  if (state === null) return fail({ code: "not_found", message: "No such run." });
  if (state.response) return succeed({ kind: "responded", response: state.response });
  if (!state.finished) return succeed({ kind: "pending" });
  return succeed({ kind: "finished", run: state.finished as Pick<RunResource, "status" | "output" | "error"> });
}
