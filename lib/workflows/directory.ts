/**
 * The organization's side of validating a definition: the workflows its call_workflow blocks
 * name (lib/engine/validate-workflow-references.ts). Every use-case that validates — the patch
 * endpoint, create, validate, run start — looks them up here, so a reference to a workflow the
 * organization does not have is an `unknown_workflow` error wherever it is checked.
 */
import type { Database } from "@/db/client";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { workflowReferences, type WorkflowDirectory } from "@/lib/engine/validate-workflow-references";
import { findWorkflowDirectory } from "@/lib/store/workflows";

/** The directory of the workflows `definition` names, or undefined when it names none (no query). */
export async function workflowDirectoryOf(
  deps: { db: Database; registry: ConnectorRegistry },
  organizationId: string,
  definition: WorkflowDefinition,
): Promise<WorkflowDirectory | undefined> {
  const refs = workflowReferences(definition, deps.registry);
  if (refs.length === 0) return undefined;
  return findWorkflowDirectory(deps.db, organizationId, refs.map((ref) => ref.workflowId));
}
