/**
 * The editor's optimistic copy of the patch endpoint: applies EditOps to a definition without the
 * connector registry, so the canvas shows a change at once and local edits can be carried over a
 * newer server version. The server stays the judge: whatever it skips or drops comes back in its
 * answer, and the editor then shows the server's definition (docs/editor.md, "Saving").
 */
import type { Block, Edge, WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";

function mergeNullable(target: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out = { ...target };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

function sameEdge(a: Edge, b: Edge): boolean {
  return a.source === b.source && a.target === b.target && (a.sourceHandle ?? "") === (b.sourceHandle ?? "");
}

function updated(block: Block, op: Extract<EditOp, { operation_type: "update" | "edit" }>): Block {
  const next: Block = { ...block };
  if (op.name !== undefined) {
    if (op.name === null || op.name === "") delete next.name;
    else next.name = op.name;
  }
  if (op.params !== undefined) next.params = mergeNullable(block.params, op.params);
  if (op.position !== undefined) {
    if (op.position === null) delete next.position;
    else next.position = op.position;
  }
  if (op.enabled !== undefined) {
    if (op.enabled === null || op.enabled === true) delete next.enabled;
    else next.enabled = false;
  }
  if (op.retry !== undefined) {
    if (op.retry === null) delete next.retry;
    else next.retry = op.retry;
  }
  return next;
}

/** `definition` with `ops` applied in order; an op that cannot apply (unknown block, duplicate id or edge) is passed over. */
export function applyLocalOps(definition: WorkflowDefinition, ops: readonly EditOp[]): WorkflowDefinition {
  let blocks = definition.blocks;
  let edges = definition.edges;
  let variables = definition.variables;
  const has = (id: string) => blocks.some((b) => b.id === id);
  for (const op of ops) {
    switch (op.operation_type) {
      case "add": {
        if (has(op.block_id)) break;
        const block: Block = { id: op.block_id, type: op.type, params: op.params ?? {} };
        if (op.name) block.name = op.name;
        if (op.position) block.position = op.position;
        if (op.retry) block.retry = op.retry;
        if (op.enabled === false) block.enabled = false;
        blocks = [...blocks, block];
        break;
      }
      case "update":
      case "edit":
        blocks = blocks.map((b) => (b.id === op.block_id ? updated(b, op) : b));
        break;
      case "remove":
      case "delete":
        blocks = blocks.filter((b) => b.id !== op.block_id);
        edges = edges.filter((e) => e.source !== op.block_id && e.target !== op.block_id);
        break;
      case "connect": {
        const edge: Edge = { source: op.block_id, target: op.target_block_id };
        if (op.source_handle) edge.sourceHandle = op.source_handle;
        if (!has(edge.source) || !has(edge.target) || edges.some((e) => sameEdge(e, edge))) break;
        edges = [...edges, edge];
        break;
      }
      case "disconnect":
        edges = edges.filter(
          (e) =>
            !(
              e.source === op.block_id &&
              e.target === op.target_block_id &&
              (op.source_handle === undefined || (e.sourceHandle ?? "") === op.source_handle)
            ),
        );
        break;
      case "set_variables":
        variables = mergeNullable(variables ?? {}, op.variables);
        break;
    }
  }
  const next: WorkflowDefinition = { blocks, edges };
  if (variables !== undefined) next.variables = variables;
  return next;
}

/** The ids of the blocks `ops` touch (as the block or the target of an edge). */
export function touchedBlocks(ops: readonly EditOp[]): Set<string> {
  const ids = new Set<string>();
  for (const op of ops) {
    if (op.operation_type === "set_variables") continue;
    ids.add(op.block_id);
    if (op.operation_type === "connect" || op.operation_type === "disconnect") ids.add(op.target_block_id);
  }
  return ids;
}
