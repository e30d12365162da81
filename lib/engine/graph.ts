// Pure graph logic over a workflow's blocks and edges: cycles, order, and which blocks may run
// next (docs/runs.md, "Order, branches, joins, skips"). Everything is iterative so a 10,000-block chain cannot overflow the
// stack, and ids only ever key Maps and Sets, so ids like `__proto__` are harmless.

export interface GraphEdge {
  source: string;
  target: string;
  sourceHandle?: string;
}

/** How a block ended, as far as its outgoing edges are concerned. */
export type Settlement =
  | { kind: "skipped" } // disabled, or behind an untaken branch
  | { kind: "succeeded"; branch?: string } // branch = the logic handle chosen (condition "true"/"false", switch case)
  | { kind: "routed"; handle: string }; // took its "error" or "timeout" handle

export type Readiness = "pending" | "ready" | "skip";

function uniqueIds(blockIds: readonly string[]): string[] {
  return [...new Set(blockIds)];
}

/** Successor lists in edge order; with `known`, edges naming an unknown id are left out. */
function successors(edges: readonly GraphEdge[], known?: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const edge of edges) {
    if (known && (!known.has(edge.source) || !known.has(edge.target))) continue;
    const list = out.get(edge.source);
    if (list) list.push(edge.target);
    else out.set(edge.source, [edge.target]);
  }
  return out;
}

/** Returns one cycle as a list of block ids (first id repeated at the end), or null if the graph is acyclic.
 *  Edges naming ids outside `blockIds` are ignored; the search is deterministic (blockIds, then edge order). */
export function findCycle(blockIds: readonly string[], edges: readonly GraphEdge[]): string[] | null {
  const ids = uniqueIds(blockIds);
  const succ = successors(edges, new Set(ids));
  const done = new Set<string>();
  // Iterative DFS: `stack` is the current path, `onPath` maps an id to its position in it.
  const onPath = new Map<string, number>();
  for (const start of ids) {
    if (done.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    onPath.set(start, 0);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const targets = succ.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        const at = onPath.get(target);
        if (at !== undefined) return [...stack.slice(at).map((f) => f.id), target];
        if (!done.has(target)) {
          onPath.set(target, stack.length);
          stack.push({ id: target, next: 0 });
        }
      } else {
        stack.pop();
        onPath.delete(frame.id);
        done.add(frame.id);
      }
    }
  }
  return null;
}

/** True when adding source→target would create a cycle (including source === target),
 *  i.e. when source is already reachable from target. */
export function wouldCreateCycle(edges: readonly GraphEdge[], source: string, target: string): boolean {
  if (source === target) return true;
  const succ = successors(edges);
  const seen = new Set<string>([target]);
  const queue = [target];
  for (let i = 0; i < queue.length; i++) {
    for (const next of succ.get(queue[i]) ?? []) {
      if (next === source) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/** Binary min-heap of indices, so Kahn's algorithm always picks the earliest ready block. */
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= value) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = value;
  }
  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as number;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right] < items[left] ? right : left;
        if (items[child] >= last) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

/** Deterministic topological order (Kahn's algorithm; ties broken by the order of blockIds).
 *  Returns null when there is a cycle. Edges naming unknown ids are ignored. */
export function topologicalOrder(blockIds: readonly string[], edges: readonly GraphEdge[]): string[] | null {
  const ids = uniqueIds(blockIds);
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const inDegree = new Array<number>(ids.length).fill(0);
  const succ: number[][] = ids.map(() => []);
  for (const edge of edges) {
    const from = index.get(edge.source);
    const to = index.get(edge.target);
    if (from === undefined || to === undefined) continue;
    succ[from].push(to);
    inDegree[to]++;
  }
  const heap = new IndexHeap();
  inDegree.forEach((degree, i) => {
    if (degree === 0) heap.push(i);
  });
  const order: string[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(ids[i]);
    for (const next of succ[i]) {
      if (--inDegree[next] === 0) heap.push(next);
    }
  }
  return order.length === ids.length ? order : null;
}

/** All ancestors of blockId (not including itself, even when it sits on a cycle). */
export function upstreamOf(blockId: string, edges: readonly GraphEdge[]): Set<string> {
  const preds = new Map<string, string[]>();
  for (const edge of edges) {
    const list = preds.get(edge.target);
    if (list) list.push(edge.source);
    else preds.set(edge.target, [edge.source]);
  }
  const seen = new Set<string>();
  const queue = [blockId];
  for (let i = 0; i < queue.length; i++) {
    for (const prev of preds.get(queue[i]) ?? []) {
      if (!seen.has(prev)) {
        seen.add(prev);
        queue.push(prev);
      }
    }
  }
  seen.delete(blockId);
  return seen;
}

/** An edge with no sourceHandle is the success path: taken when the source succeeded (whatever branch).
 *  An edge with a sourceHandle is taken when the source succeeded with that branch, or was routed to that handle. Nothing is taken from a skipped block. */
export function isEdgeTaken(edge: GraphEdge, source: Settlement): boolean {
  switch (source.kind) {
    case "skipped":
      return false;
    case "succeeded":
      return edge.sourceHandle === undefined || edge.sourceHandle === source.branch;
    case "routed":
      return edge.sourceHandle !== undefined && edge.sourceHandle === source.handle;
  }
}

function readinessOf(incoming: readonly GraphEdge[], settled: ReadonlyMap<string, Settlement>): Readiness {
  let taken = false;
  for (const edge of incoming) {
    const source = settled.get(edge.source);
    if (source === undefined) return "pending";
    if (!taken && isEdgeTaken(edge, source)) taken = true;
  }
  return taken || incoming.length === 0 ? "ready" : "skip";
}

/** "pending" while any incoming edge's source is unsettled; otherwise "ready" if at least one
 *  incoming edge was taken (or there are no incoming edges), else "skip". */
export function blockReadiness(
  blockId: string,
  edges: readonly GraphEdge[],
  settled: ReadonlyMap<string, Settlement>,
): Readiness {
  return readinessOf(
    edges.filter((edge) => edge.target === blockId),
    settled,
  );
}

/** Given all block ids, edges, and what has settled so far, the ids (in topological order, excluding
 *  settled ones and those in `running`) that are ready to run now and those that must be skipped now.
 *  Skips cascade: callers call again after recording skips. Edges naming unknown ids are ignored. */
export function nextBlocks(
  blockIds: readonly string[],
  edges: readonly GraphEdge[],
  settled: ReadonlyMap<string, Settlement>,
  running?: ReadonlySet<string>,
): { ready: string[]; skip: string[] } {
  // A cyclic definition never gets past validation; if one does, its cycle just stays pending.
  const order = topologicalOrder(blockIds, edges) ?? uniqueIds(blockIds);
  const known = new Set(order);
  const incoming = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    if (!known.has(edge.source) || !known.has(edge.target)) continue;
    const list = incoming.get(edge.target);
    if (list) list.push(edge);
    else incoming.set(edge.target, [edge]);
  }
  const ready: string[] = [];
  const skip: string[] = [];
  for (const id of order) {
    if (settled.has(id) || running?.has(id)) continue;
    const readiness = readinessOf(incoming.get(id) ?? [], settled);
    if (readiness === "ready") ready.push(id);
    else if (readiness === "skip") skip.push(id);
  }
  return { ready, skip };
}
