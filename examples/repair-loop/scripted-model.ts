/**
 * A scripted stand-in for a model: it proposes a first batch with the mistakes models really
 * make, then turns each answer of patch_workflow into the next batch using only what the answer
 * says — `reason_code` / `code` and the fix as data in `details` (the closest type or handle, the
 * params to drop, the add a connect waited for, a param's example, suggested ops). It knows no
 * connector, handle or param of Weft beyond what it first wrote and what the answers name; when an
 * answer carries no usable fix, it is stuck and says why.
 */
import { opLabel, type EditOp, type PatchResult, type SkippedItem, type ValidationError } from "./tools";

/** One change the model made, and the field of the answer it came from. */
export interface Fix {
  /** "op 2", "ping.method" */
  target: string;
  text: string;
}

export type Repair = { ops: EditOp[]; fixes: Fix[] } | { stuck: string };

/** What the loop needs from a model: a first batch, then a next batch per answer. */
export interface RepairModel {
  propose(): EditOp[];
  repair(sent: readonly EditOp[], answer: PatchResult): Repair;
}

/**
 * The first batch for "greet the person in the run input, check that Weft answers, log how it
 * went, and have an LLM word the good news": start (manual trigger) → hello (greet) → ping (GET
 * <weft>/api/health) → up (log) → summary (llm_chat), with ping's error branch → down (log) and
 * summary's → no_summary (log). Eight mistakes: an unknown type (`greeting`), connects sent before
 * the add they need, a hidden param, a reference to a downstream block (the up↔ping edge written
 * the wrong way round), a missing required param (`method`), a wrong param type (`timeout_ms` as
 * a string), a branch handle that does not exist (`on_error`) and a literal API key in llm_chat
 * (`api_key` takes only a {{secrets.NAME}} reference).
 */
export function firstBatch(weftUrl: string): EditOp[] {
  return [
    { operation_type: "add", block_id: "start", type: "trigger_manual", name: "Start" },
    { operation_type: "connect", block_id: "start", target_block_id: "hello" },
    { operation_type: "add", block_id: "hello", type: "greeting", params: { name: "{{start.name}}" } },
    { operation_type: "add", block_id: "ping", type: "http_request", params: { url: new URL("/api/health", weftUrl).href, timeout_ms: "5000" } },
    { operation_type: "update", block_id: "ping", params: { allow_private_network: true } },
    { operation_type: "connect", block_id: "hello", target_block_id: "ping" },
    { operation_type: "add", block_id: "up", type: "log", params: { message: "Weft is {{ping.body.status}}." } },
    { operation_type: "connect", block_id: "up", target_block_id: "ping" },
    { operation_type: "add", block_id: "down", type: "log", params: { message: "Weft's health check failed: {{ping.error.message}}", level: "warn" } },
    { operation_type: "connect", block_id: "ping", target_block_id: "down", source_handle: "on_error" },
    {
      operation_type: "add",
      block_id: "summary",
      type: "llm_chat",
      params: { model: "gpt-4.1-mini", prompt: "Tell the team in one cheerful sentence: {{up.message}}", api_key: LITERAL_KEY },
    },
    { operation_type: "connect", block_id: "up", target_block_id: "summary" },
    { operation_type: "add", block_id: "no_summary", type: "log", params: { message: "No LLM summary this time: the llm_chat call failed (its error is in the run log).", level: "warn" } },
    { operation_type: "connect", block_id: "summary", target_block_id: "no_summary", source_handle: "error" },
  ];
}

/** What a model pastes when it has a key at hand (a made-up one): Weft must refuse to store it. */
export const LITERAL_KEY = "sk-proj-EXAMPLEonly0000notarealkey0000";

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The value at a dotted path ("auth.token") of an op's params, as JSON text. */
function paramAt(op: EditOp, path: string): string {
  let current: unknown = op.params;
  for (const segment of path.split(".")) current = current !== null && typeof current === "object" ? (current as Record<string, unknown>)[segment] : undefined;
  return JSON.stringify(current);
}

/** JSON with sorted keys, to tell equal ops apart from different ones. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A value the answer's `expected` type says it can become without guessing ("5000" → 5000), or undefined. */
function coerce(value: unknown, expected: unknown): unknown {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (expected === "number" && Number.isFinite(Number(value))) return Number(value);
  if (expected === "boolean" && (value === "true" || value === "false")) return value === "true";
  return undefined;
}

function stuckOnSkip(skip: SkippedItem, op: EditOp | undefined, missing: string): Repair {
  return {
    stuck: `no usable fix for op ${skip.index} (${opLabel(op)}): ${skip.reason_code} — the answer gave no ${missing} (hint: ${skip.hint ?? "none"})`,
  };
}

/** The fix of one skipped op: the ops to send instead (empty: drop it), or why there is none. */
function fixSkip(skip: SkippedItem, op: EditOp | undefined): { ops: EditOp[]; text: string } | { wait: number } | { stuck: Repair } {
  const details = skip.details ?? {};
  if (!op) return { stuck: stuckOnSkip(skip, op, "op to fix") };
  const closest = strings(details.closest)[0];
  switch (skip.reason_code) {
    case "block_type_not_registered":
      if (!closest) return { stuck: stuckOnSkip(skip, op, "closest type (details.closest)") };
      return { ops: [{ ...op, type: closest }], text: `type "${String(op.type)}" → "${closest}" (details.closest)` };
    case "hidden_param_in_input":
    case "param_not_llm_settable": {
      const drop = strings(details.params);
      if (drop.length === 0) return { stuck: stuckOnSkip(skip, op, "params to remove (details.params)") };
      const params = { ...(op.params as Record<string, unknown>) };
      for (const name of drop) delete params[name];
      const why = skip.reason_code === "hidden_param_in_input" ? "operator configuration" : "left for a person to set in the editor";
      if (op.operation_type === "update" && Object.keys(params).length === 0 && Object.keys(op).length <= 3) {
        return { ops: [], text: `dropped the op: ${drop.join(", ")} is ${why} (details.params), nothing else to set` };
      }
      return { ops: [{ ...op, params }], text: `removed ${drop.join(", ")}: ${why} (details.params)` };
    }
    case "secret_required": {
      const suggested = Array.isArray(details.suggested_ops) ? (details.suggested_ops as EditOp[]) : [];
      const params = strings(details.params);
      if (suggested.length !== 1 || params.length === 0) return { stuck: stuckOnSkip(skip, op, "op with a secret reference (details.suggested_ops)") };
      const written = params.map((p) => `${p} → ${paramAt(suggested[0], p)}`).join(", ");
      return { ops: suggested, text: `${written} instead of the literal key (details.suggested_ops); an owner stores the key as that secret` };
    }
    case "invalid_source_handle":
      if (!closest) return { stuck: stuckOnSkip(skip, op, "closest handle (details.closest)") };
      return { ops: [{ ...op, source_handle: closest }], text: `source_handle "${String(op.source_handle)}" → "${closest}" (details.closest, of ${strings(details.allowed).join(", ")})` };
    case "duplicate_connection":
    case "edge_not_found":
      return { ops: [], text: "dropped the op: nothing to do" };
    case "block_not_found":
    case "invalid_edge_source":
    case "invalid_edge_target": {
      const suggested = Array.isArray(details.suggested_ops) ? (details.suggested_ops as EditOp[]) : [];
      if (suggested.length > 0) return { ops: suggested, text: `sent the suggested ops instead (details.suggested_ops)` };
      const add = details.add_op as { index?: number; reason_code?: string } | undefined;
      if (typeof add?.index !== "number") return { stuck: stuckOnSkip(skip, op, "add to wait for (details.add_op)") };
      // A skipped add: send this op again with the add once it is fixed. An add that applied
      // later in the batch: the block exists now, so the op can simply go again.
      if (add.reason_code !== undefined) return { wait: add.index };
      return { ops: [op], text: `sent again: op ${add.index}, later in that batch, added the block (details.add_op)` };
    }
    default:
      return { stuck: stuckOnSkip(skip, op, `rule for ${skip.reason_code}`) };
  }
}

/** The fix of one validation error: ops, nothing to do (already fixed by another op), or why there is none. */
function fixError(error: ValidationError, next: readonly EditOp[]): { ops: EditOp[]; text: string } | { stuck: string } {
  const details = error.details ?? {};
  const where = `${error.block_id ?? "workflow"}${error.field ? `.${error.field}` : ""}`;
  const stuck = (missing: string) => ({ stuck: `no usable fix for ${where}: ${error.code} — the answer gave no ${missing} (hint: ${error.hint ?? "none"})` });
  if ((error.code === "missing_required_param" || error.code === "invalid_param") && error.block_id && error.field) {
    const param = error.field.split(".")[0];
    const coerced = param === error.field ? coerce(error.value, details.expected) : undefined;
    const value = coerced ?? details.example;
    if (value === undefined) return stuck("example value (details.example)");
    const source = coerced !== undefined ? `"${String(error.value)}" as the ${String(details.expected)} it must be (details.expected)` : `${JSON.stringify(value)} (details.example)`;
    return { ops: [{ operation_type: "update", block_id: error.block_id, params: { [param]: value } }], text: `set ${param} to ${source}` };
  }
  const suggested = Array.isArray(details.suggested_ops) ? (details.suggested_ops as EditOp[]) : [];
  if (suggested.length > 0) {
    const fresh = suggested.filter((op) => !next.some((sent) => canonical(sent) === canonical(op)));
    if (fresh.length === 0) return { ops: [], text: "already fixed by an op of this batch (details.suggested_ops)" };
    return { ops: fresh, text: `${fresh.map(opLabel).join(", ")} (details.suggested_ops)` };
  }
  return stuck("suggested ops (details.suggested_ops)");
}

/** The scripted model for the task of `firstBatch`. */
export function scriptedModel(weftUrl: string): RepairModel {
  return {
    propose: () => firstBatch(weftUrl),
    repair(sent, answer) {
      const next: EditOp[] = [];
      const fixes: Fix[] = [];
      const resent = new Set<number>();
      const waiting: { skip: SkippedItem; addIndex: number }[] = [];
      // Skips first, in order; ops that waited for a skipped add go after the fixed add.
      for (const skip of answer.skipped_items) {
        const op = sent[skip.index];
        const fix = fixSkip(skip, op);
        if ("stuck" in fix) return fix.stuck;
        if ("wait" in fix) {
          waiting.push({ skip, addIndex: fix.wait });
          continue;
        }
        next.push(...fix.ops);
        if (fix.ops.length > 0) resent.add(skip.index);
        fixes.push({ target: `op ${skip.index}`, text: fix.text });
      }
      for (const { skip, addIndex } of waiting) {
        if (!resent.has(addIndex)) return stuckOnSkip(skip, sent[skip.index], `fix for op ${addIndex}, the add it waits for`);
        next.push(sent[skip.index]);
        fixes.push({ target: `op ${skip.index}`, text: `sent again with op ${addIndex}'s fixed add, which it waited for (details.add_op)` });
      }
      for (const error of answer.validation_errors) {
        const fix = fixError(error, next);
        if ("stuck" in fix) return fix;
        next.push(...fix.ops);
        fixes.push({ target: `${error.block_id ?? "workflow"}${error.field ? `.${error.field}` : ""}`, text: fix.text });
      }
      return { ops: next, fixes };
    },
  };
}
