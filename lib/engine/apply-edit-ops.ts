/**
 * `applyEditOps`: the heart of the patch endpoint (docs/patch-endpoint.md). Ops apply in order to a copy; a
 * bad op is skipped with a stable reason code and a hint, the rest still apply, and the result is
 * validated as a whole. Pure: no I/O, never throws for bad input, never mutates its input.
 */
import type { ConnectorRegistry } from "./connector";
import type { WorkflowDefinition } from "./model";
import type { DroppedKeys, EditActor, EditOp, SkippedItem, ValidationError } from "./ops";
import { definitionsEqual, WorkflowDraft } from "./edit-ops-draft";
import { parseEditOp, type ParsedEditOp } from "./edit-ops-parse";
import { applyAdd, applyRemove, applySetVariables, applyUpdate, type OpContext, type OpOutcome } from "./edit-ops-blocks";
import { applyConnect, applyDisconnect, shouldDeferConnect } from "./edit-ops-edges";
import { summarizeEditOps } from "./edit-ops-summary";
import { validateDefinition } from "./validate";
import type { WorkflowDirectory } from "./validate-workflow-references";

export interface ApplyEditOpsOptions {
  actor: EditActor;
  dryRun?: boolean;
  atomic?: boolean;
  currentVersion?: number;
  /** The organization's workflows the result names (see `validateDefinition`'s context). */
  workflows?: WorkflowDirectory;
}

export interface ApplyEditOpsResult {
  /** The resulting definition; it shares unchanged blocks with the input, so treat both as immutable. */
  definition: WorkflowDefinition;
  /** The definition differs from the input. */
  changed: boolean;
  /** changed && !dryRun && !(atomic && skipped.length > 0): the caller saves iff true. */
  commit: boolean;
  /** No skipped ops and no validation errors. */
  ok: boolean;
  /** The ops that took effect, in the order they did, normalized (canonical names, dropped keys removed). */
  applied: EditOp[];
  skipped: SkippedItem[];
  validationErrors: ValidationError[];
  droppedKeys: DroppedKeys[];
  /** A few lines joined by "\n" that an LLM can read. */
  summary: string;
}

/** For each block id some `add` op names, the index of the last such op. */
function lastAddIndexes(ops: readonly unknown[]): Map<string, number> {
  const result = new Map<string, number>();
  ops.forEach((op, index) => {
    if (op !== null && typeof op === "object" && !Array.isArray(op)) {
      const { operation_type, block_id } = op as Record<string, unknown>;
      if (operation_type === "add" && typeof block_id === "string") result.set(block_id, index);
    }
  });
  return result;
}

function runOp(op: ParsedEditOp, raw: Record<string, unknown>, index: number, ctx: OpContext): OpOutcome {
  switch (op.operation_type) {
    case "add":
      return applyAdd(op, raw, ctx);
    case "update":
      return applyUpdate(op, raw, index, ctx);
    case "remove":
      return applyRemove(op, index, ctx);
    case "connect":
      return applyConnect(op, index, ctx);
    case "disconnect":
      return applyDisconnect(op, index, ctx);
    case "set_variables":
      return applySetVariables(raw, ctx);
  }
}

/** unknown_param errors of blocks still present, merged into the validation errors in block order. */
function mergeUnknownParams(result: WorkflowDefinition, unknown: OpContext["unknownParams"], errors: ValidationError[]): ValidationError[] {
  if (unknown.size === 0) return errors;
  const position = new Map<string, number>();
  result.blocks.forEach((block, i) => position.set(block.id, i));
  const rank = (e: ValidationError) =>
    e.block_id === null || e.code === "multiple_triggers" ? Infinity : (position.get(e.block_id) ?? Infinity);
  const extra: ValidationError[] = [];
  for (const [blockId, byField] of unknown) if (position.has(blockId)) extra.push(...byField.values());
  // Stable sort: for one block, dropped params come first, then what validateDefinition found.
  return [...extra, ...errors].map((e, i) => ({ e, i, r: rank(e) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.e);
}

/** Applies ops in order to a copy; bad ops are skipped with a reason and a hint, never thrown. */
export function applyEditOps(
  definition: WorkflowDefinition,
  ops: readonly unknown[],
  registry: ConnectorRegistry,
  options: ApplyEditOpsOptions,
): ApplyEditOpsResult {
  const draft = new WorkflowDraft(definition);
  const ctx: OpContext = { draft, registry, actor: options.actor, lastAddIndex: lastAddIndexes(ops), unknownParams: new Map(), skippedAdds: new Map() };
  const applied: EditOp[] = [];
  const skipped: SkippedItem[] = [];
  const dropped = new Map<number, string[]>();
  const targets = new Map<number, string>();
  const deferred: { op: ParsedEditOp; raw: Record<string, unknown>; index: number }[] = [];

  const settle = (op: ParsedEditOp, index: number, outcome: OpOutcome) => {
    if ("skip" in outcome) {
      const { code, reason, hint, details } = outcome.skip;
      const blockId = "block_id" in op ? op.block_id : null;
      const item: SkippedItem = { index, operation_type: op.operation_type, block_id: blockId, reason_code: code, reason, hint };
      if (details) item.details = details;
      skipped.push(item);
      if (op.operation_type === "add" && ctx.lastAddIndex.get(op.block_id) === index) ctx.skippedAdds.set(op.block_id, { index, code });
      return;
    }
    applied.push(outcome.applied);
    if (outcome.dropped) dropped.set(index, [...(dropped.get(index) ?? []), ...outcome.dropped]);
  };

  for (let index = 0; index < ops.length; index++) {
    const parsed = parseEditOp(ops[index]);
    if (!parsed.ok) {
      const { operation_type, block_id, reason, hint, details } = parsed.problem;
      skipped.push({ index, operation_type, block_id, reason_code: "invalid_op", reason, hint, ...(details && { details }) });
      if (operation_type === "add" && block_id !== null && ctx.lastAddIndex.get(block_id) === index) ctx.skippedAdds.set(block_id, { index, code: "invalid_op" });
      continue;
    }
    const { op, raw } = parsed;
    if (parsed.dropped.length > 0) dropped.set(index, parsed.dropped);
    if (op.operation_type === "connect" || op.operation_type === "disconnect") targets.set(index, op.target_block_id);
    if (op.operation_type === "connect" && shouldDeferConnect(op, index, ctx)) {
      deferred.push({ op, raw, index });
      continue;
    }
    settle(op, index, runOp(op, raw, index, ctx));
  }
  // Deferred connects run last, in their original order; if still bad they skip as usual.
  for (const { op, raw, index } of deferred) settle(op, index, runOp(op, raw, ops.length, ctx));
  skipped.sort((a, b) => a.index - b.index);

  const result = draft.result();
  const changed = !definitionsEqual(definition, result);
  const validationErrors = mergeUnknownParams(result, ctx.unknownParams, validateDefinition(result, registry, { workflows: options.workflows }));
  const dryRun = options.dryRun === true;
  const atomic = options.atomic === true;
  const commit = changed && !dryRun && !(atomic && skipped.length > 0);
  const droppedKeys: DroppedKeys[] = [...dropped.entries()].sort((a, b) => a[0] - b[0]).map(([index, keys]) => ({ index, keys }));
  const summary = summarizeEditOps({
    opCount: ops.length,
    appliedCount: applied.length,
    skipped,
    targets,
    droppedKeys,
    validationErrors,
    changed,
    commit,
    dryRun,
    atomic,
    currentVersion: options.currentVersion,
    blockCount: result.blocks.length,
    edgeCount: result.edges.length,
  });
  return {
    definition: result,
    changed,
    commit,
    ok: skipped.length === 0 && validationErrors.length === 0,
    applied,
    skipped,
    validationErrors,
    droppedKeys,
    summary,
  };
}
