/**
 * How the CLI prints what the patch endpoint answers (docs/patch-endpoint.md): each skipped op with
 * its reason code, reason and hint, and each validation error of the resulting workflow. Used by
 * `patch`, `workflows create` and `run` (a workflow with validation errors cannot run).
 */
import type { Output } from "./output";

export interface SkippedItemView {
  index: number;
  operation_type: string | null;
  block_id: string | null;
  reason_code: string;
  reason: string;
  hint: string;
}

export interface ValidationErrorView {
  code: string;
  block_id: string | null;
  field?: string | null;
  error: string;
}

/** Every skipped op: `op 2 connect trg: invalid_edge_target`, its reason, and `hint: …`. */
export function printSkips(out: Output, skipped: readonly SkippedItemView[]): void {
  if (skipped.length === 0) return;
  out.line(out.paint("bold", `Skipped ops (${skipped.length}):`));
  for (const item of skipped) {
    const label = ["op", String(item.index), item.operation_type, item.block_id].filter((part) => part !== null && part !== "").join(" ");
    out.line(`  ${label}: ${out.paint("yellow", item.reason_code)}`);
    out.line(`    ${item.reason}`);
    if (item.hint) out.line(`    ${out.paint("cyan", "hint:")} ${item.hint}`);
  }
}

/** Every validation error: `greet.name: missing_required_param` and its message. */
export function printValidationErrors(out: Output, errors: readonly ValidationErrorView[]): void {
  if (errors.length === 0) return;
  out.line(out.paint("bold", `Validation errors (${errors.length}):`));
  for (const error of errors) {
    const where = `${error.block_id ?? "(workflow)"}${error.field ? `.${error.field}` : ""}`;
    out.line(`  ${where}: ${out.paint("red", error.code)}`);
    out.line(`    ${error.error}`);
  }
}
