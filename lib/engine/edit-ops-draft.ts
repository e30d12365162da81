/**
 * The working copy `applyEditOps` edits. Copy on write: the blocks and edges arrays are copied,
 * blocks only when an op replaces them, and the input definition is never touched. Removed blocks
 * and edges leave holes that `result()` compacts once, so every lookup stays O(1).
 */
import { setOwn, type Block, type Edge, type WorkflowDefinition } from "./model";

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  return keys.every((key) => Object.hasOwn(rb, key) && jsonEqual(ra[key], rb[key]));
}

/** True when two definitions hold the same blocks (in order), edges and variables. */
export function definitionsEqual(a: WorkflowDefinition, b: WorkflowDefinition): boolean {
  if (a === b) return true;
  if (a.blocks.length !== b.blocks.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.blocks.length; i++) if (!jsonEqual(a.blocks[i], b.blocks[i])) return false;
  for (let i = 0; i < a.edges.length; i++) if (!jsonEqual(a.edges[i], b.edges[i])) return false;
  const va = a.variables ?? {};
  const vb = b.variables ?? {};
  return jsonEqual(va, vb);
}

/** A copy-on-write working copy of a definition; `result()` gives the edited definition. */
export class WorkflowDraft {
  private readonly source: WorkflowDefinition;
  private readonly blocks: (Block | null)[];
  private readonly indexById = new Map<string, number>();
  private blocksRemoved = false;
  // Edge state is built on the first edge-related op; many batches never need it.
  private edges: (Edge | null)[] | null = null;
  private outgoing = new Map<string, number[]>();
  private incoming = new Map<string, number[]>();
  private edgesRemoved = false;
  private variables: Record<string, unknown> | null = null;

  constructor(source: WorkflowDefinition) {
    this.source = source;
    this.blocks = source.blocks.slice();
    for (let i = 0; i < this.blocks.length; i++) this.indexById.set((this.blocks[i] as Block).id, i);
  }

  /** The block with this id, or undefined. */
  get(id: string): Block | undefined {
    const i = this.indexById.get(id);
    return i === undefined ? undefined : (this.blocks[i] ?? undefined);
  }

  /** True when a block with this id is in the draft. */
  has(id: string): boolean {
    return this.indexById.has(id);
  }

  /** Ids of the blocks currently in the draft, in order. */
  ids(): string[] {
    return [...this.indexById.keys()];
  }

  /** Appends a new block (the caller checked the id is free). */
  addBlock(block: Block): void {
    this.indexById.set(block.id, this.blocks.length);
    this.blocks.push(block);
  }

  /** Replaces a block with an updated copy (same id). */
  replaceBlock(block: Block): void {
    const i = this.indexById.get(block.id);
    if (i !== undefined) this.blocks[i] = block;
  }

  /** Removes a block and every edge touching it; returns how many edges went with it. */
  removeBlock(id: string): number {
    const i = this.indexById.get(id);
    if (i === undefined) return 0;
    this.blocks[i] = null;
    this.indexById.delete(id);
    this.blocksRemoved = true;
    const edges = this.edgeList();
    let removed = 0;
    for (const list of [this.outgoing.get(id), this.incoming.get(id)]) {
      for (const e of list ?? []) {
        if (edges[e] !== null) {
          edges[e] = null;
          removed++;
        }
      }
    }
    this.outgoing.delete(id);
    this.incoming.delete(id);
    if (removed > 0) this.edgesRemoved = true;
    return removed;
  }

  private edgeList(): (Edge | null)[] {
    if (this.edges === null) {
      this.edges = this.source.edges.slice();
      for (let i = 0; i < this.edges.length; i++) this.index(this.edges[i] as Edge, i);
    }
    return this.edges;
  }

  private index(edge: Edge, i: number): void {
    const out = this.outgoing.get(edge.source);
    if (out) out.push(i);
    else this.outgoing.set(edge.source, [i]);
    const inc = this.incoming.get(edge.target);
    if (inc) inc.push(i);
    else this.incoming.set(edge.target, [i]);
  }

  /** Live edges leaving `source`, in insertion order, with their positions. */
  outgoingEdges(source: string): { at: number; edge: Edge }[] {
    const edges = this.edgeList();
    const result: { at: number; edge: Edge }[] = [];
    for (const at of this.outgoing.get(source) ?? []) {
      const edge = edges[at];
      if (edge) result.push({ at, edge });
    }
    return result;
  }

  /** Adds an edge; `sourceHandle` is omitted when there is none. */
  addEdge(source: string, target: string, sourceHandle?: string): void {
    const edges = this.edgeList();
    const edge: Edge = sourceHandle === undefined ? { source, target } : { source, target, sourceHandle };
    this.index(edge, edges.length);
    edges.push(edge);
  }

  /** Removes the edges at these positions (from `outgoingEdges`). */
  removeEdges(positions: readonly number[]): void {
    const edges = this.edgeList();
    for (const at of positions) edges[at] = null;
    if (positions.length > 0) this.edgesRemoved = true;
  }

  /** A path of block ids from `from` to `to` along edges, or null when `to` is not reachable. */
  pathBetween(from: string, to: string): string[] | null {
    if (from === to) return [from];
    const edges = this.edgeList();
    const parent = new Map<string, string>();
    const queue = [from];
    for (let q = 0; q < queue.length; q++) {
      const id = queue[q];
      for (const at of this.outgoing.get(id) ?? []) {
        const next = edges[at]?.target;
        if (next === undefined || next === from || parent.has(next)) continue;
        parent.set(next, id);
        if (next === to) {
          const path = [to];
          for (let step = id; step !== from; step = parent.get(step) as string) path.push(step);
          path.push(from);
          return path.reverse();
        }
        queue.push(next);
      }
    }
    return null;
  }

  /** The variables as they stand now (do not mutate). */
  currentVariables(): Readonly<Record<string, unknown>> {
    return this.variables ?? this.source.variables ?? {};
  }

  /** Sets (or, with `undefined`, removes) one variable; the caller filters forbidden keys. */
  setVariable(name: string, value: unknown): void {
    if (this.variables === null) {
      this.variables = {};
      const current = this.source.variables ?? {};
      for (const key of Object.keys(current)) setOwn(this.variables, key, current[key]);
    }
    if (value === undefined) delete this.variables[name];
    else setOwn(this.variables, name, value);
  }

  /** The resulting definition: holes compacted, unchanged parts shared with the input. */
  result(): WorkflowDefinition {
    const blocks = this.blocksRemoved ? this.blocks.filter((b): b is Block => b !== null) : (this.blocks as Block[]);
    let edges: Edge[] = this.source.edges;
    if (this.edges !== null) {
      edges = this.edgesRemoved ? this.edges.filter((e): e is Edge => e !== null) : (this.edges as Edge[]);
    }
    const out: WorkflowDefinition = { blocks, edges };
    const variables = this.variables ?? this.source.variables;
    if (variables !== undefined && (this.variables === null || Object.keys(variables).length > 0)) out.variables = variables;
    return out;
  }
}
