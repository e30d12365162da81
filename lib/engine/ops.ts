/**
 * EditOp shapes and the result vocabulary of the patch endpoint (docs/patch-endpoint.md).
 * Each op is validated on its own with these schemas; `edit` and `delete` are aliases.
 */
import { z } from "zod";
import { PositionSchema, RetryPolicySchema } from "./model";

const blockId = z.string();
const params = z.record(z.string(), z.unknown());

export const AddOpSchema = z.object({
  operation_type: z.literal("add"),
  block_id: blockId,
  type: z.string(),
  name: z.string().max(200).optional(),
  params: params.optional(),
  position: PositionSchema.optional(),
  retry: RetryPolicySchema.optional(),
  /** Not in the first contract; lets `diffToEditOps` recreate a disabled block in one op. */
  enabled: z.boolean().optional(),
});

export const UpdateOpSchema = z.object({
  operation_type: z.enum(["update", "edit"]),
  block_id: blockId,
  name: z.string().max(200).nullable().optional(),
  /** Merged into the block's params; a param set to null is removed. */
  params: params.optional(),
  /** null removes the position. */
  position: PositionSchema.nullable().optional(),
  /** null removes the flag (the block is enabled). */
  enabled: z.boolean().nullable().optional(),
  /** null removes the retry policy. */
  retry: RetryPolicySchema.nullable().optional(),
});

export const RemoveOpSchema = z.object({ operation_type: z.enum(["remove", "delete"]), block_id: blockId });

export const ConnectOpSchema = z.object({
  operation_type: z.literal("connect"),
  block_id: blockId,
  target_block_id: blockId,
  source_handle: z.string().optional(),
});

export const DisconnectOpSchema = z.object({
  operation_type: z.literal("disconnect"),
  block_id: blockId,
  target_block_id: blockId,
  source_handle: z.string().optional(),
});

export const SetVariablesOpSchema = z.object({
  operation_type: z.literal("set_variables"),
  /** Merged into the workflow's variables; a variable set to null is removed. */
  variables: z.record(z.string(), z.unknown()),
});

export const EditOpSchema = z.discriminatedUnion("operation_type", [
  AddOpSchema,
  UpdateOpSchema,
  RemoveOpSchema,
  ConnectOpSchema,
  DisconnectOpSchema,
  SetVariablesOpSchema,
]);

export type AddOp = z.infer<typeof AddOpSchema>;
export type UpdateOp = z.infer<typeof UpdateOpSchema>;
export type RemoveOp = z.infer<typeof RemoveOpSchema>;
export type ConnectOp = z.infer<typeof ConnectOpSchema>;
export type DisconnectOp = z.infer<typeof DisconnectOpSchema>;
export type SetVariablesOp = z.infer<typeof SetVariablesOpSchema>;
export type EditOp = z.infer<typeof EditOpSchema>;

export const OPERATION_TYPES = ["add", "update", "edit", "remove", "delete", "connect", "disconnect", "set_variables"] as const;

export const SKIP_CODES = [
  "invalid_op",
  "invalid_block_id",
  "block_already_exists",
  "block_type_not_registered",
  "block_not_found",
  "hidden_param_in_input",
  "param_not_llm_settable",
  "invalid_edge_source",
  "invalid_edge_target",
  "invalid_source_handle",
  "duplicate_connection",
  "cycle_introduced",
  "edge_not_found",
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export const VALIDATION_CODES = [
  "missing_required_param",
  "invalid_param",
  "unknown_param",
  "unresolved_reference",
  "reference_not_upstream",
  "undeclared_output",
  "no_trigger",
  "multiple_triggers",
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** One op that was not applied, with what to send instead. */
export interface SkippedItem {
  index: number;
  operation_type: string | null;
  block_id: string | null;
  reason_code: SkipCode;
  reason: string;
  hint: string;
  details?: Record<string, unknown>;
}

/** A problem with the resulting workflow (not with an op). */
export interface ValidationError {
  code: ValidationCode;
  block_id: string | null;
  block_type: string | null;
  field?: string;
  value?: unknown;
  error: string;
}

/**
 * Keys an op carried that no shape knows (dropped, the op still applied), and edges an update
 * removed because the handle they leave from no longer exists (a switch case that went away),
 * written as `edge <source>-><target>[<handle>]`.
 */
export interface DroppedKeys {
  index: number;
  keys: string[];
}

/** Who is editing: API-key callers (agents) may not set `user` params. */
export type EditActor = "user" | "api_key";
