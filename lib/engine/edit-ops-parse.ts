/**
 * Checks one raw EditOp against its shape (docs/patch-endpoint.md, "The patch endpoint"): each op is validated
 * on its own, aliases become canonical names and unknown top-level keys are dropped (reported).
 */
import type { z } from "zod";
import {
  AddOpSchema,
  ConnectOpSchema,
  DisconnectOpSchema,
  RemoveOpSchema,
  SetVariablesOpSchema,
  UpdateOpSchema,
  type AddOp,
  type ConnectOp,
  type DisconnectOp,
  type RemoveOp,
  type SetVariablesOp,
  type UpdateOp,
  type SkipDetails,
} from "./ops";
import { isPlainObject } from "./model";

/** Canonical operation types (aliases `edit` and `delete` are folded into `update` and `remove`). */
export type CanonicalOpType = "add" | "update" | "remove" | "connect" | "disconnect" | "set_variables";

/** An op after its shape check; `params`/`variables` still hold the caller's raw objects. */
export type ParsedEditOp =
  | (AddOp & { operation_type: "add" })
  | (UpdateOp & { operation_type: "update" })
  | (RemoveOp & { operation_type: "remove" })
  | ConnectOp
  | DisconnectOp
  | SetVariablesOp;

const ALIASES: Readonly<Record<string, CanonicalOpType>> = {
  add: "add",
  update: "update",
  edit: "update",
  remove: "remove",
  delete: "remove",
  connect: "connect",
  disconnect: "disconnect",
  set_variables: "set_variables",
};

const SCHEMAS: Readonly<Record<CanonicalOpType, z.ZodObject>> = {
  add: AddOpSchema,
  update: UpdateOpSchema,
  remove: RemoveOpSchema,
  connect: ConnectOpSchema,
  disconnect: DisconnectOpSchema,
  set_variables: SetVariablesOpSchema,
};

/** The shape of each operation, as an LLM should send it; used in `invalid_op` hints. */
export const OP_SHAPES: Readonly<Record<CanonicalOpType, string>> = {
  add: '{ "operation_type": "add", "block_id": string, "type": string, "name"?: string, "params"?: object, "position"?: { "x": number, "y": number }, "enabled"?: boolean, "retry"?: { "maxAttempts": number, "backoff"?: { "initialMs", "factor", "maxMs" } } }',
  update:
    '{ "operation_type": "update", "block_id": string, "name"?: string | null, "params"?: object (merged; a param set to null is removed), "position"?: { "x", "y" }, "enabled"?: boolean, "retry"?: object | null }',
  remove: '{ "operation_type": "remove", "block_id": string }',
  connect: '{ "operation_type": "connect", "block_id": string (source), "target_block_id": string, "source_handle"?: string }',
  disconnect: '{ "operation_type": "disconnect", "block_id": string (source), "target_block_id": string, "source_handle"?: string }',
  set_variables: '{ "operation_type": "set_variables", "variables": object (merged; a variable set to null is removed) }',
};

/** Why an op failed its shape check, with what to send instead. */
export interface OpShapeProblem {
  operation_type: string | null;
  block_id: string | null;
  reason: string;
  hint: string;
  details: SkipDetails;
}

export type ParseResult =
  | { ok: true; op: ParsedEditOp; dropped: string[]; raw: Record<string, unknown> }
  | { ok: false; problem: OpShapeProblem };

/** The canonical operation types, for `details.operation_types`. */
const CANONICAL_TYPES: CanonicalOpType[] = ["add", "update", "remove", "connect", "disconnect", "set_variables"];

const ALL_SHAPES_HINT =
  "operation_type must be one of: add { block_id, type, name?, params?, position?, enabled?, retry? }; " +
  "update (alias edit) { block_id, name?, params?, position?, enabled?, retry? }; remove (alias delete) { block_id }; " +
  "connect { block_id, target_block_id, source_handle? }; disconnect { block_id, target_block_id, source_handle? }; " +
  "set_variables { variables }";

/** Short, JSON-ish rendering of a value for reasons and hints (never long). */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "op";
    return `${where}: ${issue.message}`;
  });
  if (issues.length > 5) parts.push(`and ${issues.length - 5} more problems`);
  return parts.join("; ");
}

/** Validates one raw op. Returns the canonical op and its dropped keys, or why it is `invalid_op`. */
export function parseEditOp(raw: unknown): ParseResult {
  if (!isPlainObject(raw)) {
    return {
      ok: false,
      problem: {
        operation_type: null,
        block_id: null,
        reason: `an op must be a JSON object, got ${Array.isArray(raw) ? "an array" : raw === null ? "null" : typeof raw}`,
        hint: ALL_SHAPES_HINT,
        details: { operation_types: CANONICAL_TYPES },
      },
    };
  }
  const rawType = raw.operation_type;
  const blockId = typeof raw.block_id === "string" ? raw.block_id : null;
  const canonical = typeof rawType === "string" && Object.hasOwn(ALIASES, rawType) ? ALIASES[rawType] : undefined;
  if (canonical === undefined) {
    return {
      ok: false,
      problem: {
        operation_type: typeof rawType === "string" ? rawType : null,
        block_id: blockId,
        reason:
          rawType === undefined ? "the op has no operation_type" : `unknown operation_type ${preview(rawType)}`,
        hint: ALL_SHAPES_HINT,
        details: { operation_types: CANONICAL_TYPES },
      },
    };
  }
  if (canonical === "update" && Object.hasOwn(raw, "type")) {
    return {
      ok: false,
      problem: {
        operation_type: canonical,
        block_id: blockId,
        reason: "update cannot change a block's type",
        hint: `remove the block and add it again to change its type (then reconnect its edges); to change other fields send ${OP_SHAPES.update} without "type"`,
        details: { shape: OP_SHAPES.update },
      },
    };
  }
  const schema = SCHEMAS[canonical];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problem: {
        operation_type: canonical,
        block_id: blockId,
        reason: describeIssues(parsed.error.issues),
        hint: `send ${OP_SHAPES[canonical]}`,
        details: { shape: OP_SHAPES[canonical] },
      },
    };
  }
  const known = schema.shape;
  const dropped = Object.keys(raw).filter((key) => !Object.hasOwn(known, key));
  const op = { ...(parsed.data as Record<string, unknown>), operation_type: canonical } as ParsedEditOp;
  return { ok: true, op, dropped, raw };
}
