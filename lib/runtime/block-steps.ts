/**
 * How each kind of block becomes durable steps inside the generic workflow fn:
 * - actions, logic and triggers: attempt 1 is the step named exactly the block id; a retry k is
 *   the step `<id>#<k>` after a durable backoff timer `<id>#<k>:backoff` (block `retry`);
 * - duration waits (a connector's `wait: { kind: "duration" }`): `<id>` opens the wait, timer
 *   `<id>:sleep`, `<id>:done` closes it;
 * - event waits (`wait: { kind: "event" }`): `<id>` takes a stored event or registers the wait,
 *   then rounds of `<id>:wait#<n>` (parked on the block's signal, at most one heartbeat) and
 *   `<id>:check#<n>`;
 * - children waits (`wait: { kind: "children" }`, call_workflow): the same shape of steps, in
 *   ./children-steps.ts.
 * Block ids never contain ":" or "#", so these names cannot collide with another block's.
 *
 * Timers are `waitForSignal` with a deadline on a signal nobody sends, not `step.sleep`: with a
 * sleep parked in one branch, openworkflow's pre-pass re-parks the run before a signal delivered
 * to another branch is read, and its signal reconciliation wakes it again at once — a busy loop
 * until the sleep ends. Signal waits are resolved by the workflow fn itself, so they don't.
 * Every "now" and deadline comes from a memoized step result, never from the workflow body.
 */
import type { OpenWorkflow } from "openworkflow";
import type { AnyConnector, ConnectorRegistry, ConnectorWait } from "@/lib/engine/connector";
import type { Block } from "@/lib/engine/model";
import { checkEventWait, closeWait, openDurationWait, takeEventOrWait, type EventWait, type StoredEvent } from "@/lib/store/events";
import { toJson } from "@/lib/engine/json";
import { redactSecrets } from "@/lib/engine/templates";
import { writeAttemptLog, type FinalRunWrite } from "@/lib/store/run-logs";
import { eventHeartbeatMs, maxAttempts, retryDelayMs } from "./backoff";
import {
  blockErrorFrom,
  InfrastructureError,
  resolveParams,
  runBlockAttempt,
  validateParams,
  withOperatorParams,
  type AttemptDeps,
  type AttemptResult,
  type AttemptSettlement,
  type BlockError,
  type RunScope,
} from "./block-attempt";
import { blockSignal } from "@/lib/store/channels";
import { STEP_INFRA_RETRY } from "./openworkflow";
import { runChildrenWait } from "./children-steps";

/** openworkflow's step API (not exported by name from the package). */
export type StepApi = Parameters<Parameters<OpenWorkflow["implementWorkflow"]>[1]>[0]["step"];

/** How a block ended, for the scheduler. `failed`: it failed and has no `error` edge.
 *  `finalWritten`: its last step already wrote the run's final status. */
export type BlockOutcome = (
  | { kind: "succeeded"; output: unknown; branch?: string }
  | { kind: "routed"; handle: "error" | "timeout"; output: unknown }
  | { kind: "failed"; error: BlockError }
) & { finalWritten?: FinalRunWrite["status"] };

export interface BlockRunContext {
  step: StepApi;
  scope: RunScope;
  deps: AttemptDeps & { registry: ConnectorRegistry; owSchema: string; stagePureStep?: (stepName: string) => void };
  /** True when the definition has an edge leaving `blockId` through `handle`. */
  hasHandle(blockId: string, handle: string): boolean;
  /** The run's final state if `block` ending with `outcome` ends the run (nothing else in flight or left to run). */
  finalIfLast(block: Block, outcome: BlockOutcome): FinalRunWrite | null;
  /** The blocks `block` ending with `outcome` makes ready, when nothing stops the pass first. */
  nextIfSettled(block: Block, outcome: BlockOutcome): string[];
}

const retryPolicy = STEP_INFRA_RETRY;

/** A failed block: routed to its `error` edge (output `{ error }` for `{{id.error.message}}`), else a run failure. */
export function failedOutcome(ctx: BlockRunContext, block: Block, error: BlockError): BlockOutcome {
  if (!ctx.hasHandle(block.id, "error")) return { kind: "failed", error };
  return { kind: "routed", handle: "error", output: { error: { message: error.message, ...(error.code ? { code: error.code } : {}) } } };
}

/** A durable timer: parks the run until `until` (epoch ms). */
async function timer(ctx: BlockRunContext, name: string, until: number): Promise<void> {
  await ctx.step.waitForSignal({ name, signal: blockSignal(ctx.scope.runId, name), timeout: new Date(until) });
}

/** Runs one block to its outcome: as the durable wait its connector declares, else as attempts of its `run`. */
export async function runBlock(ctx: BlockRunContext, block: Block): Promise<BlockOutcome> {
  const connector = ctx.deps.registry.get(block.type);
  const wait = connector?.wait as ConnectorWait<Record<string, unknown>> | undefined;
  if (connector && wait?.kind === "duration") return runDurationWait(ctx, block, connector, wait);
  if (connector && wait?.kind === "event") return runEventWait(ctx, block, connector, wait);
  if (connector && wait?.kind === "children") return runChildrenWait(ctx, block, connector, wait);
  return runAttempts(ctx, block, connector);
}

async function runAttempts(ctx: BlockRunContext, block: Block, connector: AnyConnector | undefined): Promise<BlockOutcome> {
  const attempts = maxAttempts(block.retry);
  const pure = connector?.pure === true;
  let last: AttemptResult | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (last && !last.ok) {
      const delay = retryDelayMs(block.retry, attempt);
      if (delay > 0) await timer(ctx, `${block.id}#${attempt}:backoff`, last.at + delay);
    }
    const name = attempt === 1 ? block.id : `${block.id}#${attempt}`;
    const outcomeOf = (result: AttemptResult): BlockOutcome | null => {
      if (result.ok) return { kind: "succeeded", output: result.output, ...(result.branch !== undefined ? { branch: result.branch } : {}) };
      return attempt === attempts ? failedOutcome(ctx, block, result.error) : null; // null: another attempt follows
    };
    const finalize = (result: AttemptResult): AttemptSettlement => {
      const outcome = outcomeOf(result);
      if (!outcome) return { final: null, settled: null };
      const final = ctx.finalIfLast(block, outcome);
      const settled = outcome.kind === "failed" ? null : { output: outcome.output };
      // The blocks that start next, whose first step is their attempt 1 (no durable wait): their
      // step attempts can be created with this one's completion (AttemptSettlement.next).
      const ready = final ? [] : ctx.nextIfSettled(block, outcome);
      const next = ready.filter((id) => startsWithAttempt(ctx, id));
      // Pure, and only pure blocks follow: the completion may wait for theirs (AttemptSettlement.defer).
      const defer = outcome.kind !== "failed" && pure && ready.length > 0 && ready.every((id) => isPureBlock(ctx, id));
      return { final, settled, next, defer };
    };
    if (attempt === 1 && pure) ctx.deps.stagePureStep?.(name);
    last = await ctx.step.run({ name, retryPolicy }, () => runBlockAttempt(block, connector, attempt, ctx.scope, ctx.deps, finalize));
    const outcome = outcomeOf(last);
    if (outcome) return last.final ? { ...outcome, finalWritten: last.final } : outcome;
  }
  throw new Error("unreachable: a block's last attempt always has an outcome");
}

/** Whether block `id`'s connector is pure (no side effect, ends at once: ConnectorDefinition.pure). */
function isPureBlock(ctx: BlockRunContext, id: string): boolean {
  const type = ctx.scope.definition.blocks.find((b) => b.id === id)?.type;
  return type !== undefined && ctx.deps.registry.get(type)?.pure === true;
}

/** Whether block `id`'s first step is `step.run({ name: id })` of runAttempts (its connector declares no wait). */
function startsWithAttempt(ctx: BlockRunContext, id: string): boolean {
  const type = ctx.scope.definition.blocks.find((b) => b.id === id)?.type;
  return type !== undefined && ctx.deps.registry.get(type)?.wait === undefined;
}

/** A wait block's first step failed before waiting (bad params): logged like any failed attempt. */
export async function logWaitFailure(ctx: BlockRunContext, block: Block, startedAt: Date, input: unknown, error: unknown): Promise<{ ok: false; error: BlockError }> {
  if (error instanceof InfrastructureError) throw error;
  const blockError = blockErrorFrom(error);
  await writeAttemptLog(ctx.deps.sql, {
    ...logBase(ctx, block),
    status: "failed",
    input: toJson(input),
    output: null,
    error: blockError,
    messages: [],
    startedAt,
    finishedAt: new Date(),
  }, null, settledOf(failedOutcome(ctx, block, blockError)));
  return { ok: false, error: blockError };
}

/** The output a block settled with, for the run's `output`; null when it fails the run. */
function settledOf(outcome: BlockOutcome): { output: unknown } | null {
  return outcome.kind === "failed" ? null : { output: outcome.output };
}

export function logBase(ctx: BlockRunContext, block: Block) {
  return { runId: ctx.scope.runId, organizationId: ctx.scope.organizationId, blockId: block.id, blockType: block.type, attempt: 1 };
}

/** A wait block's params, resolved and validated, and the copy to log (secret values redacted). */
async function waitParams(
  ctx: BlockRunContext,
  block: Block,
  connector: AnyConnector,
): Promise<{ params: Record<string, unknown>; logged: Record<string, unknown> }> {
  const { params, secretsUsed } = await resolveParams(block, connector, ctx.scope, ctx.deps);
  const logged = secretsUsed.length > 0 ? (redactSecrets(params, secretsUsed) as Record<string, unknown>) : params;
  return { params: validateParams(connector, withOperatorParams(connector, params, ctx.deps.operator)), logged };
}

/**
 * The opening of a wait block's first step: resolve and check its params (a failure is logged and
 * returned), then `open` registers the wait with them.
 */
export async function openWait<T>(
  ctx: BlockRunContext,
  block: Block,
  connector: AnyConnector,
  open: (resolved: { params: Record<string, unknown>; logged: Record<string, unknown> }, startedAt: Date) => Promise<T>,
): Promise<T | { ok: false; error: BlockError }> {
  const startedAt = new Date();
  let resolved;
  try {
    resolved = await waitParams(ctx, block, connector);
  } catch (error) {
    return logWaitFailure(ctx, block, startedAt, block.params, error);
  }
  return open(resolved, startedAt);
}

type DurationWait = Extract<ConnectorWait<Record<string, unknown>>, { kind: "duration" }>;
type EventWaitDeclaration = Extract<ConnectorWait<Record<string, unknown>>, { kind: "event" }>;

async function runDurationWait(ctx: BlockRunContext, block: Block, connector: AnyConnector, wait: DurationWait): Promise<BlockOutcome> {
  const { sql } = ctx.deps;
  const opened = await ctx.step.run({ name: block.id, retryPolicy }, () =>
    openWait(ctx, block, connector, async (resolved, startedAt) => {
      const seconds = wait.seconds(resolved.params);
      const until = startedAt.getTime() + seconds * 1000;
      const { runId, organizationId } = ctx.scope;
      await openDurationWait(sql, { runId, organizationId, blockId: block.id, until: new Date(until) });
      const input = resolved.logged;
      await writeAttemptLog(sql, { ...logBase(ctx, block), status: "waiting", input, output: null, error: null, messages: [], startedAt, finishedAt: null });
      return { ok: true as const, seconds, until, startedAt: startedAt.getTime(), input };
    }),
  );
  if (!opened.ok) return failedOutcome(ctx, block, opened.error);
  await timer(ctx, `${block.id}:sleep`, opened.until);
  const output = { waitedSeconds: opened.seconds };
  await ctx.step.run({ name: `${block.id}:done`, retryPolicy }, async () => {
    await closeWait(sql, ctx.scope.runId, block.id);
    await writeAttemptLog(sql, {
      ...logBase(ctx, block),
      status: "succeeded",
      input: opened.input,
      output,
      error: null,
      messages: [],
      startedAt: new Date(opened.startedAt),
      finishedAt: new Date(),
    }, null, { output });
    return null;
  });
  return { kind: "succeeded", output };
}

type EventCheck = { state: "received"; output: unknown } | { state: "timed_out" } | { state: "waiting"; now: number };

async function runEventWait(ctx: BlockRunContext, block: Block, connector: AnyConnector, declared: EventWaitDeclaration): Promise<BlockOutcome> {
  const { sql } = ctx.deps;
  const registered = await ctx.step.run({ name: block.id, retryPolicy }, () =>
    openWait(ctx, block, connector, async ({ params, logged }, startedAt) => {
      const match = declared.match(params);
      const timeoutMs = typeof match.timeoutSeconds === "number" ? match.timeoutSeconds * 1000 : null;
      const { runId, organizationId } = ctx.scope;
      const wait: EventWait = { runId, organizationId, blockId: block.id, event: match.event, key: match.key ?? null };
      const until = timeoutMs === null ? null : startedAt.getTime() + timeoutMs;
      const stored = await takeEventOrWait(sql, wait, until === null ? null : new Date(until));
      const base = { ok: true as const, wait, until, timeoutMs, startedAt: startedAt.getTime(), input: logged };
      if (stored) return { ...base, check: await recordEvent(ctx, block, base, stored) };
      await writeAttemptLog(sql, { ...logBase(ctx, block), status: "waiting", input: logged, output: null, error: null, messages: [], startedAt, finishedAt: null });
      return { ...base, check: { state: "waiting", now: startedAt.getTime() } as EventCheck };
    }),
  );
  if (!registered.ok) return failedOutcome(ctx, block, registered.error);
  let check: EventCheck = registered.check;
  const heartbeat = eventHeartbeatMs(registered.timeoutMs);
  for (let round = 1; check.state === "waiting"; round++) {
    const now = check.now;
    const remaining = registered.until === null ? Number.POSITIVE_INFINITY : registered.until - now;
    if (remaining > 0) {
      await ctx.step.waitForSignal({
        name: `${block.id}:wait#${round}`,
        signal: blockSignal(ctx.scope.runId, block.id),
        timeout: new Date(now + Math.min(remaining, heartbeat)),
      });
    }
    check = await ctx.step.run({ name: `${block.id}:check#${round}`, retryPolicy }, async (): Promise<EventCheck> => {
      const at = Date.now();
      const timedOut = registered.until !== null && at >= registered.until;
      const found = await checkEventWait(sql, registered.wait, timedOut);
      if (found === "waiting") return { state: "waiting", now: at };
      if (found === "timed_out") {
        await writeAttemptLog(sql, {
          ...logBase(ctx, block),
          status: "timed_out",
          input: registered.input,
          output: { timedOut: true },
          error: null,
          messages: [],
          startedAt: new Date(registered.startedAt),
          finishedAt: new Date(at),
        }, null, { output: { timedOut: true } });
        return { state: "timed_out" };
      }
      return recordEvent(ctx, block, registered, found);
    });
  }
  if (check.state === "timed_out") return { kind: "routed", handle: "timeout", output: { timedOut: true } };
  return { kind: "succeeded", output: check.output };
}

/** Logs the event a wait received and returns the block's output. */
async function recordEvent(
  ctx: BlockRunContext,
  block: Block,
  registered: { startedAt: number; input: unknown },
  event: StoredEvent,
): Promise<EventCheck> {
  const output = { event: event.event, data: toJson(event.data), receivedAt: event.receivedAt };
  await writeAttemptLog(ctx.deps.sql, {
    ...logBase(ctx, block),
    status: "succeeded",
    input: registered.input,
    output,
    error: null,
    messages: [{ level: "info", message: `received event ${event.id}`, at: new Date().toISOString() }],
    startedAt: new Date(registered.startedAt),
    finishedAt: new Date(),
  }, null, { output });
  return { state: "received", output };
}
