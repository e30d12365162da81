/**
 * Request and response shapes of the workflow and connector routes (docs/patch-endpoint.md). They validate
 * requests and generate the OpenAPI document, so the contract has one source of truth.
 *
 * Definitions a client sends are checked only for their outer shape here: what is wrong inside
 * a block or an edge (bad id, unknown type, dangling edge, bad param) must come back as a skipped
 * item or a validation error from `applyEditOps`, which tells an agent how to fix it, not as a
 * zod error on the whole body.
 */
import { z } from "@hono/zod-openapi";
import { PARAM_WIDGETS } from "@/lib/engine/connector";
import { WorkflowDefinitionSchema } from "@/lib/engine/model";
import { SKIP_CODES } from "@/lib/engine/ops";
import { PageQuerySchema } from "./http";
import { OP_SHAPES } from "@/lib/engine/edit-ops-parse";
import {
  ActorSummarySchema as ActorSummaryResourceSchema,
  ValidationDetailsSchema as ValidationDetailsResourceSchema,
  ValidationErrorSchema as ValidationErrorResourceSchema,
  WorkflowListItemSchema as WorkflowListItemResourceSchema,
  WorkflowSchema as WorkflowResourceSchema,
  WorkflowVersionSchema as WorkflowVersionResourceSchema,
  WorkflowVersionSummarySchema as WorkflowVersionSummaryResourceSchema,
} from "@/lib/resources/workflow";
import { DefinitionInputSchema as DefinitionInputResourceSchema, MAX_OPS } from "@/lib/resources/workflow-input";

/** Largest value a Postgres integer holds: versions and similar numbers stop here. */
export const MAX_INT = 2_147_483_647;

export const WorkflowIdParamsSchema = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: "id", in: "path" }, example: "wf_k3v9x0q2m5h7c1b8n4z6" }),
});

export const WorkflowVersionParamsSchema = WorkflowIdParamsSchema.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_INT)
    .openapi({ param: { name: "version", in: "path" }, type: "integer", minimum: 1, maximum: MAX_INT, example: 2 }),
});

// Rebuilt with the OpenAPI-extended `z`: schemas created by lib/engine (plain zod) may predate the
// extension and then have no `.openapi`, depending on import order.
export const DefinitionSchema = z.object(WorkflowDefinitionSchema.shape).strict().openapi("WorkflowDefinition", {
  description: "Blocks, edges and variables, as stored (docs/patch-endpoint.md).",
});

// The workflow resource is declared once, in lib/resources/workflow.ts; rebuilt here with the
// OpenAPI-extended `z` so the document names it and its definition.
export const WorkflowSchema = z.object({ ...WorkflowResourceSchema.shape, definition: DefinitionSchema }).openapi("Workflow");

export const ActorSummarySchema = z.object(ActorSummaryResourceSchema.shape).openapi("ActorSummary");

/** A workflow as the list shows it (lib/resources/workflow.ts): the resource, its newest run, who saved it. */
export const WorkflowListItemSchema = z
  .object({ ...WorkflowListItemResourceSchema.shape, definition: DefinitionSchema, updatedBy: ActorSummarySchema.nullable() })
  .openapi("WorkflowListItem");

/** `GET /api/workflows`: paging, and a name search. */
export const WorkflowListQuerySchema = PageQuerySchema.extend({
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Only workflows whose name contains this text (any case; % and _ match themselves)", example: "greet" }),
}).strict();

// ---- definitions sent by clients (lenient inside blocks and edges: lib/resources/workflow-input.ts) ----

export const DefinitionInputSchema = z
  .object(DefinitionInputResourceSchema.shape)
  .strict()
  .openapi("WorkflowDefinitionInput", {
    description:
      "A whole definition. Problems inside blocks and edges come back as skipped_items / validation_errors, not as a 400.",
  });

export const CreateWorkflowBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2_000).optional(),
    definition: DefinitionInputSchema.optional(),
  })
  .strict()
  .openapi("CreateWorkflowBody");

export const UpdateWorkflowBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2_000).optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.description !== undefined, { message: "send name or description" })
  .openapi("UpdateWorkflowBody");

// ---- the patch endpoint ----

export { MAX_OPS };

const EditOpDocSchema = z.unknown().openapi({
  type: "object",
  description: `One EditOp; each is validated on its own (a bad one is skipped as invalid_op). Shapes: ${Object.values(OP_SHAPES).join(" | ")}`,
  example: { operation_type: "add", block_id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
});

const EditFlagsShape = {
  dry_run: z.boolean().optional().openapi({ description: "Compute the full response and save nothing" }),
  atomic: z.boolean().optional().openapi({ description: "Save only when no op was skipped" }),
};

export const OperationsBodySchema = z
  .object({ ops: z.array(EditOpDocSchema).max(MAX_OPS), ...EditFlagsShape })
  .strict()
  .openapi("OperationsBody");

export const PutDefinitionBodySchema = z
  .object({ definition: DefinitionInputSchema, ...EditFlagsShape })
  .strict()
  .openapi("PutDefinitionBody");

export const RestoreBodySchema = z
  .object({ version: z.number().int().min(1).max(MAX_INT), ...EditFlagsShape })
  .strict()
  .openapi("RestoreBody");

const SuggestedOpsSchema = z.array(EditOpDocSchema).optional().openapi({ description: "EditOps that would do what was meant, to send as they are or adapt" });
const names = (description: string) => z.array(z.string()).optional().openapi({ description });

export const SkipDetailsSchema = z
  .object({
    operation_types: names("invalid_op: the operation types there are"),
    shape: z.string().optional().openapi({ description: "invalid_op: the shape of the op's operation_type" }),
    pattern: z.string().optional().openapi({ description: "invalid_block_id: the pattern a block id must match" }),
    suggestion: z.string().optional().openapi({ description: "invalid_block_id, block_already_exists: a valid, free id to use instead" }),
    existing_type: z.string().optional().openapi({ description: "block_already_exists: the type of the block that has the id" }),
    registered: names("block_type_not_registered: every registered type, nearest first"),
    closest: names("The nearest valid names (types, handles, block ids), nearest first; may be empty"),
    allowed: names("invalid_source_handle: the handles the source block has"),
    params: names("hidden_param_in_input, param_not_llm_settable: the params that cannot be set; secret_required: the secret-only params or fields (auth.token) that got a value"),
    settable_params: names("hidden_param_in_input, param_not_llm_settable: the params this caller may set on that type"),
    existing_block_ids: names("block_not_found, invalid_edge_source, invalid_edge_target: ids in the workflow (at most 50)"),
    add_op: z
      .object({ index: z.number().int(), reason_code: z.enum(SKIP_CODES).optional() })
      .optional()
      .openapi({
        description:
          "The op of this batch that adds the missing block: later in the batch (move this op after it), or skipped with reason_code (fix it and send both again)",
      }),
    cycle: names("cycle_introduced: the cycle the edge would close"),
    edges: z
      .array(z.object({ source: z.string(), target: z.string(), source_handle: z.string().optional() }))
      .optional()
      .openapi({ description: "edge_not_found: the edges leaving the source block (at most 50)" }),
    suggested_ops: SuggestedOpsSchema,
  })
  .openapi("SkipDetails", { description: "The fix as data, beside the hint; which fields appear depends on reason_code (docs/patch-endpoint.md)" });

export const SkippedItemSchema = z
  .object({
    index: z.number().int().openapi({ description: "0-based position in ops" }),
    operation_type: z.string().nullable(),
    block_id: z.string().nullable(),
    reason_code: z.enum(SKIP_CODES),
    reason: z.string().openapi({ description: "What is wrong" }),
    hint: z.string().openapi({ description: "What to send instead" }),
    details: SkipDetailsSchema.optional(),
  })
  .openapi("SkippedItem");

export const ValidationDetailsSchema = z
  .object(ValidationDetailsResourceSchema.shape)
  .openapi("ValidationDetails", { description: "The fix as data, beside the hint; which fields appear depends on code (docs/patch-endpoint.md)" });

export const ValidationErrorSchema = z
  .object({ ...ValidationErrorResourceSchema.shape, details: ValidationDetailsSchema.optional() })
  .openapi("ValidationError");

export const DroppedKeysSchema = z
  .object({ index: z.number().int(), keys: z.array(z.string()) })
  .openapi("DroppedKeys", { description: "Keys an op carried that no shape knows: ignored, the op still applied" });

export const PatchResponseSchema = z
  .object({
    ok: z.boolean().openapi({ description: "Nothing skipped and nothing invalid" }),
    saved: z.boolean().openapi({ description: "A new version was written" }),
    version: z.number().int().openapi({ description: "The workflow's version after this request" }),
    workflow: WorkflowSchema.openapi({
      description: "The workflow after this request; for dry_run, its definition is the one that would have been saved",
    }),
    validation_errors: z.array(ValidationErrorSchema),
    skipped_items: z.array(SkippedItemSchema),
    dropped_keys: z.array(DroppedKeysSchema),
    summary: z.string().openapi({ description: "A few lines, joined by \\n, that an LLM can read" }),
  })
  .openapi("PatchResponse");

export const CreatedWorkflowSchema = WorkflowSchema.extend({
  validation_errors: z.array(ValidationErrorSchema),
}).openapi("CreatedWorkflow");

// ---- history ----

/** A history entry as `GET /:id/versions` lists it; `actorInfo` names the shared ActorSummary component. */
export const WorkflowVersionSummarySchema = z
  .object({ ...WorkflowVersionSummaryResourceSchema.shape, actorInfo: ActorSummarySchema })
  .openapi("WorkflowVersionSummary");

export const WorkflowVersionSchema = z
  .object({ ...WorkflowVersionResourceSchema.shape, definition: DefinitionSchema })
  .openapi("WorkflowVersion");

// ---- connectors ----

export const ConnectorDetailQuerySchema = z
  .object({ detail: z.enum(["full", "summary"]).default("full").openapi({ description: "full (default) or summary" }) })
  .strict();

export const ConnectorTypeParamsSchema = z.object({
  type: z.string().min(1).max(200).openapi({ param: { name: "type", in: "path" }, example: "http_request" }),
});

const KIND = z.enum(["trigger", "action", "logic", "wait"]);

export const ConnectorFullSchema = z
  .object({
    type: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    kind: KIND,
    params: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        required: z.boolean(),
        description: z.string().optional(),
        visibility: z.enum(["llm", "user"]).openapi({ description: "user: only people in the editor may set it" }),
        default: z.unknown().optional(),
        templates: z.literal(false).optional().openapi({ description: "false: {{…}} in this param is not resolved; its text is used as written" }),
        secretOnly: z.literal(true).optional().openapi({ description: "true: the param takes only one {{secrets.NAME}} reference; a value is refused (secret_required)" }),
        secretOnlyFields: z
          .array(z.string())
          .optional()
          .openapi({ description: "Fields inside this object param that take only one {{secrets.NAME}} reference (e.g. token)" }),
        references: z
          .literal("workflow")
          .optional()
          .openapi({ description: "workflow: the value is the id of one of the organization's workflows (GET /api/workflows)" }),
        ui: z
          .object({
            label: z.string(),
            widget: z.enum(PARAM_WIDGETS),
            placeholder: z.string().optional(),
            language: z.string().optional().openapi({ description: "code widgets: javascript or json" }),
            advanced: z.boolean().optional().openapi({ description: "Collapsed by default in the editor" }),
            options: z.array(z.union([z.string(), z.number()])).optional().openapi({ description: "select widgets: the allowed values" }),
          })
          .openapi({ description: "How the editor renders this param (declared by the connector, else derived from its type)" }),
      }),
    ),
    paramsSchema: z.record(z.string(), z.unknown()).openapi({ description: "JSON Schema of the settable params" }),
    outputs: z.array(z.object({ name: z.string(), type: z.string(), description: z.string().optional() })),
    openOutputs: z.boolean().openapi({ description: "Outputs are the run input itself" }),
    handles: z.array(z.string()),
    dynamicHandles: z.string().optional(),
  })
  .openapi("ConnectorFull");

export const ConnectorSummarySchema = z
  .object({
    type: z.string(),
    name: z.string(),
    kind: KIND,
    description: z.string(),
    params: z.array(z.string()).openapi({ description: '"name*: type" (* = required)' }),
    outputs: z.array(z.string()),
    handles: z.array(z.string()),
  })
  .openapi("ConnectorSummary");
