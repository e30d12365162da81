/**
 * Whole-definition edits (docs/patch-endpoint.md, `PUT /api/workflows/:id/definition`): the EditOps that turn
 * the stored definition into the one a client sent, so a PUT goes through the same `applyEditOps`
 * path (skips, validation, history) as the patch endpoint.
 *
 * `next` is untrusted: ids only ever key Maps, values are read through own-property checks, and
 * objects handed to ops are filled with `setOwn`, so keys like `__proto__` stay plain data.
 */
import { isPlainObject, setOwn, type Block, type Edge, type WorkflowDefinition } from "./model";
import type { AddOp, EditOp, UpdateOp } from "./ops";

/** A record's entries as a Map, dropping `null`/`undefined` values (both mean "absent"). */
function presentEntries(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isPlainObject(value)) return out;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v !== null && v !== undefined) out.set(key, v);
  }
  return out;
}

/** Keys of an object whose value is not `undefined` (JSON has no undefined). */
function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/**
 * Structural equality of two JSON values (object key order ignored). Iterative, so a deeply
 * nested value from a client cannot overflow the stack.
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop() as [unknown, unknown];
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (isPlainObject(x) && isPlainObject(y)) {
      const xk = definedKeys(x);
      if (xk.length !== definedKeys(y).length) return false;
      for (const key of xk) {
        if (!Object.hasOwn(y, key) || y[key] === undefined) return false;
        stack.push([x[key], y[key]]);
      }
      continue;
    }
    return false;
  }
  return true;
}

/** A Map from block id to its first occurrence; later duplicates are returned separately. */
function indexBlocks(blocks: readonly Block[]): { byId: Map<string, Block>; duplicates: Block[] } {
  const byId = new Map<string, Block>();
  const duplicates: Block[] = [];
  for (const block of blocks) {
    if (byId.has(block.id)) duplicates.push(block);
    else byId.set(block.id, block);
  }
  return { byId, duplicates };
}

function edgeKey(edge: Edge): string {
  return JSON.stringify([edge.source, edge.target, edge.sourceHandle ?? null]);
}

function pairKey(edge: Edge): string {
  return JSON.stringify([edge.source, edge.target]);
}

function edgeOp(operation: "connect" | "disconnect", edge: Edge): EditOp {
  const op = { operation_type: operation, block_id: edge.source, target_block_id: edge.target };
  return edge.sourceHandle === undefined ? op : { ...op, source_handle: edge.sourceHandle };
}

/** A params/variables object holding only the given entries, built without prototype setters. */
function recordOf(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) setOwn(out, key, value);
  return out;
}

/** The `add` op that recreates `block` with everything it carries. */
function addOp(block: Block): AddOp {
  const op: AddOp = { operation_type: "add", block_id: block.id, type: block.type };
  if (block.name !== undefined) op.name = block.name;
  const params = presentEntries(block.params);
  if (params.size > 0) op.params = recordOf(params);
  if (block.position !== undefined) op.position = block.position;
  if (block.retry !== undefined) op.retry = block.retry;
  if (block.enabled !== undefined) op.enabled = block.enabled;
  return op;
}

/** True when `update` cannot turn `cur` into `nxt`: only a change of type needs remove + add. */
function needsReAdd(cur: Block, nxt: Block): boolean {
  return cur.type !== nxt.type;
}

/** The `update` op with only the fields that differ, or null when the block is unchanged. */
function updateOp(cur: Block, nxt: Block): UpdateOp | null {
  const op: UpdateOp = { operation_type: "update", block_id: nxt.id };
  let changed = false;
  if (cur.name !== nxt.name) {
    op.name = nxt.name ?? null;
    changed = true;
  }
  const before = presentEntries(cur.params);
  const after = presentEntries(nxt.params);
  const paramChanges = new Map<string, unknown>();
  for (const [key, value] of after) if (!jsonEqual(before.get(key), value)) paramChanges.set(key, value);
  for (const key of before.keys()) if (!after.has(key)) paramChanges.set(key, null);
  if (paramChanges.size > 0) {
    op.params = recordOf(paramChanges);
    changed = true;
  }
  if (!jsonEqual(cur.position, nxt.position)) {
    op.position = nxt.position ?? null;
    changed = true;
  }
  if (cur.enabled !== nxt.enabled) {
    op.enabled = nxt.enabled ?? null;
    changed = true;
  }
  if (!jsonEqual(cur.retry, nxt.retry)) {
    op.retry = nxt.retry ?? null;
    changed = true;
  }
  return changed ? op : null;
}

/** The `set_variables` op for what changed (removed variables as null), or null when none did. */
function setVariablesOp(current: WorkflowDefinition, next: WorkflowDefinition): EditOp | null {
  const before = presentEntries(current.variables);
  const after = presentEntries(next.variables);
  const changes = new Map<string, unknown>();
  for (const [key, value] of after) if (!jsonEqual(before.get(key), value)) changes.set(key, value);
  for (const key of before.keys()) if (!after.has(key)) changes.set(key, null);
  return changes.size > 0 ? { operation_type: "set_variables", variables: recordOf(changes) } : null;
}

/**
 * The EditOps that turn `current` into `next`; applying them with applyEditOps reproduces `next`
 * (up to the order of blocks and edges). Used by PUT /api/workflows/:id/definition.
 * Returns [] when nothing differs; never throws on duplicate ids or dangling edges in `next`
 * (they become ops that applyEditOps skips).
 */
export function diffToEditOps(current: WorkflowDefinition, next: WorkflowDefinition): EditOp[] {
  const cur = indexBlocks(current.blocks ?? []);
  const nxt = indexBlocks(next.blocks ?? []);

  // Blocks whose edges all disappear with a `remove`: gone ones and re-added ones.
  const removed = new Set<string>();
  const reAdded = new Set<string>();
  for (const [id, block] of cur.byId) {
    const target = nxt.byId.get(id);
    if (!target) removed.add(id);
    else if (needsReAdd(block, target)) reAdded.add(id);
  }
  const survives = (id: string): boolean => cur.byId.has(id) && !removed.has(id) && !reAdded.has(id);

  const currentEdges = new Set((current.edges ?? []).map(edgeKey));
  const nextEdges = new Set((next.edges ?? []).map(edgeKey));
  const goes = (edge: Edge): boolean => !nextEdges.has(edgeKey(edge)) && survives(edge.source) && survives(edge.target);
  // A disconnect without a handle removes every edge between the two blocks, so when a
  // handleless edge goes, the pair is cleared and its other edges in `next` are connected again.
  const clearedPairs = new Set<string>();
  for (const edge of current.edges ?? []) {
    if (edge.sourceHandle === undefined && goes(edge)) clearedPairs.add(pairKey(edge));
  }

  const ops: EditOp[] = [];
  const disconnected = new Set<string>();
  for (const edge of current.edges ?? []) {
    if (!goes(edge)) continue; // kept, or taken by the `remove` of one of its blocks
    const cleared = clearedPairs.has(pairKey(edge));
    if (cleared && edge.sourceHandle !== undefined) continue; // the handleless disconnect takes it
    const key = edgeKey(edge);
    if (disconnected.has(key)) continue;
    disconnected.add(key);
    ops.push(edgeOp("disconnect", edge));
  }

  for (const id of cur.byId.keys()) if (removed.has(id)) ops.push({ operation_type: "remove", block_id: id });
  for (const [id, block] of nxt.byId) {
    if (reAdded.has(id)) ops.push({ operation_type: "remove", block_id: id }, addOp(block));
  }
  for (const [id, block] of nxt.byId) if (!cur.byId.has(id)) ops.push(addOp(block));
  // A duplicate id in `next` becomes an add that applyEditOps skips as block_already_exists.
  for (const block of nxt.duplicates) ops.push(addOp(block));

  for (const [id, block] of nxt.byId) {
    const before = cur.byId.get(id);
    if (!before || reAdded.has(id)) continue;
    const op = updateOp(before, block);
    if (op) ops.push(op);
  }

  const connected = new Set<string>();
  for (const edge of next.edges ?? []) {
    const key = edgeKey(edge);
    const kept = currentEdges.has(key) && survives(edge.source) && survives(edge.target) && !clearedPairs.has(pairKey(edge));
    if (kept || connected.has(key)) continue;
    connected.add(key);
    ops.push(edgeOp("connect", edge));
  }

  const variables = setVariablesOp(current, next);
  if (variables) ops.push(variables);
  return ops;
}
