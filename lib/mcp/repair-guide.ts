/**
 * What each skip reason code and validation error code means and how to fix it, written for a
 * model (docs/patch-endpoint.md has the same tables for people). Typed as records over the
 * engine's code lists, so a new code cannot ship without its line here.
 */
import type { SkipCode, ValidationCode } from "@/lib/engine/ops";
import { OP_SHAPES } from "@/lib/engine/edit-ops-parse";

const SKIP_FIXES: Record<SkipCode, string> = {
  invalid_op: "the op is not one of the shapes below (missing or mistyped field, unknown operation_type, or an update carrying `type`): send details.shape (or one of details.operation_types); to change a block's type, remove it and add it again, then reconnect it.",
  invalid_block_id: "the new block id does not match ^[A-Za-z][A-Za-z0-9_-]{0,63}$: use details.suggestion.",
  block_already_exists: "an add names an id already in the workflow (details.existing_type): use update to change that block, or add under details.suggestion, a free id.",
  block_type_not_registered: "no connector has that type: use details.closest[0] when it fits, else one of details.registered (nearest first), or call list_connectors.",
  block_not_found: "update/remove/disconnect names a block that is not there: details.add_op says which op of the batch adds it (later: move this op after it; skipped, with its reason_code: fix that op and send both again); else details.closest / details.existing_block_ids.",
  hidden_param_in_input: "params include operator-only params (whole op skipped): drop details.params and send the op again (details.settable_params are the ones you may set).",
  param_not_llm_settable: "params include params only people may set in the editor (whole op skipped): drop details.params, send the op again, and ask a person to set them.",
  secret_required: "a credential param (details.params) got a value instead of a {{secrets.NAME}} reference (whole op skipped, the value was not stored): send details.suggested_ops (the op with references in place) and have an owner or admin store the value as that organization secret; never put a key in params.",
  invalid_edge_source: "connect from a block that does not exist: if details.add_op names a skipped add, fix that op and send both again in one batch; else use details.closest or one of details.existing_block_ids.",
  invalid_edge_target: "connect to a block that does not exist (as invalid_edge_source), or to a trigger (triggers take no incoming edges): send details.suggested_ops, the connect from the trigger.",
  invalid_source_handle: "source_handle is not a handle of the source block: use details.closest[0] or one of details.allowed, or omit source_handle for the success path.",
  duplicate_connection: "that edge already exists: nothing to do, drop the op.",
  cycle_introduced: "the edge would close a cycle (details.cycle): connect to a block that is not upstream, or disconnect an edge of the cycle first.",
  edge_not_found: "disconnect of an edge that does not exist: details.edges lists the edges leaving the source block.",
};

const VALIDATION_FIXES: Record<ValidationCode, string> = {
  missing_required_param: "set the param named in `field` with an update op: details.expected is its type, details.example a value it accepts (the hint has the op).",
  invalid_param: "the value fails the connector's type (`error` says how): send a value of type details.expected, e.g. details.example.",
  secret_required: "a credential param (`field`) holds a value instead of a {{secrets.NAME}} reference, so the workflow cannot run: send details.suggested_ops (an update writing details.example) and have an owner or admin store the value as that organization secret.",
  unknown_param: "the connector has no such param (it was dropped): use details.closest[0], or one of details.params.",
  unresolved_reference: "a {{…}} template names a block or variable that does not exist, or a malformed {{secrets.NAME}}: reference one of details.upstream_block_ids (details.closest is the nearest id), set the variable with set_variables, or fix the name.",
  reference_not_upstream: "a template references the block itself or a block that is not upstream: send details.suggested_ops (the missing connect, or the reversed edge when it points the wrong way), or reference one of details.upstream_block_ids.",
  undeclared_output: "a template references an output the upstream connector does not declare: use details.closest[0] or one of details.outputs.",
  no_trigger: "the workflow has no trigger block: send details.suggested_ops (add a trigger, connect it to details.entry_block_ids) or add another of details.trigger_types.",
  multiple_triggers: "a workflow has exactly one trigger: remove the extra one (details.suggested_ops).",
  unknown_workflow: "a call_workflow's workflow_id names no workflow of your organization (never existed, deleted, or another organization's): set it to one of details.workflows[].id (details.closest[0] is the nearest id; call list_workflows for all), or create that workflow first.",
};

function lines(fixes: Record<string, string>): string {
  return Object.entries(fixes)
    .map(([code, fix]) => `- ${code}: ${fix}`)
    .join("\n");
}

/** The op shapes, one per line. */
export const OP_SHAPE_LINES = Object.values(OP_SHAPES)
  .map((shape) => `- ${shape}`)
  .join("\n");

/** Every skip reason code with its fix. */
export const SKIP_GUIDE = `skipped_items: ops that were not applied, each { index, operation_type, block_id, reason_code, reason, hint, details? }; details holds the fix as data. Fix from reason_code, hint and details:\n${lines(SKIP_FIXES)}`;

/** Every validation error code with its fix. */
export const VALIDATION_GUIDE = `validation_errors: problems of the resulting workflow (they never block a save, but a run is refused until they are fixed), each { code, block_id, block_type, field?, value?, error, hint, details? } (hint: what to send; details: the fix as data):\n${lines(VALIDATION_FIXES)}`;
