/**
 * MCP tools over workflows: list, read, create, patch (the patch endpoint's EditOps) and validate.
 * Each calls the use-case the matching HTTP route calls (lib/workflows).
 */
import { z } from "zod";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { DefinitionInputSchema, MAX_OPS } from "@/lib/resources/workflow-input";
import { patchWorkflow } from "@/lib/workflows/edit";
import { createWorkflow, getWorkflow, listWorkflows, validateWorkflow } from "@/lib/workflows/workflows";
import { OP_SHAPE_LINES, SKIP_GUIDE, VALIDATION_GUIDE } from "@/lib/mcp/repair-guide";
import { defineTool } from "@/lib/mcp/tool";

export const WorkflowIdArg = z.string().min(1).max(200).describe("The workflow's id (wf_…), from create_workflow or list_workflows");
const LimitArg = z.number().int().min(1).max(100).default(20).describe("Page size, 1–100 (default 20)");
const CursorArg = z.string().max(512).optional().describe("nextCursor of the previous page; omit for the first page");

const NOT_FOUND = "Error `not_found`: no such workflow in your organization (also for deleted ones and other organizations'): check the id with list_workflows.";

const listWorkflowsTool = defineTool({
  name: "list_workflows",
  title: "List workflows",
  description:
    "Lists your organization's workflows, newest first, to find one to read, edit or run. Returns { data, nextCursor }: each item is a workflow { id, name, description, version, definition, createdAt, updatedAt } with lastRun (its newest run's id, status and time, or null) and updatedBy (who saved it last). Pass nextCursor back as `cursor` for the next page; a cursor this list did not return → error `invalid_cursor`.",
  input: z
    .object({
      query: z.string().max(200).optional().describe("Only workflows whose name contains this text (any case)"),
      limit: LimitArg,
      cursor: CursorArg,
    })
    .strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ query, limit, cursor }, { deps, actor }) => listWorkflows(deps, actor, { q: query, limit, cursor }),
});

const getWorkflowTool = defineTool({
  name: "get_workflow",
  title: "Read a workflow",
  description: `Reads one workflow with its current definition: { id, name, description, version, definition: { blocks, edges, variables? }, createdAt, updatedAt }. Read it before patching, to see block ids, params and edges; pass its version as if_match to patch_workflow so a concurrent change is not overwritten. ${NOT_FOUND}`,
  input: z.object({ workflow_id: WorkflowIdArg }).strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ workflow_id }, { deps, actor }) => getWorkflow(deps, actor, workflow_id),
});

const createWorkflowTool = defineTool({
  name: "create_workflow",
  title: "Create a workflow",
  description: `Creates a workflow at version 1 and returns it (with its validation_errors). Usually create it empty (just a name) and build it with patch_workflow, which applies what it can and explains each op it skips. With \`definition\` ({ blocks: [{ id, type, name?, params?, position?, enabled?, retry? }], edges: [{ source, target, sourceHandle? }], variables? }), the definition must apply whole: if any part would be skipped, nothing is created and the error is \`invalid_definition\` with skipped_items, validation_errors and summary (fix them and call again). Validation errors alone do not block creation. patch_workflow's description explains each skip reason code and how to fix it.`,
  input: z
    .object({
      name: z.string().trim().min(1).max(200).optional().describe("A name people will recognise (default: Untitled workflow)"),
      description: z.string().max(2_000).optional(),
      definition: DefinitionInputSchema.optional().describe("An initial definition (optional): it must apply without skips"),
    })
    .strict(),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run: ({ name, description, definition }, { deps, actor }) =>
    // Only the outer shape is checked here: applyEditOps reports what is wrong inside blocks and edges.
    createWorkflow(deps, actor, { name, description, definition: definition as WorkflowDefinition | undefined }),
});

const patchWorkflowTool = defineTool({
  name: "patch_workflow",
  title: "Edit a workflow with EditOps",
  description: `The way to build and change a workflow: applies a batch of EditOps in order. A bad op never rejects the batch: it is skipped and explained, and the rest still apply. Returns { ok, saved, version, skipped_items, validation_errors, dropped_keys, summary, workflow }: ok is true when nothing was skipped and nothing is invalid; saved says whether a new version was written; workflow is the result (for dry_run, what would have been saved). Repair loop: read skipped_items and validation_errors, send a new batch that fixes them (from reason_code, hint and details), until ok is true; then run_workflow.
Op shapes (block_id of connect/disconnect is the edge's source; a connect to a block added later in the same batch waits for it):
${OP_SHAPE_LINES}
Params may contain templates: {{trigger.path}} (the run input), {{<blockId>.path}} (an upstream block's output), {{vars.name}}, {{secrets.NAME}}. list_connectors gives each type's params, outputs and handles (edges leave through a handle with source_handle: a condition has true/false, action and wait blocks also have error).
${SKIP_GUIDE}
${VALIDATION_GUIDE}
Errors: \`version_mismatch\` (if_match is stale; \`current\` is the version now: get_workflow, rebuild the batch against it, and send it with if_match = current), \`conflict\` (the workflow kept changing: send the batch again), \`not_found\` (no such workflow: check the id with list_workflows).`,
  input: z
    .object({
      workflow_id: WorkflowIdArg,
      ops: z
        .array(z.unknown().meta({ type: "object", description: "One EditOp (shapes in the tool description); a malformed one is skipped as invalid_op" }))
        .max(MAX_OPS)
        .describe(`The EditOps, applied in order (at most ${MAX_OPS}; send more in another call)`),
      if_match: z
        .number()
        .int()
        .min(1)
        .max(2_147_483_647)
        .optional()
        .describe("The version this batch was built against; if the workflow moved on, nothing changes and the error is version_mismatch"),
      dry_run: z.boolean().optional().describe("Compute the whole answer and save nothing (try a batch first)"),
      atomic: z.boolean().optional().describe("Save only when no op was skipped (validation errors do not stop it)"),
    })
    .strict(),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  run: ({ workflow_id, ops, if_match, dry_run, atomic }, { deps, actor }) =>
    patchWorkflow(deps, actor, workflow_id, ops, { ifMatch: if_match, dryRun: dry_run, atomic }),
});

const validateWorkflowTool = defineTool({
  name: "validate_workflow",
  title: "Validate a workflow",
  description: `Checks the workflow's current version as a run would, without running or changing it. Returns { ok, version, validation_errors, summary }; ok true means run_workflow will accept it. To check a change before saving it, use patch_workflow with dry_run instead. Each error is { code, block_id, block_type, field?, value?, error, hint, details? }; patch_workflow's description explains each code and how to fix it. ${NOT_FOUND}`,
  input: z.object({ workflow_id: WorkflowIdArg }).strict(),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ workflow_id }, { deps, actor }) => validateWorkflow(deps, actor, workflow_id),
});

export const workflowTools = [listWorkflowsTool, getWorkflowTool, createWorkflowTool, patchWorkflowTool, validateWorkflowTool];
