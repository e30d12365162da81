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
  "secret_required",
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
  "secret_required",
  "unknown_param",
  "unresolved_reference",
  "reference_not_upstream",
  "undeclared_output",
  "no_trigger",
  "multiple_triggers",
  "unknown_workflow",
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/**
 * Machine-readable parts of a skip's fix, beside its `hint` (docs/patch-endpoint.md, "Skip
 * reason codes"): which fields appear depends on the code. Lists of block ids or edges hold at
 * most MAX_DETAIL_LIST items.
 */
export interface SkipDetails {
  /** invalid_op: the operation types there are. */
  operation_types?: string[];
  /** invalid_op: the shape of the op's operation_type, as an LLM should send it. */
  shape?: string;
  /** invalid_block_id: the pattern an id must match. */
  pattern?: string;
  /** invalid_block_id, block_already_exists: a valid, free id to use instead. */
  suggestion?: string;
  /** block_already_exists: the type of the block that has the id. */
  existing_type?: string;
  /** block_type_not_registered: every registered type, nearest first. */
  registered?: string[];
  /** The nearest names among the valid ones (types, handles, block ids), nearest first; may be empty. */
  closest?: string[];
  /** invalid_source_handle: the handles the source block has. */
  allowed?: string[];
  /**
   * hidden_param_in_input, param_not_llm_settable: the params that cannot be set. secret_required:
   * the secret-only params (or fields, `auth.token`) that got something other than one {{secrets.NAME}}.
   */
  params?: string[];
  /** hidden_param_in_input, param_not_llm_settable: the params this caller may set on that type. */
  settable_params?: string[];
  /** block_not_found, invalid_edge_source, invalid_edge_target: ids in the workflow. */
  existing_block_ids?: string[];
  /**
   * The op of this batch that adds the missing block: later in the batch (move this op after it),
   * or skipped (`reason_code`: fix that op and send both again; a connect waits for an add later
   * in its batch).
   */
  add_op?: { index: number; reason_code?: SkipCode };
  /** cycle_introduced: the cycle the edge would close. */
  cycle?: string[];
  /** edge_not_found: the edges leaving the source block. */
  edges?: { source: string; target: string; source_handle?: string }[];
  /**
   * Ops that would do what was meant (invalid_edge_target on a trigger: connect from it;
   * secret_required: the op with {{secrets.NAME}} references where the values were).
   */
  suggested_ops?: EditOp[];
}

/** One op that was not applied, with what to send instead. */
export interface SkippedItem {
  index: number;
  operation_type: string | null;
  block_id: string | null;
  reason_code: SkipCode;
  reason: string;
  hint: string;
  details?: SkipDetails;
}

/** Machine-readable parts of a validation error's fix, beside its `hint`. */
export interface ValidationDetails {
  /** missing_required_param, invalid_param: the param's type ("string", "number", "enum(GET|POST)"); secret_required: "{{secrets.NAME}}". */
  expected?: string;
  /** missing_required_param, invalid_param: a value of that type the connector offers as an example; secret_required: the reference to write. */
  example?: unknown;
  /** unknown_param: the params of the block's type. */
  params?: string[];
  /** The nearest valid names (params, outputs, block ids), nearest first; may be empty. */
  closest?: string[];
  /** unresolved_reference: the ids in the workflow. */
  existing_block_ids?: string[];
  /** unresolved_reference, reference_not_upstream: the blocks a template of this block may use. */
  upstream_block_ids?: string[];
  /** undeclared_output: the outputs of the referenced block. */
  outputs?: string[];
  /** unresolved_reference of {{vars…}}: the variables that are set. */
  variables?: string[];
  /** no_trigger: the trigger types there are. */
  trigger_types?: string[];
  /** no_trigger: blocks with no incoming edge, which a new trigger should connect to. */
  entry_block_ids?: string[];
  /** unknown_workflow: some of the organization's workflows (newest first), one of which the param may name. */
  workflows?: { id: string; name: string }[];
  /** Ops that would fix it (reference_not_upstream: the connect, or the reversed edge; secret_required: the update writing the reference). */
  suggested_ops?: EditOp[];
}

/** A problem with the resulting workflow (not with an op). */
export interface ValidationError {
  code: ValidationCode;
  block_id: string | null;
  block_type: string | null;
  field?: string;
  value?: unknown;
  /** What is wrong. */
  error: string;
  /** What to send to fix it. */
  hint: string;
  details?: ValidationDetails;
}

/** Lists of block ids and edges in skip and validation details stop at this many items. */
export const MAX_DETAIL_LIST = 50;

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
