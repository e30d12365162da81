/**
 * One ticker pass (docs/runs.md, "Schedules"): claim due schedules under row locks, fire each one's latest slot
 * at or before now (slots missed while no ticker ran coalesce into that one firing), then move it
 * to its next slot after now, all before the claim's transaction commits.
 *
 * Exactly once per slot: racing passes skip locked rows, and a pass that claims a row after
 * another committed sees it no longer due. A dispatch that throws leaves the slot unfired: the
 * failure is recorded on the row (count, message, time) and a later pass fires the same slot,
 * backing off as failures repeat (./retry.ts); a pass that dispatched but died before committing
 * is covered by the run's idempotency key `schedule:<id>:<slot ISO>`, which returns the same run.
 *
 * Workflow deletion turns its schedules off in the same transaction (lib/store/workflows.ts), so
 * a claim never sees a deleted workflow through that path; the check here still covers schedules
 * left enabled on a deleted workflow by an older control plane (rows from before the change, or
 * one still serving during a rolling deploy).
 */
import type postgres from "postgres";
import type { Database } from "@/db/client";
import { connectorRegistry } from "@/lib/connectors";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import type { Logger } from "@/lib/log";
import { startRun } from "@/lib/runs/start";
import type { Runtime } from "@/lib/runtime/types";
import { inTransaction } from "@/lib/store/transaction";
import type { Actor } from "@/lib/workflows/outcome";
import {
  advanceSchedule,
  claimDueSchedules,
  disableSchedule,
  recordDispatchFailure,
  recordScheduleFired,
  WORKFLOW_DELETED,
  type DueSchedule,
} from "@/lib/store/schedules";
import { checkCron, latestSlot, nextFireTime } from "./cron";
import { dispatchErrorMessage, dispatchRetryDelayMs } from "./retry";

export type DispatchRun = Runtime["dispatch"];

export interface TickerDeps {
  /** A postgres.js pool; each claim transaction reserves one connection of it. */
  sql: postgres.Sql;
  /** The app's database (startRun's deps). */
  db: Database;
  /** What workflows are validated against before they run; default: the built-in connectors. */
  registry?: ConnectorRegistry;
  /** Only `dispatch` is used: a worker passes a run queue, not a whole runtime. */
  runtime: Pick<Runtime, "dispatch">;
  logger: Logger;
}

export interface TickerPassOptions {
  /** Only this organization's schedules (`POST /api/admin/tick`). */
  organizationId?: string;
  /** The pass's clock (tests); default: the time each batch is claimed. */
  now?: Date;
  /** Schedules claimed (and dispatched concurrently) per transaction; default 25. */
  batchSize?: number;
  /** Replaces `runtime.dispatch` (tests inject failures). */
  dispatch?: DispatchRun;
}

/** A run a pass started for a schedule's slot. */
export interface StartedRun {
  scheduleId: string;
  runId: string;
  slot: string;
}

export interface TickerPassResult {
  /** Runs created by this pass (a slot whose run already existed is advanced, not listed). */
  started: StartedRun[];
  /** Schedules whose dispatch failed: their slot is retried after a backoff (./retry.ts). */
  failed: string[];
  /** Schedules turned off because their workflow is deleted (or their cron no longer parses). */
  disabled: string[];
}

type Outcome =
  | { kind: "started"; run: StartedRun }
  | { kind: "advanced" }
  | { kind: "failed" }
  | { kind: "disabled" };

/** The idempotency key of a schedule's slot run. */
export function scheduleRunKey(scheduleId: string, slot: Date): string {
  return `schedule:${scheduleId}:${slot.toISOString()}`;
}

async function fire(tx: postgres.Sql, deps: TickerDeps, dispatch: DispatchRun, due: DueSchedule, now: Date): Promise<Outcome> {
  const log = deps.logger.child({ scheduleId: due.id, organizationId: due.organizationId });
  if (due.workflow === null) {
    await disableSchedule(tx, due.id, WORKFLOW_DELETED);
    log.info({ workflowId: due.workflowId }, "schedule disabled: its workflow is deleted");
    return { kind: "disabled" };
  }
  const check = checkCron(due.cron, due.timezone);
  if (!check.ok) {
    await disableSchedule(tx, due.id, check.code);
    log.warn({ cron: due.cron, timezone: due.timezone, reason: check.message }, "schedule disabled: its cron no longer parses");
    return { kind: "disabled" };
  }
  const slot = latestSlot(check.spec, now);
  const next = nextFireTime(check.spec, now);
  if (slot === null || (due.lastFiredSlot !== null && slot.getTime() <= due.lastFiredSlot.getTime())) {
    await advanceSchedule(tx, due.id, next);
    return { kind: "advanced" };
  }
  // The same startRun as the API and inbound webhooks: an invalid workflow never runs.
  const actor: Actor = { organizationId: due.organizationId, id: `schedule:${due.id}`, kind: "system" };
  let started: Awaited<ReturnType<typeof startRun>>;
  try {
    started = await startRun({ db: deps.db, registry: deps.registry ?? connectorRegistry, runtime: { dispatch } }, actor, {
      workflow: due.workflow,
      input: due.input ?? undefined,
      idempotencyKey: scheduleRunKey(due.id, slot),
      trigger: "schedule",
    });
  } catch (error) {
    started = { ok: false, failure: { code: "run_not_started", message: dispatchErrorMessage(error) } };
    log.warn({ err: error }, "schedule dispatch threw");
  }
  if (started.ok) {
    const { run, created } = started.value;
    await recordScheduleFired(tx, due.id, { slot, firedAt: new Date(), runId: run.id, nextFireAt: next });
    log.info({ slot: slot.toISOString(), runId: run.id, created }, "schedule fired");
    return created ? { kind: "started", run: { scheduleId: due.id, runId: run.id, slot: slot.toISOString() } } : { kind: "advanced" };
  }
  const { code, message, ...rest } = started.failure;
  // A workflow that fails validation keeps its errors on the schedule, so its owner sees what to fix.
  const details = code === "workflow_invalid" ? { code, ...rest } : null;
  const failures = due.dispatchFailures + 1;
  const delayMs = dispatchRetryDelayMs(failures);
  const failedAt = new Date();
  // From whichever is later, the pass's clock or the failure (a dispatch can take a while to fail).
  const retryAt = delayMs > 0 ? new Date(Math.max(now.getTime(), failedAt.getTime()) + delayMs) : null;
  await recordDispatchFailure(tx, due.id, { message, details, failedAt, retryAt });
  log.warn({ code, reason: message, slot: slot.toISOString(), failures, retryAt: retryAt?.toISOString() ?? "next pass" }, "schedule dispatch failed; this slot is retried");
  return { kind: "failed" };
}
/**
 * Runs one pass: claims due schedules in batches until none are left (each schedule at most once
 * per pass) and fires them. Throws only when the database fails; a failed dispatch is reported in
 * `failed`, recorded on the schedule and retried by a later pass.
 */
export async function runTickerPass(deps: TickerDeps, options: TickerPassOptions = {}): Promise<TickerPassResult> {
  const batchSize = options.batchSize ?? 25;
  const dispatch: DispatchRun = options.dispatch ?? ((...args) => deps.runtime.dispatch(...args));
  const result: TickerPassResult = { started: [], failed: [], disabled: [] };
  const seen: string[] = [];
  for (;;) {
    const now = options.now ?? new Date();
    const claimed = await inTransaction(deps.sql, async (tx) => {
      const due = await claimDueSchedules(tx, { now, limit: batchSize, organizationId: options.organizationId, exclude: seen });
      // allSettled: every statement on `tx` must finish before the transaction ends.
      const settled = await Promise.allSettled(due.map((schedule) => fire(tx, deps, dispatch, schedule, now)));
      const broken = settled.find((s) => s.status === "rejected");
      if (broken) throw broken.reason;
      settled.forEach((s, i) => {
        const outcome = (s as PromiseFulfilledResult<Outcome>).value;
        const id = due[i].id;
        seen.push(id);
        if (outcome.kind === "started") result.started.push(outcome.run);
        else if (outcome.kind === "failed") result.failed.push(id);
        else if (outcome.kind === "disabled") result.disabled.push(id);
      });
      return due.length;
    });
    if (claimed < batchSize) return result;
  }
}
