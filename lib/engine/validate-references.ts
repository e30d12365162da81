/**
 * The `{{…}}` reference checks of validation (docs/patch-endpoint.md, "Validation errors"): each
 * template must name something that exists and, for a block, one upstream of the block using it.
 * Every error carries a hint and the structured fix: the upstream blocks a template may use, the
 * connect that makes a block upstream, or the edge to reverse when it points the wrong way.
 */
import { literalParamNames, type ConnectorRegistry } from "./connector";
import type { Block, WorkflowDefinition } from "./model";
import { MAX_DETAIL_LIST, type ConnectOp, type DisconnectOp, type EditOp, type ValidationError } from "./ops";
import { findReferences, SECRET_NAME_PATTERN, type TemplateReference } from "./templates";
import { listNames, nearestNames, shortText } from "./edit-ops-hints";

/**
 * Edge reversals and "did you mean" over all block ids cost a search of the whole workflow each;
 * past this many per validation, errors carry the rest of their hint and details only.
 */
const MAX_SEARCHES = 50;

/**
 * Ancestor sets of every block as bitsets over block indices, computed once per definition
 * (O(edges × blocks / 32)), so checking a reference is O(1).
 */
class Ancestors {
  private readonly words: number;
  private readonly bits: Uint32Array;
  readonly succs: number[][];

  constructor(blockCount: number, edges: WorkflowDefinition["edges"], indexOf: ReadonlyMap<string, number>) {
    const n = blockCount;
    this.words = (n + 31) >>> 5;
    this.bits = new Uint32Array(n * this.words);
    const preds: number[][] = Array.from({ length: n }, () => []);
    const succs: number[][] = Array.from({ length: n }, () => []);
    this.succs = succs;
    const inDegree = new Uint32Array(n);
    for (const edge of edges) {
      const s = indexOf.get(edge.source);
      const t = indexOf.get(edge.target);
      if (s === undefined || t === undefined) continue;
      preds[t].push(s);
      succs[s].push(t);
      inDegree[t]++;
    }
    // Kahn's order: every block's predecessors are complete before it is filled in.
    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (inDegree[i] === 0) queue.push(i);
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q];
      this.fill(v, preds[v]);
      for (const t of succs[v]) if (--inDegree[t] === 0) queue.push(t);
    }
    if (queue.length < n) {
      // A cycle (only possible in definitions not produced by applyEditOps): plain search per block.
      const done = new Uint8Array(n);
      for (const v of queue) done[v] = 1;
      for (let v = 0; v < n; v++) if (!done[v]) this.fillBySearch(v, preds);
    }
  }

  private fill(v: number, preds: readonly number[]): void {
    const w = this.words;
    const row = v * w;
    for (const p of preds) {
      const from = p * w;
      for (let k = 0; k < w; k++) this.bits[row + k] |= this.bits[from + k];
      this.bits[row + (p >>> 5)] |= 1 << (p & 31);
    }
  }

  private fillBySearch(v: number, preds: readonly number[][]): void {
    const seen = new Uint8Array(preds.length);
    const stack = [...preds[v]];
    while (stack.length > 0) {
      const p = stack.pop() as number;
      if (seen[p]) continue;
      seen[p] = 1;
      if (p !== v) this.bits[v * this.words + (p >>> 5)] |= 1 << (p & 31);
      stack.push(...preds[p]);
    }
  }

  /** True when block `a` is upstream of block `b` (never for a === b). */
  isUpstream(a: number, b: number): boolean {
    return a !== b && ((this.bits[b * this.words + (a >>> 5)] >>> (a & 31)) & 1) === 1;
  }

  /** Indices of the blocks upstream of `b`, in block order, at most `limit`. */
  upstreamOf(b: number, limit: number): number[] {
    const out: number[] = [];
    const row = b * this.words;
    for (let k = 0; k < this.words && out.length < limit; k++) {
      let word = this.bits[row + k];
      while (word !== 0 && out.length < limit) {
        const bit = 31 - Math.clz32(word & -word);
        out.push(k * 32 + bit);
        word &= word - 1;
      }
    }
    return out;
  }

  /** True when `to` is reachable from `from` without the direct edge from → to. */
  reachableAvoidingDirectEdge(from: number, to: number): boolean {
    const seen = new Uint8Array(this.succs.length);
    const stack = this.succs[from].filter((t) => t !== to);
    while (stack.length > 0) {
      const v = stack.pop() as number;
      if (v === to) return true;
      if (seen[v]) continue;
      seen[v] = 1;
      stack.push(...this.succs[v]);
    }
    return false;
  }
}

export interface RefContext {
  blocks: readonly Block[];
  edges: WorkflowDefinition["edges"];
  indexOf: ReadonlyMap<string, number>;
  variables: Readonly<Record<string, unknown>>;
  registry: ConnectorRegistry;
  ancestors: () => Ancestors;
  /** Whole-workflow searches (edge reversals, nearest block ids) left for this validation. */
  searchesLeft: number;
}

/** The shared state of the reference checks of one definition. */
export function referenceContext(definition: WorkflowDefinition, registry: ConnectorRegistry, indexOf: ReadonlyMap<string, number>): RefContext {
  let ancestors: Ancestors | null = null;
  return {
    blocks: definition.blocks,
    edges: definition.edges,
    indexOf,
    variables: definition.variables ?? {},
    registry,
    ancestors: () => (ancestors ??= new Ancestors(definition.blocks.length, definition.edges, indexOf)),
    searchesLeft: MAX_SEARCHES,
  };
}

type ReferenceProblem = Pick<ValidationError, "code" | "error" | "hint" | "details">;

function upstreamIds(at: number, ctx: RefContext): string[] {
  return ctx.ancestors().upstreamOf(at, MAX_DETAIL_LIST).map((i) => ctx.blocks[i].id);
}

function upstreamText(ids: readonly string[]): string {
  return ids.length > 0 ? `upstream of it: ${listNames(ids)}` : "nothing is upstream of it yet";
}

/** A block's template names a block that runs after it: say so, and reverse the edge when it is the one link. */
function downstreamProblem(raw: string, ref: TemplateReference, block: Block, at: number, target: number, ctx: RefContext): ReferenceProblem {
  const upstream = upstreamIds(at, ctx);
  let reversal: EditOp[] | null = null;
  if (ctx.searchesLeft > 0) {
    ctx.searchesLeft--;
    const edge = ctx.edges.find((e) => e.source === block.id && e.target === ref.root);
    if (edge && edge.sourceHandle === undefined && !ctx.ancestors().reachableAvoidingDirectEdge(at, target)) {
      const disconnect: DisconnectOp = { operation_type: "disconnect", block_id: block.id, target_block_id: ref.root };
      const connect: ConnectOp = { operation_type: "connect", block_id: ref.root, target_block_id: block.id };
      reversal = [disconnect, connect];
    }
  }
  const fix = reversal
    ? `if "${ref.root}" should feed "${block.id}", the edge points the wrong way: disconnect ${block.id}→${ref.root} and connect ${ref.root}→${block.id}`
    : `make "${ref.root}" run before "${block.id}" (rewire the path ${block.id}→…→${ref.root}), or reference an upstream block`;
  return {
    code: "reference_not_upstream",
    error: `${raw}: block "${ref.root}" runs after "${block.id}" (it is downstream), so its output does not exist yet when "${block.id}" runs`,
    hint: `${fix}; ${upstreamText(upstream)}`,
    details: reversal ? { upstream_block_ids: upstream, suggested_ops: reversal } : { upstream_block_ids: upstream },
  };
}

/** The problem with one reference, or null when it is fine. */
function referenceProblem(ref: TemplateReference, block: Block, at: number, ctx: RefContext): ReferenceProblem | null {
  if (ref.root === "trigger") return null;
  const raw = shortText(ref.raw, 80);
  if (ref.root === "secrets") {
    // Which secrets exist is only known at run time; a name no secret can have never resolves.
    const name = ref.path[0];
    if (ref.path.length === 1 && SECRET_NAME_PATTERN.test(name)) return null;
    return {
      code: "unresolved_reference",
      error: `${raw} can never resolve`,
      hint: "write {{secrets.NAME}} with one secret name (an uppercase letter, then up to 63 uppercase letters, digits or _)",
    };
  }
  if (ref.root === "vars") {
    const name = ref.path[0];
    if (name === undefined || Object.hasOwn(ctx.variables, name)) return null;
    const variables = Object.keys(ctx.variables);
    const closest = nearestNames(name, variables, 3);
    return {
      code: "unresolved_reference",
      error: `${raw} names variable "${name}", which is not set`,
      hint: `set it with {"operation_type":"set_variables","variables":{"${shortText(name)}":…}}${variables.length > 0 ? `, or use a variable that is set: ${listNames(variables)}` : ""}`,
      details: { variables: variables.slice(0, MAX_DETAIL_LIST), closest },
    };
  }
  const target = ctx.indexOf.get(ref.root);
  if (target === undefined) {
    const upstream = upstreamIds(at, ctx);
    const ids = ctx.blocks.slice(0, MAX_DETAIL_LIST).map((b) => b.id);
    const closest = ctx.searchesLeft-- > 0 ? nearestNames(ref.root, ctx.blocks.map((b) => b.id), 3) : [];
    const guess = closest.length > 0 ? `did you mean ${closest.map((c) => `"${c}"`).join(" or ")}? ` : "";
    return {
      code: "unresolved_reference",
      error: `${raw} names block "${ref.root}", which does not exist`,
      hint: `${guess}a template starts with trigger, vars, secrets or the id of a block upstream of "${block.id}" (${upstreamText(upstream)}); or add "${ref.root}" and connect it before "${block.id}"`,
      details: { existing_block_ids: ids, upstream_block_ids: upstream, closest },
    };
  }
  if (target === at) {
    const upstream = upstreamIds(at, ctx);
    return {
      code: "reference_not_upstream",
      error: `${raw} references block "${block.id}" itself`,
      hint: `a block can only use the outputs of blocks upstream of it; ${upstreamText(upstream)}`,
      details: { upstream_block_ids: upstream },
    };
  }
  const ancestors = ctx.ancestors();
  if (!ancestors.isUpstream(target, at)) {
    if (ancestors.isUpstream(at, target)) return downstreamProblem(raw, ref, block, at, target, ctx);
    const upstream = upstreamIds(at, ctx);
    const referenced = ctx.blocks[target];
    const kind = ctx.registry.get(referenced.type)?.kind;
    const onError = ref.path[0] === "error" && (kind === "action" || kind === "wait");
    const connect: ConnectOp = onError
      ? { operation_type: "connect", block_id: ref.root, target_block_id: block.id, source_handle: "error" }
      : { operation_type: "connect", block_id: ref.root, target_block_id: block.id };
    return {
      code: "reference_not_upstream",
      error: `${raw}: block "${ref.root}" is not upstream of "${block.id}"`,
      hint: `connect ${ref.root} to ${block.id}${onError ? ` on its error handle (source_handle "error")` : ""}, directly or through other blocks; or reference an upstream block (${upstreamText(upstream)})`,
      details: { upstream_block_ids: upstream, suggested_ops: [connect] },
    };
  }
  const referenced = ctx.blocks[target];
  const connector = ctx.registry.get(referenced.type);
  const output = ref.path[0];
  if (!connector || connector.openOutputs || output === undefined) return null;
  if (Object.hasOwn(connector.outputs.shape, output)) return null;
  const branchError = connector.kind === "action" || connector.kind === "wait";
  if (output === "error" && branchError) return null;
  const outputs = Object.keys(connector.outputs.shape);
  const closest = nearestNames(output, outputs, 3);
  return {
    code: "undeclared_output",
    error: `${raw}: ${referenced.type} block "${ref.root}" has no output "${output}"`,
    hint: `use one of its outputs: ${outputs.map((o) => `{{${shortText(ref.root, 40)}.${o}}}`).join(", ")}${branchError ? ` (and {{${shortText(ref.root, 40)}.error.message}} on its error branch)` : ""}`,
    details: { outputs, closest },
  };
}

/** Appends an error for each bad reference in a block's params (each distinct template once). */
export function checkReferences(block: Block, at: number, ctx: RefContext, errors: ValidationError[]): void {
  const connector = ctx.registry.get(block.type);
  const literal = connector ? literalParamNames(connector) : [];
  for (const field of Object.keys(block.params)) {
    if (literal.includes(field)) continue; // its {{…}} is text, not a reference
    const value = block.params[field];
    if (typeof value === "string" ? !value.includes("{{") : value === null || typeof value !== "object") continue;
    const seen = new Set<string>();
    for (const ref of findReferences(value)) {
      if (seen.has(ref.raw)) continue;
      seen.add(ref.raw);
      const problem = referenceProblem(ref, block, at, ctx);
      if (problem) errors.push({ code: problem.code, block_id: block.id, block_type: block.type, field, value: ref.raw, error: problem.error, hint: problem.hint, ...(problem.details && { details: problem.details }) });
    }
  }
}
