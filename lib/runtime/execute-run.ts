/**
 * The generic workflow fn: executes a pinned definition as dataflow over lib/engine/graph.ts.
 * Every ready block starts as soon as it is ready (independent branches run concurrently);
 * disabled blocks and blocks behind untaken branches are recorded as skipped.
 * When a block fails the run (or a step must be retried), nothing new starts, in-flight branches
 * settle, and the final status is written (or the error rethrown). When a branch parks in a wait,
 * the other branches keep going — an event that woke one branch must not wait for a sleeping
 * sibling — and once nothing can run, the earliest park is rethrown to openworkflow, never
 * swallowed (docs/openworkflow.md, "Control-flow errors").
 * When the worker is stopping (`deps.draining`), nothing new starts either: in-flight blocks
 * finish, and a run with blocks left throws RunHandedBack so the worker hands it to another one.
 */
import type { Logger } from "@/lib/log";
import { nextBlocks, type Settlement } from "@/lib/engine/graph";
import type { Block } from "@/lib/engine/model";
import { skipWrites, writeAttempts } from "@/lib/store/run-logs";
import { finishRun } from "@/lib/store/runs";
import type { BlockError } from "./block-attempt";
import { runBlock, type BlockOutcome, type BlockRunContext, type StepApi } from "./block-steps";
import { isParkError, isStaleBranchError, isStepLimitError, parkResumeAt, stepErrorInfo, type RunOutcome } from "./openworkflow";
import type { RunError } from "@/lib/resources/run";
import type { RunInput } from "./types";
import type { WorkerDeps } from "./worker-deps";

/** A control-flow error a branch threw (a park, a step retry), with the block it came from. */
interface BranchError {
  blockId: string;
  error: unknown;
}

/**
 * Thrown by a pass that stopped early because its worker is stopping: every block it started
 * has settled, and blocks are left for another worker (lib/runtime/worker.ts hands the run back).
 */
export class RunHandedBack extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was handed back: its worker is stopping`);
    this.name = "RunHandedBack";
  }
}

/** Executes (or replays) one pass of a run. Returns when the run is final; throws to park or retry. */
export async function executeRun(deps: WorkerDeps, input: RunInput, step: StepApi, log: Logger, signal: AbortSignal): Promise<RunOutcome> {
  const { definition, runId } = input;
  const blocks = new Map<string, Block>(definition.blocks.map((b) => [b.id, b]));
  const ids = definition.blocks.map((b) => b.id);
  const edges = definition.edges;
  const settled = new Map<string, Settlement>();
  const outputs = new Map<string, unknown>();
  const inflight = new Map<string, Promise<void>>();
  const branchErrors: BranchError[] = [];
  let failure: RunError | null = null;
  let finalWritten: "succeeded" | "failed" | null = null;

  const mayHaveChildren = definition.blocks.some((b) => deps.registry.get(b.type)?.wait?.kind === "children");
  const handles = new Set(edges.filter((e) => e.sourceHandle !== undefined).map((e) => `${e.source}\u0000${e.sourceHandle}`));
  const ctx: BlockRunContext = {
    step,
    scope: { runId, organizationId: input.organizationId, definition, input: input.input, outputs },
    deps: { ...deps, signal },
    hasHandle: (blockId, handle) => handles.has(`${blockId}\u0000${handle}`),
    finalIfLast: (block, outcome) => {
      // Only when this block is all that is left: nothing else in flight, parked or failed.
      if (failure !== null || branchErrors.length > 0 || inflight.size !== 1 || !inflight.has(block.id)) return null;
      if (outcome.kind === "failed") {
        // A failing run cancels its child runs after the pass (worker.ts) and before openworkflow
        // completes it, so a crash in between replays that: not folded when it may have children.
        if (mayHaveChildren) return null;
        return { status: "failed", output: Object.fromEntries(outputs), error: runErrorOf(block, outcome.error) };
      }
      const after = new Map(settled).set(block.id, settlementOf(outcome));
      const next = nextBlocks(ids, edges, after);
      if (next.ready.length > 0 || next.skip.length > 0) return null;
      return { status: "succeeded", output: Object.fromEntries([...outputs, [block.id, outcome.output]]), error: null };
    },
    nextIfSettled: (block, outcome) => {
      // What schedule() will start once this block settles, when nothing stops the pass first:
      // their first steps can be created with this block's completion (block-steps.ts).
      if (outcome.kind === "failed" || failure !== null || branchErrors.length > 0 || draining()) return [];
      const after = new Map(settled).set(block.id, settlementOf(outcome));
      const ready = nextBlocks(ids, edges, after, new Set(inflight.keys())).ready;
      return ready.filter((id) => !everStarted.has(id) && blocks.get(id)?.enabled !== false);
    },
  };

  const settle = (block: Block, outcome: BlockOutcome): void => {
    if (outcome.finalWritten) finalWritten = outcome.finalWritten;
    if (outcome.kind === "failed") {
      failure ??= runErrorOf(block, outcome.error);
      log.warn({ blockId: block.id, error: outcome.error }, "block failed; the run fails");
      return;
    }
    outputs.set(block.id, outcome.output);
    settled.set(block.id, settlementOf(outcome));
  };

  const everStarted = new Set<string>();
  const start = (block: Block): void => {
    // A second start would reuse the block's step name, which openworkflow silently renames.
    if (everStarted.has(block.id)) throw new Error(`block ${block.id} was scheduled twice in one pass`);
    everStarted.add(block.id);
    // Started on a microtask so the task is in `inflight` before it can remove itself.
    const task = Promise.resolve()
      .then(() => runBlock(ctx, block))
      .then(
        (outcome) => settle(block, outcome),
        (error: unknown) => void branchErrors.push({ blockId: block.id, error }),
      )
      .finally(() => inflight.delete(block.id));
    inflight.set(block.id, task);
  };

  /** Records every skip (cascading), then starts every ready, enabled block. */
  const schedule = async (): Promise<void> => {
    const skips: { blockId: string; blockType: string; reason: string }[] = [];
    let ready: string[];
    for (;;) {
      // Parked (or otherwise stopped) branches are neither settled nor in flight: never restart them.
      const started = new Set([...inflight.keys(), ...branchErrors.map((e) => e.blockId)]);
      const next = nextBlocks(ids, edges, settled, started);
      const round = [
        ...next.skip.map((id) => ({ id, reason: "skipped: no incoming edge was taken" })),
        ...next.ready.filter((id) => blocks.get(id)?.enabled === false).map((id) => ({ id, reason: "skipped: the block is disabled" })),
      ];
      ready = next.ready.filter((id) => blocks.get(id)?.enabled !== false);
      if (round.length === 0) break;
      for (const { id, reason } of round) {
        settled.set(id, { kind: "skipped" });
        skips.push({ blockId: id, blockType: blocks.get(id)?.type ?? "unknown", reason });
      }
    }
    // After the entries of deferred completions, if any: the run's log stays in the order blocks settled.
    const skipped = skipWrites({ runId, organizationId: input.organizationId }, skips);
    if (skipped.length > 0 && !deps.deferSkips?.(skipped)) await writeAttempts(deps.sql, skipped);
    for (const id of ready) start(blocks.get(id) as Block);
  };

  // A park only stops its own branch; anything else stops the pass.
  const halted = () => failure !== null || branchErrors.some((e) => !isParkError(e.error) || isStaleBranchError(e.error));
  const draining = () => deps.draining?.() === true;
  try {
    for (;;) {
      if (!halted() && !draining()) await schedule();
      if (inflight.size === 0) break;
      await Promise.race(inflight.values());
    }
  } catch (error) {
    // Only schedule() can throw here (the skip write): let in-flight branches settle first.
    await Promise.allSettled(inflight.values());
    throw error;
  }
  // Stopped early for a worker shutdown: blocks are left (ready, or to be recorded as skipped).
  const next = nextBlocks(ids, edges, settled, new Set(branchErrors.map((e) => e.blockId)));
  const left = draining() && !halted() && (next.ready.length > 0 || next.skip.length > 0);
  return conclude(deps, input, { outputs, failure, branchErrors, finalWritten, left }, log);
}

function runErrorOf(block: Block, error: BlockError): RunError {
  return { message: error.message, blockId: block.id, ...(error.code ? { code: error.code } : {}) };
}

function settlementOf(outcome: Exclude<BlockOutcome, { kind: "failed" }>): Settlement {
  return outcome.kind === "succeeded" ? { kind: "succeeded", branch: outcome.branch } : { kind: "routed", handle: outcome.handle };
}

/** Writes the final status, or rethrows what openworkflow must see (a park, a step retry). */
async function conclude(
  deps: WorkerDeps,
  input: RunInput,
  state: {
    outputs: Map<string, unknown>;
    failure: RunError | null;
    branchErrors: BranchError[];
    finalWritten: "succeeded" | "failed" | null;
    /** The worker is stopping and blocks are left: hand the run back. */
    left: boolean;
  },
  log: Logger,
): Promise<RunOutcome> {
  // Deferred completions are written before anything that ends or parks the pass (a block that
  // fails next to them, a hand-back): the entries come before the run's final status.
  await deps.flushDeferred?.();
  const output = Object.fromEntries(state.outputs);
  const fail = async (error: RunError): Promise<RunOutcome> => {
    // The last block's log write may already have written this (see finalIfLast).
    if (state.finalWritten !== "failed") await finishRun(deps.sql, input.runId, { status: "failed", output, error });
    log.info({ error }, "run failed");
    return { status: "failed" };
  };
  const errors = state.branchErrors;
  const stale = errors.find((e) => isStaleBranchError(e.error));
  if (stale) throw stale.error; // this pass lost the run: write nothing
  if (state.failure) return fail(state.failure); // a failed block outranks a parked branch: the run is over
  const limit = errors.find((e) => isStepLimitError(e.error));
  if (limit) {
    await fail({ message: "The run exceeded openworkflow's limit of 1000 step attempts.", blockId: limit.blockId, code: "step_limit" });
    throw limit.error;
  }
  const stepError = errors.find((e) => stepErrorInfo(e.error) !== null);
  if (stepError) {
    const info = stepErrorInfo(stepError.error) as { exhausted: boolean; message: string };
    // Retries left: openworkflow reschedules and replays. None: it fails the run for good, so do we.
    if (info.exhausted) {
      await fail({ message: `The runtime could not record this block: ${info.message}`, blockId: stepError.blockId, code: "internal_error" });
    }
    throw stepError.error;
  }
  // Before parks: a branch parked for an hour must not hold back the blocks left to run now.
  if (state.left) throw new RunHandedBack(input.runId);
  const parks = errors.filter((e) => isParkError(e.error));
  if (parks.length > 0) {
    // Several branches parked: resume at the earliest of their wake-ups.
    throw parks.reduce((a, b) => (parkResumeAt(b.error) < parkResumeAt(a.error) ? b : a)).error;
  }
  if (errors.length > 0) throw errors[0].error; // unexpected (the database): openworkflow retries the pass
  if (state.finalWritten !== "succeeded") await finishRun(deps.sql, input.runId, { status: "succeeded", output, error: null });
  log.info("run succeeded");
  return { status: "succeeded" };
}
