/**
 * The workflow resource and its history entries (docs/patch-endpoint.md), as zod schemas: the one
 * declaration the store, the use-cases and the API's OpenAPI document derive from.
 */
import { z } from "zod";
import { WorkflowDefinitionSchema } from "@/lib/engine/model";
import { EditOpSchema, VALIDATION_CODES, type EditOp, type ValidationDetails, type ValidationError } from "@/lib/engine/ops";
import { RunStatusSchema } from "@/lib/resources/run";

const timestamp = () => z.string().meta({ format: "date-time" });

/** The workflow resource, as every workflow route returns it (top level, never wrapped). */
export const WorkflowSchema = z.object({
  id: z.string().meta({ example: "wf_k3v9x0q2m5h7c1b8n4z6" }),
  name: z.string(),
  description: z.string(),
  version: z.number().int().describe("Increases by 1 with every saved change of the definition"),
  definition: WorkflowDefinitionSchema,
  createdAt: timestamp(),
  updatedAt: timestamp(),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

/** Who saved a version, as a list shows it: the actor id, its kind, and its name in the organization. */
export const ActorSummarySchema = z.object({
  actor: z.string().describe('"user:<id>", "api_key:<id>" or "system"'),
  kind: z.enum(["user", "api_key", "system"]),
  name: z
    .string()
    .nullable()
    .describe("The member's name or the API key's name; null for system, a former member or a revoked key"),
});
export type ActorSummary = z.infer<typeof ActorSummarySchema>;

/**
 * A workflow as `GET /api/workflows` lists it: the resource, its newest run, and who saved its
 * latest version (renames are not versions, so they do not change `updatedBy`).
 */
export const WorkflowListItemSchema = WorkflowSchema.extend({
  lastRun: z
    .object({ id: z.string(), status: RunStatusSchema, createdAt: timestamp() })
    .nullable()
    .describe("The newest run of this workflow, whatever started it; null when it never ran"),
  updatedBy: ActorSummarySchema.nullable().describe("Who saved the latest version; null when the workflow has no history"),
});
export type WorkflowListItem = z.infer<typeof WorkflowListItemSchema>;

/**
 * A history entry without its definition and ops, for lists (the editor's history panel). Moves
 * by one actor within a few seconds share one entry (`folded` > 1), so version numbers can skip.
 */
export const WorkflowVersionSummarySchema = z.object({
  version: z.number().int().describe("The version this entry saved; for a folded entry, the latest of its saves"),
  actor: z.string().describe('"user:<id>", "api_key:<id>" or "system"'),
  actorInfo: ActorSummarySchema.describe("Who saved it, named inside the organization (the shape of the workflow list's updatedBy)"),
  source: z.string().describe('"create", "edit" or "restore:<version>"'),
  opCount: z.number().int().describe("How many ops the entry holds (a folded entry holds one move per block)"),
  summary: z
    .string()
    .describe('What the ops did, in one line of at most 160 characters, e.g. "added greet (greet), connected trg → greet, moved 2 blocks"'),
  folded: z
    .number()
    .int()
    .min(1)
    .describe("How many saves this entry stands for: 1, or more when position-only saves were folded into it"),
  createdAt: timestamp().describe("When it was saved; for a folded entry, when its latest save was"),
});
export type WorkflowVersionSummary = z.infer<typeof WorkflowVersionSummarySchema>;

/** One version: its definition and the ops that produced it from the previous one. */
export const WorkflowVersionSchema = z.object({
  version: z.number().int(),
  actor: z.string(),
  source: z.string(),
  createdAt: timestamp(),
  definition: WorkflowDefinitionSchema,
  ops: z.array(z.unknown()).describe("The ops that produced this version, normalized"),
});
/** `ops` are stored normalized by the engine, so they are typed as EditOps. */
export type WorkflowVersion = Omit<z.infer<typeof WorkflowVersionSchema>, "ops"> & { ops: EditOp[] };

const names = () => z.array(z.string()).optional();

/** The fix of a validation error as data (docs/patch-endpoint.md, "Validation errors"); which fields appear depends on the code. */
export const ValidationDetailsSchema = z.object({
  expected: z.string().optional().describe('missing_required_param, invalid_param: the param\'s type, e.g. "number" or "enum(GET|POST)"'),
  example: z.unknown().optional().describe("missing_required_param, invalid_param: a value of that type the connector offers"),
  params: names().describe("unknown_param: the params of the block's type"),
  closest: names().describe("The nearest valid names (params, outputs, block ids, variables), nearest first; may be empty"),
  existing_block_ids: names().describe("unresolved_reference: ids in the workflow (at most 50)"),
  upstream_block_ids: names().describe("unresolved_reference, reference_not_upstream: the blocks a template of this block may use (at most 50)"),
  outputs: names().describe("undeclared_output: the outputs of the referenced block"),
  variables: names().describe("unresolved_reference of {{vars…}}: the variables that are set"),
  trigger_types: names().describe("no_trigger: the trigger types"),
  entry_block_ids: names().describe("no_trigger: blocks no edge leads to"),
  workflows: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .optional()
    .describe("unknown_workflow: some of the organization's workflows (newest first, at most 50), one of which the param may name"),
  suggested_ops: z.array(EditOpSchema).optional().describe("EditOps that would fix it, to send as they are or adapt"),
}) satisfies z.ZodType<ValidationDetails>;

/** A validation error of a definition (lib/engine/validate.ts): what is wrong with the workflow, not with an op. */
export const ValidationErrorSchema = z.object({
  code: z.enum(VALIDATION_CODES),
  block_id: z.string().nullable(),
  block_type: z.string().nullable(),
  field: z.string().optional(),
  value: z.unknown().optional(),
  error: z.string().describe("What is wrong"),
  hint: z.string().describe("What to send to fix it"),
  details: ValidationDetailsSchema.optional(),
}) satisfies z.ZodType<ValidationError>;
