/**
 * The edge ops of the patch endpoint: `connect` and `disconnect` (docs/patch-endpoint.md). Edges are stored as
 * `{ source, target, sourceHandle? }`; the graph stays acyclic and triggers have no incoming edges.
 */
import { blockHandles } from "./connector";
import { MAX_DETAIL_LIST, type ConnectOp, type DisconnectOp } from "./ops";
import { blockNotFound, missingBlockFix, skip, type OpContext, type OpOutcome } from "./edit-ops-blocks";
import { listNames, nearestNames, shortText } from "./edit-ops-hints";

function arrow(source: string, target: string, handle?: string): string {
  return `${shortText(source, 40)}→${shortText(target, 40)}${handle !== undefined ? ` (handle "${shortText(handle, 40)}")` : ""}`;
}

function missingEnd(id: string, role: "source" | "target", index: number, ctx: OpContext): OpOutcome {
  const code = role === "source" ? "invalid_edge_source" : "invalid_edge_target";
  const { hint, details } = missingBlockFix(id, index, ctx);
  return skip(code, `${role} block "${shortText(id)}" does not exist`, hint, details);
}

/**
 * True when this connect names a block that is missing now but added by a later op of the batch:
 * it then waits until the end of the batch instead of being skipped.
 */
export function shouldDeferConnect(op: ConnectOp, index: number, ctx: OpContext): boolean {
  const laterAdd = (id: string) => !ctx.draft.has(id) && (ctx.lastAddIndex.get(id) ?? -1) > index;
  return laterAdd(op.block_id) || laterAdd(op.target_block_id);
}

/**
 * `connect`: adds the edge block_id → target_block_id on the given handle (none = success path).
 * `index` is the op's position, past the end of the batch for a connect that waited.
 */
export function applyConnect(op: ConnectOp, index: number, ctx: OpContext): OpOutcome {
  const { block_id: sourceId, target_block_id: targetId, source_handle: handle } = op;
  const source = ctx.draft.get(sourceId);
  if (!source) return missingEnd(sourceId, "source", index, ctx);
  const target = ctx.draft.get(targetId);
  if (!target) return missingEnd(targetId, "target", index, ctx);
  const targetConnector = ctx.registry.get(target.type);
  if (targetConnector?.kind === "trigger") {
    const reversed: ConnectOp = { operation_type: "connect", block_id: targetId, target_block_id: sourceId };
    return skip(
      "invalid_edge_target",
      `"${shortText(targetId)}" is a trigger (${target.type}); triggers start the workflow and cannot have incoming edges`,
      `connect from the trigger instead: {"operation_type":"connect","block_id":"${shortText(targetId)}","target_block_id":"${shortText(sourceId)}"}`,
      { suggested_ops: [reversed] },
    );
  }
  const connector = ctx.registry.get(source.type);
  if (handle !== undefined) {
    const allowed = connector ? blockHandles(connector, source.params) : [];
    if (!allowed.includes(handle)) {
      const dynamic = connector?.paramHandles ? ` (${connector.paramHandles.description})` : "";
      const closest = nearestNames(handle, allowed, 3);
      const guess = closest.length > 0 ? `did you mean "${closest[0]}"? ` : "";
      return skip(
        "invalid_source_handle",
        `${source.type} block "${shortText(sourceId)}" has no handle "${shortText(handle)}"`,
        allowed.length > 0
          ? `${guess}use one of: ${listNames(allowed)}${dynamic}; or omit source_handle for the success path`
          : `omit source_handle: ${source.type} blocks only have the success path`,
        { allowed, closest },
      );
    }
  }
  if (ctx.draft.outgoingEdges(sourceId).some(({ edge }) => edge.target === targetId && edge.sourceHandle === handle)) {
    return skip("duplicate_connection", `the edge ${arrow(sourceId, targetId, handle)} already exists`, "nothing to do: the edge is already there; drop this op");
  }
  const back = ctx.draft.pathBetween(targetId, sourceId);
  if (back !== null) {
    const cycle = sourceId === targetId ? [sourceId, sourceId] : [sourceId, ...back];
    const shown = cycle.length > 12 ? [...cycle.slice(0, 5), "…", ...cycle.slice(-5)] : cycle;
    return skip(
      "cycle_introduced",
      sourceId === targetId
        ? `a block cannot connect to itself ("${shortText(sourceId)}")`
        : `connecting ${arrow(sourceId, targetId)} would create a cycle: ${shown.map((id) => shortText(id, 40)).join(" → ")}`,
      `workflows are acyclic: connect "${shortText(sourceId)}" to a block that is not upstream of it, or disconnect an edge of the cycle first`,
      { cycle },
    );
  }
  ctx.draft.addEdge(sourceId, targetId, handle);
  const applied: ConnectOp =
    handle === undefined
      ? { operation_type: "connect", block_id: sourceId, target_block_id: targetId }
      : { operation_type: "connect", block_id: sourceId, target_block_id: targetId, source_handle: handle };
  return { applied };
}

/** `disconnect`: removes the edge on that handle, or every edge between the two blocks without one. */
export function applyDisconnect(op: DisconnectOp, index: number, ctx: OpContext): OpOutcome {
  const { block_id: sourceId, target_block_id: targetId, source_handle: handle } = op;
  if (!ctx.draft.has(sourceId)) return blockNotFound(sourceId, index, ctx, "source block");
  if (!ctx.draft.has(targetId)) return blockNotFound(targetId, index, ctx, "target block");
  const outgoing = ctx.draft.outgoingEdges(sourceId);
  const matches = outgoing.filter(({ edge }) => edge.target === targetId && (handle === undefined || edge.sourceHandle === handle));
  if (matches.length === 0) {
    const existing = outgoing.map(({ edge }) => arrow(edge.source, edge.target, edge.sourceHandle));
    const edges = outgoing
      .slice(0, MAX_DETAIL_LIST)
      .map(({ edge }) => (edge.sourceHandle === undefined ? { source: edge.source, target: edge.target } : { source: edge.source, target: edge.target, source_handle: edge.sourceHandle }));
    return skip(
      "edge_not_found",
      `there is no edge ${arrow(sourceId, targetId, handle)}`,
      existing.length > 0
        ? `disconnect one of the edges leaving "${shortText(sourceId)}": ${listNames(existing)}; or drop this op`
        : `"${shortText(sourceId)}" has no outgoing edges; nothing to disconnect: drop this op`,
      { edges },
    );
  }
  ctx.draft.removeEdges(matches.map((m) => m.at));
  const applied: DisconnectOp =
    handle === undefined
      ? { operation_type: "disconnect", block_id: sourceId, target_block_id: targetId }
      : { operation_type: "disconnect", block_id: sourceId, target_block_id: targetId, source_handle: handle };
  return { applied };
}
