/**
 * The organization-aware check of validation (docs/patch-endpoint.md, "Validation errors"): a
 * param that names a workflow (tagged `references: "workflow"`, call_workflow's `workflow_id`)
 * must name one of the organization's workflows. The engine stays pure: the caller looks the ids
 * up (`workflowReferences` says which) and passes what it found as a `WorkflowDirectory`. A
 * templated id is only known at run time, where the block fails with `workflow_not_found`.
 */
import { workflowParamNames, type ConnectorRegistry } from "./connector";
import type { Block, WorkflowDefinition } from "./model";
import { MAX_DETAIL_LIST, type UpdateOp, type ValidationError } from "./ops";
import { hasTemplate } from "./templates";
import { listNames, nearestNames, shortText } from "./edit-ops-hints";

/** What the caller found of the workflow ids a definition names. */
export interface WorkflowDirectory {
  /** True when the organization has a workflow with this id that is not deleted. */
  has(id: string): boolean;
  /** Some of the organization's workflows (newest first), offered in the hint of an unknown id. */
  choices: readonly { id: string; name: string }[];
}

/** A literal workflow id a block's param names. */
export interface WorkflowReference {
  blockId: string;
  field: string;
  workflowId: string;
}

/** The literal (untemplated) workflow ids the definition's blocks name, in block order. */
export function workflowReferences(definition: WorkflowDefinition, registry: ConnectorRegistry): WorkflowReference[] {
  const refs: WorkflowReference[] = [];
  for (const block of definition.blocks) refs.push(...blockReferences(block, registry));
  return refs;
}

function blockReferences(block: Block, registry: ConnectorRegistry): WorkflowReference[] {
  const connector = registry.get(block.type);
  if (!connector) return [];
  const refs: WorkflowReference[] = [];
  for (const field of workflowParamNames(connector)) {
    const value = Object.hasOwn(block.params, field) ? block.params[field] : undefined;
    // A value of the wrong type is invalid_param already; a template is checked at run time.
    if (typeof value === "string" && value !== "" && !hasTemplate(value)) refs.push({ blockId: block.id, field, workflowId: value });
  }
  return refs;
}

/** Appends an `unknown_workflow` error for each workflow id of `block` the organization does not have. */
export function checkWorkflowReferences(block: Block, registry: ConnectorRegistry, directory: WorkflowDirectory, errors: ValidationError[]): void {
  for (const ref of blockReferences(block, registry)) {
    if (directory.has(ref.workflowId)) continue;
    const choices = directory.choices.slice(0, MAX_DETAIL_LIST);
    const closest = nearestNames(ref.workflowId, choices.map((c) => c.id), 3);
    const example: UpdateOp = { operation_type: "update", block_id: block.id, params: { [ref.field]: closest[0] ?? choices[0]?.id ?? "wf_…" } };
    const named = choices.slice(0, 10).map((c) => `${c.id} ("${shortText(c.name, 40)}")`);
    errors.push({
      code: "unknown_workflow",
      block_id: block.id,
      block_type: block.type,
      field: ref.field,
      value: ref.workflowId,
      error: `params.${ref.field} names workflow "${shortText(ref.workflowId)}", which this organization does not have (no such id, deleted, or another organization's)`,
      hint:
        choices.length > 0
          ? `set it to one of this organization's workflow ids, e.g. ${JSON.stringify(example)}; workflows: ${listNames(named, 10)} (all of them: GET /api/workflows)`
          : "this organization has no workflow to call yet: create it first (POST /api/workflows), then set the param to its id",
      details: { workflows: choices.map((c) => ({ id: c.id, name: c.name })), closest, ...(closest.length > 0 ? { suggested_ops: [example] } : {}) },
    });
  }
}
