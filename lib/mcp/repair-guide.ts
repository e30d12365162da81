/**
 * What each skip reason code and validation error code means and how to fix it, written for a
 * model (docs/patch-endpoint.md has the same tables for people). Typed as records over the
 * engine's code lists, so a new code cannot ship without its line here.
 */
import type { SkipCode, ValidationCode } from "@/lib/engine/ops";
import { OP_SHAPES } from "@/lib/engine/edit-ops-parse";

const SKIP_FIXES: Record<SkipCode, string> = {
  invalid_op: "the op is not one of the shapes below (missing or mistyped field, unknown operation_type, or an update carrying `type`): send the shape the hint spells out; to change a block's type, remove it and add it again, then reconnect it.",
  invalid_block_id: "the new block id does not match ^[A-Za-z][A-Za-z0-9_-]{0,63}$: use details.suggestion.",
  block_already_exists: "an add names an id already in the workflow: use update to change that block, or add under the free id the hint suggests.",
  block_type_not_registered: "no connector has that type: pick one of details.registered (nearest first), or call list_connectors.",
  block_not_found: "update/remove/disconnect names a block that is not there: the hint says whether a later op adds it (then move this op after it) or which ids are close.",
  hidden_param_in_input: "params include operator-only params (whole op skipped): drop details.params and send the op again.",
  param_not_llm_settable: "params include params only people may set in the editor (whole op skipped): drop details.params and ask a person to set them.",
  invalid_edge_source: "connect from a block that does not exist: add it first, or connect existing blocks (listed in the hint).",
  invalid_edge_target: "connect to a block that does not exist, or to a trigger (triggers take no incoming edges): add the target first, or connect from the trigger instead.",
  invalid_source_handle: "source_handle is not a handle of the source block: use one of details.allowed, or omit source_handle for the success path.",
  duplicate_connection: "that edge already exists: nothing to do, drop the op.",
  cycle_introduced: "the edge would close a cycle (details.cycle): connect to a block that is not upstream, or disconnect an edge of the cycle first.",
  edge_not_found: "disconnect of an edge that does not exist: the hint lists the edges leaving the source block.",
};

const VALIDATION_FIXES: Record<ValidationCode, string> = {
  missing_required_param: "set the param named in `field` with an update op.",
  invalid_param: "the value fails the connector's type (`error` says how): send a value of the right type (list_connectors with `type` shows each param's type).",
  unknown_param: "the connector has no such param (it was dropped): use the param the message suggests.",
  unresolved_reference: "a {{…}} template names a block or variable that does not exist, or a malformed {{secrets.NAME}}: reference an existing block id, set the variable with set_variables, or fix the name.",
  reference_not_upstream: "a template references the block itself or a block that is not upstream: reference only blocks connected before it, or add the missing connect.",
  undeclared_output: "a template references an output the upstream connector does not declare: use one of its outputs (list_connectors with `type`).",
  no_trigger: "the workflow has no trigger block: add one (trigger_manual, trigger_webhook or trigger_schedule) and connect it to the first block.",
  multiple_triggers: "a workflow has exactly one trigger: remove the extra one.",
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
export const SKIP_GUIDE = `skipped_items: ops that were not applied, each { index, operation_type, block_id, reason_code, reason, hint, details? }. Fix from reason_code and hint:\n${lines(SKIP_FIXES)}`;

/** Every validation error code with its fix. */
export const VALIDATION_GUIDE = `validation_errors: problems of the resulting workflow (they never block a save, but a run is refused until they are fixed), each { code, block_id, block_type, field?, value?, error }:\n${lines(VALIDATION_FIXES)}`;
