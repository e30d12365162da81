/**
 * A children wait (a connector's `wait: { kind: "children" }`, call_workflow) as durable steps
 * (docs/runs.md, "Child runs"):
 * - `<id>` pins the called workflow (its current version and definition, validated), checks the
 *   depth limit, registers the wait and starts the first `concurrency` children;
 * - then rounds of `<id>:wait#<n>` (parked on the block's signal, at most one heartbeat) and
 *   `<id>:check#<n>`, which re-reads every child's status from the database, starts the next
 *   children as earlier ones finish (a sliding window), and settles the block once every child
 *   it will wait for has finished.
 * A child is keyed by (run, block, item index), so a step that runs again after a crash finds the
 * children it already started instead of starting them twice. A finished or canceled child
 * signals the block; the signal is never trusted alone: the check reads the statuses.
 * The run holds no worker slot while parked.
 */
import type { AnyConnector, ChildCalls, ConnectorWait } from "@/lib/engine/connector";
import { findJsonProblem } from "@/lib/engine/json-limits";
import { toJson } from "@/lib/engine/json";
import type { Block, WorkflowDefinition } from "@/lib/engine/model";
import { validateDefinition } from "@/lib/engine/validate";
import { workflowReferences } from "@/lib/engine/validate-workflow-references";
import type { RunError } from "@/lib/resources/run";
import { blockSignal, RUNS_CHANNEL } from "@/lib/store/channels";
import { insertChildRun, openChildrenWait, readChildRuns, recordChildrenCheck, runDepth, type ChildRunState } from "@/lib/store/child-runs";
import { closeWait } from "@/lib/store/events";
import { writeAttemptLog } from "@/lib/store/run-logs";
import { newRunId } from "@/lib/store/runs";
import { findWorkflowDirectory, getWorkflow } from "@/lib/store/workflows";
import { childrenHeartbeatMs } from "./backoff";
import { BlockFailure, InfrastructureError, type BlockError } from "./block-attempt";
import { failedOutcome, logBase, logWaitFailure, openWait, type BlockOutcome, type BlockRunContext } from "./block-steps";
import { STEP_INFRA_RETRY, weftRunEnqueue } from "./openworkflow";

/** The deepest a chain of call_workflow calls may go: a run this many calls deep starts no child. */
export const MAX_CALL_DEPTH = 8;

type ChildrenWait = Extract<ConnectorWait<Record<string, unknown>>, { kind: "children" }>;

/** What the block pinned when it started (memoized in its first step): the same for every child. */
interface PinnedCall {
  workflowId: string;
  workflowVersion: number;
  definition: WorkflowDefinition;
  inputs: unknown[];
  fanOut: boolean;
  concurrency: number;
}

interface OpenedCall {
  call: PinnedCall;
  startedAt: number;
  /** The block's params as resolved, for its log entry. */
  input: unknown;
}

/** One child in the block's output. */
interface ChildResult {
  runId: string | null;
  status: ChildRunState["status"] | "not_started";
  output: Record<string, unknown> | null;
  error: RunError | null;
}

type ChildrenCheck =
  | { state: "waiting"; now: number }
  | { state: "succeeded"; output: unknown }
  | { state: "failed"; error: BlockError; output: unknown };

/** Runs a children wait to its outcome (see the file comment for its steps). */
export async function runChildrenWait(ctx: BlockRunContext, block: Block, connector: AnyConnector, declared: ChildrenWait): Promise<BlockOutcome> {
  const opened = await ctx.step.run({ name: block.id, retryPolicy: STEP_INFRA_RETRY }, () =>
    openWait(ctx, block, connector, async (resolved, startedAt) => {
      let call: PinnedCall;
      try {
        call = await pinCall(ctx, declared.calls(resolved.params));
      } catch (error) {
        return logWaitFailure(ctx, block, startedAt, resolved.logged, error);
      }
      const { runId, organizationId } = ctx.scope;
      await openChildrenWait(ctx.deps.sql, { runId, organizationId, blockId: block.id });
      await writeAttemptLog(ctx.deps.sql, { ...logBase(ctx, block), status: "waiting", input: resolved.logged, output: null, error: null, messages: [], startedAt, finishedAt: null });
      const base: OpenedCall = { call, startedAt: startedAt.getTime(), input: resolved.logged };
      return { ok: true as const, ...base, check: await advance(ctx, block, base) };
    }),
  );
  if (!opened.ok) return failedOutcome(ctx, block, opened.error);
  let check: ChildrenCheck = opened.check;
  for (let round = 1; check.state === "waiting"; round++) {
    const now = check.now;
    await ctx.step.waitForSignal({
      name: `${block.id}:wait#${round}`,
      signal: blockSignal(ctx.scope.runId, block.id),
      timeout: new Date(now + childrenHeartbeatMs(now - opened.startedAt)),
    });
    check = await ctx.step.run({ name: `${block.id}:check#${round}`, retryPolicy: STEP_INFRA_RETRY }, () => advance(ctx, block, opened));
  }
  if (check.state === "succeeded") return { kind: "succeeded", output: check.output };
  if (ctx.hasHandle(block.id, "error")) return { kind: "routed", handle: "error", output: check.output };
  return { kind: "failed", error: check.error };
}

/** The database failed under a step: rethrown so openworkflow retries the step (never a block failure). */
async function infra<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new InfrastructureError(error);
  }
}

/** Checks what `calls` asks for and pins the workflow's current version; a BlockFailure says why it cannot run. */
async function pinCall(ctx: BlockRunContext, calls: ChildCalls): Promise<PinnedCall> {
  const { sql, db, registry } = ctx.deps;
  const { runId, organizationId } = ctx.scope;
  const depth = await infra(() => runDepth(sql, runId));
  if (depth >= MAX_CALL_DEPTH) {
    throw new BlockFailure(
      "depth_limit",
      `This run is already ${depth} call_workflow calls deep, the most allowed (${MAX_CALL_DEPTH}), so it cannot start another child run. A workflow that calls itself needs a condition that stops the recursion.`,
    );
  }
  const workflow = await infra(() => getWorkflow(db, organizationId, calls.workflowId));
  if (!workflow) {
    throw new BlockFailure(
      "workflow_not_found",
      `No workflow "${calls.workflowId}" in this organization (it does not exist, was deleted, or belongs to another organization). Set workflow_id to the id of one of this organization's workflows (GET /api/workflows).`,
    );
  }
  if (workflow.definition.blocks.length === 0) {
    throw new BlockFailure("workflow_empty", `Workflow ${workflow.id} ("${workflow.name}") has no blocks yet, so there is nothing to run. Add a trigger and blocks to it first.`);
  }
  const refs = workflowReferences(workflow.definition, registry).map((ref) => ref.workflowId);
  const workflows = refs.length > 0 ? await infra(() => findWorkflowDirectory(db, organizationId, refs)) : undefined;
  const errors = validateDefinition(workflow.definition, registry, { workflows });
  if (errors.length > 0) {
    const first = errors[0];
    throw new BlockFailure(
      "workflow_invalid",
      `Workflow ${workflow.id} ("${workflow.name}", version ${workflow.version}) has ${errors.length} validation error(s), so it cannot run; the first${first.block_id ? ` (block ${first.block_id})` : ""}: ${first.error}. Fix it (POST /api/workflows/${workflow.id}/operations), then run this workflow again.`,
    );
  }
  const inputs = calls.inputs.map((input) => toJson(input ?? {}));
  inputs.forEach((input, index) => {
    const problem = findJsonProblem(input);
    if (problem) throw new BlockFailure("invalid_param", `The input of child ${index} cannot be stored: ${problem.path.map(String).join(".") || "input"}: ${problem.message}`);
  });
  return {
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    definition: workflow.definition,
    inputs,
    fanOut: calls.fanOut,
    concurrency: Math.max(1, calls.concurrency),
  };
}

/**
 * One look at the children, inside a step: settles the block when every child it waits for has
 * finished (all succeeded; or one failed or was canceled and none is still going), else starts the
 * next children the window allows (none once a child failed) and records what it saw.
 */
async function advance(ctx: BlockRunContext, block: Block, opened: OpenedCall): Promise<ChildrenCheck> {
  const { sql } = ctx.deps;
  const { runId } = ctx.scope;
  const { call } = opened;
  const children = await readChildRuns(sql, runId, block.id);
  const inFlight = children.filter((c) => c.status === "queued" || c.status === "running").length;
  const unsuccessful = children.some((c) => c.status === "failed" || c.status === "canceled");
  if (inFlight === 0 && (unsuccessful || children.length === call.inputs.length)) return settle(ctx, block, opened, children);
  if (!unsuccessful) {
    const started = new Set(children.map((c) => c.itemIndex));
    let free = call.concurrency - inFlight;
    for (let index = 0; index < call.inputs.length && free > 0; index++) {
      if (started.has(index)) continue;
      await startChild(ctx, block, call, index);
      free--;
    }
  }
  await recordChildrenCheck(sql, runId, block.id, children.length - inFlight);
  return { state: "waiting", now: Date.now() };
}

/** Stores and enqueues child `index` (nothing when it exists already, or when this run was canceled meanwhile). */
async function startChild(ctx: BlockRunContext, block: Block, call: PinnedCall, index: number): Promise<void> {
  const { runId, organizationId } = ctx.scope;
  const id = newRunId();
  const input = call.inputs[index];
  await insertChildRun(ctx.deps.sql, {
    id,
    organizationId,
    parentRunId: runId,
    parentBlockId: block.id,
    itemIndex: index,
    workflowId: call.workflowId,
    workflowVersion: call.workflowVersion,
    definition: call.definition,
    input,
    queue: weftRunEnqueue({ runId: id, organizationId, definition: call.definition, input, parent: { runId, blockId: block.id } }, ctx.deps.owSchema),
    notify: RUNS_CHANNEL,
  });
}

/** The block's outcome from its children's final statuses: closes the wait and writes the block's log entry. */
async function settle(ctx: BlockRunContext, block: Block, opened: OpenedCall, children: ChildRunState[]): Promise<ChildrenCheck> {
  const { call } = opened;
  const byIndex = new Map(children.map((c) => [c.itemIndex, c]));
  const results: ChildResult[] = call.inputs.map((_, index) => {
    const child = byIndex.get(index);
    return child
      ? { runId: child.runId, status: child.status, output: child.output, error: child.error }
      : { runId: null, status: "not_started", output: null, error: null };
  });
  const error = childrenError(call, results);
  const base = { ...logBase(ctx, block), input: opened.input, messages: [], startedAt: new Date(opened.startedAt), finishedAt: new Date() };
  await closeWait(ctx.deps.sql, ctx.scope.runId, block.id);
  if (!error) {
    const output = call.fanOut ? { results } : { runId: results[0].runId, status: results[0].status, output: results[0].output };
    await writeAttemptLog(ctx.deps.sql, { ...base, status: "succeeded", output, error: null }, null, { output });
    return { state: "succeeded", output };
  }
  const shown = { message: error.message, code: error.code };
  const output = call.fanOut ? { error: shown, results } : { error: shown, runId: results[0].runId, status: results[0].status, output: results[0].output };
  const routed = ctx.hasHandle(block.id, "error");
  await writeAttemptLog(ctx.deps.sql, { ...base, status: "failed", output: routed ? output : null, error: { ...error, results } }, null, routed ? { output } : null);
  return { state: "failed", error, output };
}

/** Why the block fails (a child failed or was canceled), or null when every child succeeded. */
function childrenError(call: PinnedCall, results: ChildResult[]): BlockError | null {
  const bad = results.map((r, index) => ({ ...r, index })).filter((r) => r.status === "failed" || r.status === "canceled");
  if (bad.length === 0) return null;
  const code = bad.some((r) => r.status === "failed") ? "child_failed" : "child_canceled";
  const first = bad.find((r) => r.status === "failed") ?? bad[0];
  const why =
    first.status === "failed"
      ? `failed${first.error ? `: ${first.error.message}${first.error.blockId ? ` (its block ${first.error.blockId}${first.error.code ? `, code ${first.error.code}` : ""})` : ""}` : ""}`
      : "was canceled";
  const read = `Read it with GET /api/runs/${first.runId} and its logs.`;
  if (!call.fanOut) return { code, message: `The child run ${first.runId} of workflow ${call.workflowId} ${why}. ${read}` };
  const count = (status: ChildResult["status"]) => results.filter((r) => r.status === status).length;
  return {
    code,
    message:
      `${bad.length} of ${results.length} child runs of workflow ${call.workflowId} did not succeed; item ${first.index} (run ${first.runId}) ${why}. ` +
      `${count("succeeded")} succeeded, ${count("failed")} failed, ${count("canceled")} were canceled, ${count("not_started")} were not started (results has every item's status). ${read}`,
  };
}
