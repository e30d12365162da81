/**
 * Validation of a workflow definition (docs/patch-endpoint.md): params against each connector's zod schema,
 * `{{…}}` references against the graph (./validate-references.ts), and the one-trigger rule. It
 * describes the workflow, not the ops that produced it, and never throws. Every error says what
 * is wrong (`error`), what to send (`hint`) and, where it helps, the fix as data (`details`).
 */
import type { z } from "zod";
import { literalParamNames, type AnyConnector, type ConnectorRegistry } from "./connector";
import type { Block, WorkflowDefinition } from "./model";
import { MAX_DETAIL_LIST, type AddOp, type ConnectOp, type EditOp, type ValidationError } from "./ops";
import { hasTemplate } from "./templates";
import { paramVisibilities, unknownParamError } from "./edit-ops-params";
import { freeBlockId, listNames, shortText } from "./edit-ops-hints";
import { paramExpectation } from "./param-examples";
import { checkReferences, referenceContext } from "./validate-references";
import { describeViolations, secretOnlyFields, secretOnlyViolations, withSuggestedSecrets } from "./secret-only";
import { checkWorkflowReferences, type WorkflowDirectory } from "./validate-workflow-references";

/** What only the caller knows (the organization's data); without it, those checks are left out. */
export interface ValidationContext {
  /** The workflows the definition names (call_workflow): unknown ones are `unknown_workflow`. */
  workflows?: WorkflowDirectory;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { value: unknown; templated: boolean } {
  let current = root;
  for (const segment of path) {
    if (typeof current === "string" && hasTemplate(current)) return { value: current, templated: true };
    if (current === null || typeof current !== "object") return { value: undefined, templated: false };
    const key = String(segment);
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return { value: current, templated: typeof current === "string" && hasTemplate(current) };
}

/** The update op that sets one param, as hint text. */
function updateText(blockId: string, param: string, example: unknown): string {
  return JSON.stringify({ operation_type: "update", block_id: blockId, params: { [param]: example } });
}

/** Hint and details of a param that is missing or has a wrong value: its type and an example update. */
function paramFix(block: Block, connector: AnyConnector, param: string, hidden: boolean): Pick<ValidationError, "hint" | "details"> {
  if (hidden) return { hint: `params.${param} is operator configuration: remove it with {"operation_type":"update","block_id":"${block.id}","params":{"${param}":null}}` };
  const expectation = paramExpectation(connector, param);
  if (!expectation) return { hint: `set params.${param}` };
  const { expected, example } = expectation;
  if (example === undefined) return { hint: `set params.${param} to a value of type ${expected} (or a {{…}} template)`, details: { expected } };
  return {
    hint: `set params.${param} to a value of type ${expected} (or a {{…}} template), e.g. ${shortText(updateText(block.id, param, example), 200)}`,
    details: { expected, example },
  };
}

/**
 * One secret_required error per secret-only field holding anything but one {{secrets.NAME}}
 * (a definition stored before the field was secret-only, or written some other way). The value is
 * never echoed. Returns the fields flagged, whose zod issues are then not reported again.
 */
function checkSecretOnly(block: Block, connector: AnyConnector, errors: ValidationError[]): string[] {
  const flagged: string[] = [];
  for (const violation of secretOnlyViolations(connector, block.params)) {
    const field = violation.path.join(".");
    const param = violation.path[0];
    const { reason, fix } = describeViolations(block.type, [violation]);
    const error: ValidationError = { code: "secret_required", block_id: block.id, block_type: block.type, field, error: `${reason}; the workflow cannot run until it is one`, hint: fix };
    if (violation.kind === "literal") {
      const fixed = withSuggestedSecrets(block.params, [violation]);
      error.details = {
        expected: "{{secrets.NAME}}",
        example: violation.suggestion,
        suggested_ops: [{ operation_type: "update", block_id: block.id, params: { [param]: fixed[param] } }],
      };
    } else {
      error.details = { expected: "{{secrets.NAME}}" };
    }
    errors.push(error);
    flagged.push(field);
  }
  return flagged;
}

/** Whether `field` ("auth.token") is `path` or inside it. */
function within(field: string, path: string): boolean {
  return field === path || field.startsWith(`${path}.`);
}

function checkParams(block: Block, connector: AnyConnector, errors: ValidationError[], flagged: readonly string[]): void {
  const result = (connector.params as z.ZodObject).safeParse(block.params);
  if (result.success) return;
  const secretPaths = secretOnlyFields(connector).map((f) => f.path.join("."));
  const visibilities = paramVisibilities(connector);
  const literal = literalParamNames(connector);
  const base = { block_id: block.id, block_type: block.type };
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
      for (const key of issue.keys) {
        const unknown = unknownParamError(block.id, connector, block.type, key, block.params[key]);
        errors.push({ ...unknown, error: `"${shortText(key)}" is not a param of ${block.type}` });
      }
      continue;
    }
    const { value, templated } = valueAt(block.params, issue.path);
    // A templated value is checked again once resolved, at run time; a literal param never is.
    if (templated && !literal.includes(String(issue.path[0]))) continue;
    const field = issue.path.map(String).join(".");
    if (flagged.some((path) => within(field, path))) continue; // already secret_required
    const param = String(issue.path[0] ?? "");
    const hidden = visibilities.get(param) === "hidden";
    // A secret-only field's value is never echoed, nor a param holding one.
    const secret = secretPaths.some((path) => within(path, field) || within(field, path));
    if (issue.path.length === 1 && value === undefined) {
      const description = (connector.params.shape as Record<string, z.ZodType>)[field]?.description;
      errors.push({
        ...base,
        code: "missing_required_param",
        field,
        error: `${block.type} requires param "${field}"${description ? ` (${description})` : ""}`,
        ...paramFix(block, connector, param, hidden),
      });
    } else {
      const error: ValidationError = { ...base, code: "invalid_param", field, error: `${field || "params"}: ${issue.message}`, ...paramFix(block, connector, param, hidden) };
      if (!hidden && !secret) error.value = value;
      errors.push(error);
    }
  }
}

/** The no_trigger error: the trigger types, and the ops adding one before the blocks nothing leads to. */
function noTrigger(definition: WorkflowDefinition, registry: ConnectorRegistry): ValidationError {
  const types = registry.list().filter((c) => c.kind === "trigger").map((c) => c.type);
  const targets = new Set(definition.edges.map((e) => e.target));
  const entries = definition.blocks.filter((b) => !targets.has(b.id)).map((b) => b.id);
  const ids = new Set(definition.blocks.map((b) => b.id));
  const id = freeBlockId("start", (candidate) => ids.has(candidate));
  const suggested: EditOp[] = [];
  if (types.length > 0) {
    const add: AddOp = { operation_type: "add", block_id: id, type: types[0] };
    suggested.push(add, ...entries.slice(0, 5).map((target): ConnectOp => ({ operation_type: "connect", block_id: id, target_block_id: target })));
  }
  return {
    code: "no_trigger",
    block_id: null,
    block_type: null,
    error: "the workflow has no trigger block",
    hint: `add one (${listNames(types)}) and connect it to the first block${entries.length > 0 ? ` (nothing leads to: ${listNames(entries)})` : ""}`,
    details: { trigger_types: types, entry_block_ids: entries.slice(0, MAX_DETAIL_LIST), suggested_ops: suggested },
  };
}

/**
 * Every validation error of a definition, in block order, then the trigger rules. Never throws.
 * With `context.workflows`, workflow ids the organization does not have are errors too.
 */
export function validateDefinition(definition: WorkflowDefinition, registry: ConnectorRegistry, context: ValidationContext = {}): ValidationError[] {
  const { blocks } = definition;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < blocks.length; i++) indexOf.set(blocks[i].id, i);
  const refs = referenceContext(definition, registry, indexOf);
  const errors: ValidationError[] = [];
  const triggers: Block[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const connector = registry.get(block.type);
    if (connector) {
      checkParams(block, connector, errors, checkSecretOnly(block, connector, errors));
      if (connector.kind === "trigger") triggers.push(block);
    }
    checkReferences(block, i, refs, errors);
    if (context.workflows) checkWorkflowReferences(block, registry, context.workflows, errors);
  }
  if (blocks.length > 0 && triggers.length === 0) errors.push(noTrigger(definition, registry));
  for (const extra of triggers.slice(1)) {
    errors.push({
      code: "multiple_triggers",
      block_id: extra.id,
      block_type: extra.type,
      error: `a workflow has exactly one trigger, but "${extra.id}" is another one besides "${triggers[0].id}"`,
      hint: `remove one of them, e.g. {"operation_type":"remove","block_id":"${shortText(extra.id)}"} (any workflow can also be run through the API, whatever its trigger)`,
      details: { suggested_ops: [{ operation_type: "remove", block_id: extra.id }] },
    });
  }
  return errors;
}
