/**
 * Validation of a workflow definition (docs/patch-endpoint.md): params against each connector's zod schema,
 * `{{…}}` references against the graph, and the one-trigger rule. It describes the workflow, not
 * the ops that produced it, and never throws.
 */
import type { z } from "zod";
import { literalParamNames, type AnyConnector, type ConnectorRegistry } from "./connector";
import type { Block, WorkflowDefinition } from "./model";
import type { ValidationError } from "./ops";
import { findReferences, hasTemplate, SECRET_NAME_PATTERN, type TemplateReference } from "./templates";
import { paramVisibilities } from "./edit-ops-params";
import { listNames, shortText } from "./edit-ops-hints";

/**
 * Ancestor sets of every block as bitsets over block indices, computed once per definition
 * (O(edges × blocks / 32)), so checking a reference is O(1).
 */
class Ancestors {
  private readonly words: number;
  private readonly bits: Uint32Array;

  constructor(blockCount: number, edges: WorkflowDefinition["edges"], indexOf: ReadonlyMap<string, number>) {
    const n = blockCount;
    this.words = (n + 31) >>> 5;
    this.bits = new Uint32Array(n * this.words);
    const preds: number[][] = Array.from({ length: n }, () => []);
    const succs: number[][] = Array.from({ length: n }, () => []);
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
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { value: unknown; templated: boolean } {
  let current = root;
  for (const segment of path) {
    if (typeof current === "string" && hasTemplate(current)) return { value: current, templated: true };
    if (current === null || typeof current !== "object") return { value: undefined, templated: false };
    const key = String(segment);
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return { value: current, templated: typeof current === "string" && hasTemplate(current) };
}

function checkParams(block: Block, connector: AnyConnector, errors: ValidationError[]): void {
  const result = (connector.params as z.ZodObject).safeParse(block.params);
  if (result.success) return;
  const visibilities = paramVisibilities(connector);
  const literal = literalParamNames(connector);
  const base = { block_id: block.id, block_type: block.type };
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
      for (const key of issue.keys) {
        errors.push({ ...base, code: "unknown_param", field: key, value: block.params[key], error: `"${shortText(key)}" is not a param of ${block.type}` });
      }
      continue;
    }
    const { value, templated } = valueAt(block.params, issue.path);
    // A templated value is checked again once resolved, at run time; a literal param never is.
    if (templated && !literal.includes(String(issue.path[0]))) continue;
    const field = issue.path.map(String).join(".");
    const hidden = visibilities.get(String(issue.path[0])) === "hidden";
    if (issue.path.length === 1 && value === undefined) {
      const description = (connector.params.shape as Record<string, z.ZodType>)[field]?.description;
      errors.push({
        ...base,
        code: "missing_required_param",
        field,
        error: `${block.type} requires param "${field}"${description ? ` (${description})` : ""}`,
      });
    } else {
      const error: ValidationError = { ...base, code: "invalid_param", field, error: `${field || "params"}: ${issue.message}` };
      if (!hidden) error.value = value;
      errors.push(error);
    }
  }
}

interface RefContext {
  blocks: readonly Block[];
  indexOf: ReadonlyMap<string, number>;
  variables: Readonly<Record<string, unknown>>;
  registry: ConnectorRegistry;
  ancestors: () => Ancestors;
}

function referenceError(ref: TemplateReference, block: Block, at: number, ctx: RefContext): Omit<ValidationError, "block_id" | "block_type" | "field" | "value"> | null {
  if (ref.root === "trigger") return null;
  const raw = shortText(ref.raw, 80);
  if (ref.root === "secrets") {
    // Which secrets exist is only known at run time; a name no secret can have never resolves.
    const name = ref.path[0];
    if (ref.path.length === 1 && SECRET_NAME_PATTERN.test(name)) return null;
    return {
      code: "unresolved_reference",
      error: `${raw} can never resolve: write {{secrets.NAME}} with one secret name (an uppercase letter, then up to 63 uppercase letters, digits or _)`,
    };
  }
  if (ref.root === "vars") {
    const name = ref.path[0];
    if (name === undefined || Object.hasOwn(ctx.variables, name)) return null;
    return {
      code: "unresolved_reference",
      error: `${raw} names variable "${name}", which is not set; set it with set_variables (variables: ${listNames(Object.keys(ctx.variables))})`,
    };
  }
  const target = ctx.indexOf.get(ref.root);
  if (target === undefined) {
    return {
      code: "unresolved_reference",
      error: `${raw} names block "${ref.root}", which does not exist; templates may start with trigger, vars, secrets or the id of an upstream block`,
    };
  }
  if (target === at) {
    return { code: "reference_not_upstream", error: `${raw} references block "${block.id}" itself; a block can only use the outputs of blocks upstream of it` };
  }
  if (!ctx.ancestors().isUpstream(target, at)) {
    return {
      code: "reference_not_upstream",
      error: `${raw}: block "${ref.root}" is not upstream of "${block.id}"; connect ${ref.root} to ${block.id} (directly or through other blocks) or reference an upstream block`,
    };
  }
  const referenced = ctx.blocks[target];
  const connector = ctx.registry.get(referenced.type);
  const output = ref.path[0];
  if (!connector || connector.openOutputs || output === undefined) return null;
  if (Object.hasOwn(connector.outputs.shape, output)) return null;
  if (output === "error" && (connector.kind === "action" || connector.kind === "wait")) return null;
  const outputs = Object.keys(connector.outputs.shape);
  return {
    code: "undeclared_output",
    error: `${raw}: ${referenced.type} block "${ref.root}" has no output "${output}"; its outputs are ${listNames(outputs)}${connector.kind === "action" || connector.kind === "wait" ? " (and error on its error branch)" : ""}`,
  };
}

function checkReferences(block: Block, at: number, ctx: RefContext, errors: ValidationError[]): void {
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
      const problem = referenceError(ref, block, at, ctx);
      if (problem) errors.push({ code: problem.code, block_id: block.id, block_type: block.type, field, value: ref.raw, error: problem.error });
    }
  }
}

/** Every validation error of a definition, in block order, then the trigger rules. Never throws. */
export function validateDefinition(definition: WorkflowDefinition, registry: ConnectorRegistry): ValidationError[] {
  const { blocks } = definition;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < blocks.length; i++) indexOf.set(blocks[i].id, i);
  let ancestors: Ancestors | null = null;
  const ctx: RefContext = {
    blocks,
    indexOf,
    variables: definition.variables ?? {},
    registry,
    ancestors: () => (ancestors ??= new Ancestors(blocks.length, definition.edges, indexOf)),
  };
  const errors: ValidationError[] = [];
  const triggers: Block[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const connector = registry.get(block.type);
    if (connector) {
      checkParams(block, connector, errors);
      if (connector.kind === "trigger") triggers.push(block);
    }
    checkReferences(block, i, ctx, errors);
  }
  if (blocks.length > 0 && triggers.length === 0) {
    const types = registry.list().filter((c) => c.kind === "trigger").map((c) => c.type);
    errors.push({
      code: "no_trigger",
      block_id: null,
      block_type: null,
      error: `the workflow has no trigger block; add one (${listNames(types)}) and connect it to the first block`,
    });
  }
  for (const extra of triggers.slice(1)) {
    errors.push({
      code: "multiple_triggers",
      block_id: extra.id,
      block_type: extra.type,
      error: `a workflow has exactly one trigger, but "${extra.id}" is another one besides "${triggers[0].id}"; remove one of them (any workflow can also be run through the API)`,
    });
  }
  return errors;
}
