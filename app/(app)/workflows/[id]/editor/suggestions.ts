/**
 * What the editor offers after `{{` in a block's params (docs/runs.md, "Templates and secrets"):
 * the outputs of the blocks upstream of it, the run input, the workflow's variables and the
 * organization's secret names. Pure: no I/O, no React.
 */
import { upstreamOf } from "@/lib/engine/graph";
import { isPlainObject, type WorkflowDefinition } from "@/lib/engine/model";
import { SECRET_NAME_PATTERN } from "@/lib/engine/templates";
import type { CatalogEntry, TemplateSuggestion } from "./types";

export interface TemplateSuggestionInput {
  definition: WorkflowDefinition;
  /** The block whose params are being edited. */
  blockId: string;
  catalog: readonly CatalogEntry[];
  /** Each block's output in the last run, by block id (the trigger's is the run input). */
  lastRunOutputs?: Readonly<Record<string, unknown>>;
  secretNames: readonly string[];
}

/** Real paths offered per block from a last run's output. */
const MAX_RUN_PATHS = 50;
/** Segments below the root walked in a last run's output (`body.items.0` is three). */
const MAX_DEPTH = 3;
const SAMPLE_LENGTH = 28;
/** A path segment a template can name (lib/engine/templates.ts: NAME, or an array index). */
const SEGMENT = /^[\p{L}_$][\p{L}\p{N}_$-]*$/u;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
/** Roots the template resolver reads before block ids: a block with one of these ids cannot be referenced. */
const RESERVED_ROOTS = new Set(["trigger", "vars", "secrets"]);

const isNameSegment = (key: string) => SEGMENT.test(key) && !FORBIDDEN.has(key);

/** A value in a few characters: `"Ada"`, `200`, `object (3 keys)`, `array (2)`. */
export function sampleOf(value: unknown): string {
  if (Array.isArray(value)) return `array (${value.length})`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).length;
    return `object (${keys} ${keys === 1 ? "key" : "keys"})`;
  }
  const text = value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value));
  return text.length > SAMPLE_LENGTH ? `${text.slice(0, SAMPLE_LENGTH - 1)}…` : text;
}

/**
 * The paths below `value` a template can reach, depth first (`body`, `body.name`, …), objects
 * walked to MAX_DEPTH segments and arrays through their first item (`.0`), at most MAX_RUN_PATHS.
 */
export function runPaths(value: unknown): { path: string; sample: string }[] {
  const out: { path: string; sample: string }[] = [];
  const walk = (node: unknown, prefix: string, depth: number) => {
    if (depth >= MAX_DEPTH) return;
    const children: [string, unknown][] = Array.isArray(node)
      ? node.length > 0
        ? [["0", node[0]]]
        : []
      : isPlainObject(node)
        ? Object.keys(node)
            .filter(isNameSegment)
            .map((key) => [key, node[key]])
        : [];
    for (const [key, child] of children) {
      if (out.length >= MAX_RUN_PATHS) return;
      const path = prefix ? `${prefix}.${key}` : key;
      out.push({ path, sample: sampleOf(child) });
      walk(child, path, depth + 1);
    }
  };
  walk(value, "", 0);
  return out;
}

/**
 * Every template a param of `blockId` may use, without duplicates: the trigger's outputs as
 * `trigger.…` (always: the run input is in scope whatever the edges), each upstream block's
 * declared outputs as `<id>.<output>` (detail: the type), the real paths of its last-run output
 * (detail: a sample), `vars.<name>` and `secrets.<NAME>`. Blocks are listed in definition order.
 */
export function templateSuggestions({ definition, blockId, catalog, lastRunOutputs, secretNames }: TemplateSuggestionInput): TemplateSuggestion[] {
  const byType = new Map(catalog.map((entry) => [entry.type, entry]));
  const out: TemplateSuggestion[] = [];
  const index = new Map<string, number>();
  const add = (suggestion: TemplateSuggestion) => {
    const at = index.get(suggestion.insert);
    if (at === undefined) {
      index.set(suggestion.insert, out.length);
      out.push(suggestion);
    } else if (suggestion.detail && out[at].detail && !out[at].detail.includes(suggestion.detail)) {
      // A declared output seen again in the last run: keep its type, add the sample.
      out[at] = { ...out[at], detail: `${out[at].detail} · ${suggestion.detail}` };
    }
  };
  const hasRun = (id: string) => lastRunOutputs !== undefined && Object.hasOwn(lastRunOutputs, id) && lastRunOutputs[id] !== undefined;

  const trigger = definition.blocks.find((block) => byType.get(block.type)?.kind === "trigger");
  if (trigger) {
    const entry = byType.get(trigger.type)!;
    add({ group: "trigger", insert: "trigger", detail: "the run input" });
    for (const output of entry.outputs) add({ group: "trigger", insert: `trigger.${output.name}`, detail: output.type });
    if (hasRun(trigger.id)) {
      for (const { path, sample } of runPaths(lastRunOutputs![trigger.id])) add({ group: "trigger", insert: `trigger.${path}`, detail: sample });
    }
  }

  const upstream = upstreamOf(blockId, definition.edges);
  for (const block of definition.blocks) {
    if (!upstream.has(block.id) || RESERVED_ROOTS.has(block.id) || !isNameSegment(block.id)) continue;
    const entry = byType.get(block.type);
    for (const output of entry?.outputs ?? []) add({ group: "block", insert: `${block.id}.${output.name}`, detail: output.type });
    // Actions and waits also output `error` on their error branch.
    const onErrorBranch = definition.edges.some((edge) => edge.source === block.id && edge.sourceHandle === "error" && (edge.target === blockId || upstream.has(edge.target)));
    if (onErrorBranch && (entry?.kind === "action" || entry?.kind === "wait")) add({ group: "block", insert: `${block.id}.error`, detail: "on its error branch" });
    // A trigger's real paths are offered once, as `trigger.…`.
    if (hasRun(block.id) && block.id !== trigger?.id) {
      for (const { path, sample } of runPaths(lastRunOutputs![block.id])) add({ group: "block", insert: `${block.id}.${path}`, detail: sample });
    }
  }

  for (const [name, value] of Object.entries(definition.variables ?? {})) {
    if (isNameSegment(name)) add({ group: "variable", insert: `vars.${name}`, detail: sampleOf(value) });
  }
  for (const name of secretNames) {
    if (SECRET_NAME_PATTERN.test(name)) add({ group: "secret", insert: `secrets.${name}`, detail: "secret" });
  }
  return out;
}
