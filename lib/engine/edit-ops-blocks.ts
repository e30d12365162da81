/**
 * The block and variable ops of the patch endpoint: `add`, `update`, `remove`, `set_variables`.
 * Each returns the normalized op it applied, or why it was skipped (never throws).
 */
import { blockHandles, type ConnectorRegistry } from "./connector";
import { BLOCK_ID_PATTERN, FORBIDDEN_KEYS, cloneJson, isPlainObject, isValidBlockId, setOwn, type Block } from "./model";
import { MAX_DETAIL_LIST, type AddOp, type EditActor, type EditOp, type RemoveOp, type SetVariablesOp, type SkipCode, type SkipDetails, type UpdateOp, type ValidationError } from "./ops";
import { MAX_VALUE_DEPTH, checkParamKeys, secretOnlyProblem, tooDeepKey, unknownParamError } from "./edit-ops-params";
import { jsonEqual, type WorkflowDraft } from "./edit-ops-draft";
import { freeBlockId, listNames, nearestFirst, nearestNames, shortText, suggestBlockId } from "./edit-ops-hints";

/** What every op handler can read and record. */
export interface OpContext {
  draft: WorkflowDraft;
  registry: ConnectorRegistry;
  actor: EditActor;
  /** For each block id added somewhere in the batch, the index of the last op adding it. */
  lastAddIndex: ReadonlyMap<string, number>;
  /** unknown_param errors by block id, then param name; cleared when the block goes away. */
  unknownParams: Map<string, Map<string, ValidationError>>;
  /** Adds of this batch that were skipped, by block id: later ops naming the block say so. */
  skippedAdds: Map<string, { index: number; code: SkipCode }>;
}

export interface OpSkip {
  code: SkipCode;
  reason: string;
  hint: string;
  details?: SkipDetails;
}

export type OpOutcome = { skip: OpSkip } | { applied: EditOp; dropped?: string[] };

/** A skip outcome. */
export function skip(code: SkipCode, reason: string, hint: string, details?: SkipDetails): OpOutcome {
  return { skip: details ? { code, reason, hint, details } : { code, reason, hint } };
}

/**
 * Why a block an op names is missing, and how to get it: the add later in this batch, the add of
 * this batch that was skipped, or the nearest ids of the workflow. `index` is the op's position
 * (past the end for a connect that waited for the end of the batch).
 */
export function missingBlockFix(id: string, index: number, ctx: OpContext): { hint: string; details: SkipDetails } {
  const ids = ctx.draft.ids();
  const closest = nearestNames(id, ids, 5);
  const details: SkipDetails = { existing_block_ids: ids.slice(0, MAX_DETAIL_LIST), closest };
  const shown = `"${shortText(id)}"`;
  const later = ctx.lastAddIndex.get(id);
  if (later !== undefined && later > index) {
    details.add_op = { index: later };
    return { hint: `${shown} is added by op ${later}, later in this batch; move this op after it`, details };
  }
  const skipped = ctx.skippedAdds.get(id);
  if (skipped) {
    details.add_op = { index: skipped.index, reason_code: skipped.code };
    return {
      hint: `${shown} would have been added by op ${skipped.index}, which was skipped (${skipped.code}); fix that op and send both again in one batch (a connect waits for an add later in its batch)`,
      details,
    };
  }
  if (later !== undefined) {
    details.add_op = { index: later };
    return { hint: `op ${later} added ${shown} but a later op of this batch removed it; add it again first`, details };
  }
  const guess = closest.length > 0 ? `did you mean ${closest.map((n) => `"${n}"`).join(" or ")}? ` : `add ${shown} first (an add earlier in the same batch is enough); `;
  return { hint: `${guess}blocks in the workflow: ${listNames(ids)}`, details };
}

/** The skip for an op naming a block that is not in the workflow. */
export function blockNotFound(id: string, index: number, ctx: OpContext, role = "block"): OpOutcome {
  const { hint, details } = missingBlockFix(id, index, ctx);
  return skip("block_not_found", `${role} "${shortText(id)}" does not exist`, hint, details);
}

function invalidIdReason(id: string): string {
  const shown = `"${shortText(id)}"`;
  if (FORBIDDEN_KEYS.has(id)) return `${shown} is a reserved name and never accepted as a block id`;
  if (id.length > 64) return `block id is ${id.length} characters long; at most 64 are allowed`;
  if (!/^[A-Za-z]/.test(id)) return `${shown} is not a valid block id: it must start with an ASCII letter`;
  return `${shown} is not a valid block id: only ASCII letters, digits, _ and - are allowed`;
}

function recordUnknown(ctx: OpContext, block: Block, keys: readonly string[], params: Record<string, unknown>): void {
  if (keys.length === 0) return;
  let byField = ctx.unknownParams.get(block.id);
  if (!byField) ctx.unknownParams.set(block.id, (byField = new Map()));
  const connector = ctx.registry.get(block.type);
  for (const key of keys) byField.set(key, unknownParamError(block.id, connector, block.type, key, cloneJson(params[key])));
}

/** The invalid_op skip for a value nested too deeply to store, or null. */
function depthProblem(values: Record<string, unknown>, where: "params" | "variables"): OpOutcome | null {
  const key = tooDeepKey(values);
  if (key === undefined) return null;
  return skip("invalid_op", `${where}.${shortText(key)} is nested more than ${MAX_VALUE_DEPTH} levels deep`, `send a flatter value for ${where}.${shortText(key)}`);
}

function rawRecord(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}

/** `add`: a new block with a valid, free id and a registered type. */
export function applyAdd(op: AddOp, raw: Record<string, unknown>, ctx: OpContext): OpOutcome {
  const id = op.block_id;
  const taken = (candidate: string) => ctx.draft.has(candidate);
  if (!isValidBlockId(id)) {
    const suggestion = suggestBlockId(id, taken);
    return skip(
      "invalid_block_id",
      invalidIdReason(id),
      `use an id matching ${BLOCK_ID_PATTERN.source} (a letter, then up to 63 letters, digits, _ or -), not __proto__, constructor or prototype; e.g. "${suggestion}"`,
      { pattern: BLOCK_ID_PATTERN.source, suggestion },
    );
  }
  const existing = ctx.draft.get(id);
  if (existing) {
    const suggestion = freeBlockId(id, taken);
    return skip(
      "block_already_exists",
      `a block "${id}" (${existing.type}) already exists`,
      `use {"operation_type":"update","block_id":"${id}",…} to change it, or add the new block under a free id such as "${suggestion}"`,
      { existing_type: existing.type, suggestion },
    );
  }
  const connector = ctx.registry.get(op.type);
  if (!connector) {
    const types = nearestFirst(op.type, ctx.registry.types());
    const closest = nearestNames(op.type, types, 3);
    const guess = closest.length > 0 ? `did you mean ${closest.map((t) => `"${t}"`).join(" or ")}? ` : "";
    return skip(
      "block_type_not_registered",
      `no connector has type "${shortText(op.type)}"`,
      `${guess}use a registered type: ${listNames(types, 50)} (GET /api/connectors?detail=summary lists each with its params)`,
      { registered: types, closest },
    );
  }
  const rawParams = rawRecord(raw.params) ?? {};
  const tooDeep = depthProblem(rawParams, "params");
  if (tooDeep) return tooDeep;
  const check = checkParamKeys(connector, rawParams, ctx.actor);
  if (check.problem) return skip(check.problem.code, check.problem.reason, check.problem.hint, check.problem.details);
  const params: Record<string, unknown> = {};
  // null means "absent" in an add as in an update: a stored param is never null.
  for (const key of check.accepted) if (rawParams[key] !== null) setOwn(params, key, cloneJson(rawParams[key]));
  const secret = secretOnlyProblem(connector, params, (fixed): AddOp => ({ ...op, params: fixed }));
  if (secret) return skip(secret.code, secret.reason, secret.hint, secret.details);
  const optional = {
    ...(op.name !== undefined && { name: op.name }),
    ...(op.position !== undefined && { position: op.position }),
    ...(op.enabled !== undefined && { enabled: op.enabled }),
    ...(op.retry !== undefined && { retry: op.retry }),
  };
  const block: Block = { id, type: op.type, ...optional, params };
  ctx.draft.addBlock(block);
  ctx.unknownParams.delete(id);
  recordUnknown(ctx, block, check.unknown, rawParams);
  const applied: AddOp = { operation_type: "add", block_id: id, type: op.type, ...optional, params };
  return { applied };
}

/** `update`: merges params (null removes), sets or clears name, position, enabled and retry. */
export function applyUpdate(op: UpdateOp, raw: Record<string, unknown>, index: number, ctx: OpContext): OpOutcome {
  const block = ctx.draft.get(op.block_id);
  if (!block) return blockNotFound(op.block_id, index, ctx);
  const applied: UpdateOp = { operation_type: "update", block_id: block.id };
  const next: Block = { ...block };
  let changed = false;
  const rawParams = rawRecord(raw.params);
  if (rawParams) {
    const tooDeep = depthProblem(rawParams, "params");
    if (tooDeep) return tooDeep;
    const connector = ctx.registry.get(block.type);
    const check = checkParamKeys(connector, rawParams, ctx.actor);
    if (check.problem) return skip(check.problem.code, check.problem.reason, check.problem.hint, check.problem.details);
    if (connector) {
      const sent = Object.fromEntries(check.accepted.map((key) => [key, rawParams[key]]));
      const secret = secretOnlyProblem(connector, sent, (fixed): UpdateOp => ({ ...op, operation_type: "update", params: fixed }));
      if (secret) return skip(secret.code, secret.reason, secret.hint, secret.details);
    }
    const params: Record<string, unknown> = {};
    let merged: Record<string, unknown> | null = null; // copied from block.params on the first real change
    for (const key of check.accepted) {
      const value = rawParams[key] === null ? null : cloneJson(rawParams[key]);
      setOwn(params, key, value);
      const current = merged ?? block.params;
      const has = Object.hasOwn(current, key);
      if (value === null ? !has : has && jsonEqual(current[key], value)) continue;
      merged ??= { ...block.params };
      if (value === null) delete merged[key];
      else setOwn(merged, key, value);
    }
    if (merged) {
      next.params = merged;
      changed = true;
    }
    applied.params = params;
    recordUnknown(ctx, block, check.unknown, rawParams);
  }
  if (op.name !== undefined) {
    applied.name = op.name;
    if (op.name === null ? block.name !== undefined : block.name !== op.name) {
      if (op.name === null) delete next.name;
      else next.name = op.name;
      changed = true;
    }
  }
  if (op.position !== undefined) {
    applied.position = op.position;
    if (op.position === null ? block.position !== undefined : !jsonEqual(block.position, op.position)) {
      if (op.position === null) delete next.position;
      else next.position = op.position;
      changed = true;
    }
  }
  if (op.enabled !== undefined) {
    applied.enabled = op.enabled;
    if (op.enabled === null ? block.enabled !== undefined : block.enabled !== op.enabled) {
      if (op.enabled === null) delete next.enabled;
      else next.enabled = op.enabled;
      changed = true;
    }
  }
  if (op.retry !== undefined) {
    applied.retry = op.retry;
    if (op.retry === null ? block.retry !== undefined : !jsonEqual(block.retry, op.retry)) {
      if (op.retry === null) delete next.retry;
      else next.retry = op.retry;
      changed = true;
    }
  }
  if (changed) ctx.draft.replaceBlock(next);
  const staleEdges = changed ? removeEdgesOnVanishedHandles(next, ctx) : [];
  return staleEdges.length > 0 ? { applied, dropped: staleEdges } : { applied };
}

/**
 * After params change, edges leaving from a handle the block no longer has (a switch case that
 * was removed) go away, so a stored workflow never holds an edge `connect` would refuse.
 */
function removeEdgesOnVanishedHandles(block: Block, ctx: OpContext): string[] {
  const connector = ctx.registry.get(block.type);
  if (!connector?.paramHandles) return [];
  const allowed = new Set(blockHandles(connector, block.params));
  const stale = ctx.draft.outgoingEdges(block.id).filter(({ edge }) => edge.sourceHandle !== undefined && !allowed.has(edge.sourceHandle));
  ctx.draft.removeEdges(stale.map(({ at }) => at));
  return stale.map(({ edge }) => `edge ${edge.source}->${edge.target}[${edge.sourceHandle}]`);
}

/** `remove`: deletes the block and every edge touching it. */
export function applyRemove(op: RemoveOp, index: number, ctx: OpContext): OpOutcome {
  if (!ctx.draft.has(op.block_id)) return blockNotFound(op.block_id, index, ctx);
  ctx.draft.removeBlock(op.block_id);
  ctx.unknownParams.delete(op.block_id);
  return { applied: { operation_type: "remove", block_id: op.block_id } };
}

/** `set_variables`: merged into the variables; null removes one; forbidden names are dropped. */
export function applySetVariables(raw: Record<string, unknown>, ctx: OpContext): OpOutcome {
  const input = rawRecord(raw.variables) ?? {};
  const tooDeep = depthProblem(input, "variables");
  if (tooDeep) return tooDeep;
  const variables: Record<string, unknown> = {};
  const dropped: string[] = [];
  const current = ctx.draft.currentVariables();
  for (const key of Object.keys(input)) {
    if (input[key] === undefined) continue;
    if (FORBIDDEN_KEYS.has(key)) {
      dropped.push(`variables.${key}`);
      continue;
    }
    const value = input[key] === null ? null : cloneJson(input[key]);
    setOwn(variables, key, value);
    const has = Object.hasOwn(current, key);
    if (value === null) {
      if (has) ctx.draft.setVariable(key, undefined);
    } else if (!has || !jsonEqual(current[key], value)) {
      ctx.draft.setVariable(key, value);
    }
  }
  const applied: SetVariablesOp = { operation_type: "set_variables", variables };
  return dropped.length > 0 ? { applied, dropped } : { applied };
}
