/**
 * The `summary` of a patch response: a few lines an LLM can read as tool output — what applied,
 * whether it was saved, each skipped op with its fix, and the workflow's validation errors with theirs.
 */
import type { DroppedKeys, SkippedItem, ValidationError } from "./ops";
import { preview } from "./edit-ops-parse";
import { shortText } from "./edit-ops-hints";

const MAX_LINES = 20;

export interface SummaryInput {
  opCount: number;
  appliedCount: number;
  skipped: readonly SkippedItem[];
  /** Target ids of connect/disconnect ops by index, for "connect a→b". */
  targets: ReadonlyMap<number, string>;
  droppedKeys: readonly DroppedKeys[];
  validationErrors: readonly ValidationError[];
  changed: boolean;
  commit: boolean;
  dryRun: boolean;
  atomic: boolean;
  currentVersion?: number;
  blockCount: number;
  edgeCount: number;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function capped(lines: string[]): string[] {
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES), `… and ${lines.length - MAX_LINES} more`];
}

function opLabel(item: SkippedItem, target: string | undefined): string {
  const parts = [`op ${item.index}`];
  if (item.operation_type) parts.push(shortText(item.operation_type, 32));
  if (item.block_id !== null) {
    const source = shortText(item.block_id, 40);
    parts.push(target !== undefined ? `${source}→${shortText(target, 40)}` : source);
  }
  return parts.join(" ");
}

function saveLine(input: SummaryInput): string {
  const stays = input.currentVersion !== undefined ? `version stays ${input.currentVersion}` : "the version is unchanged";
  if (input.dryRun) return input.changed ? "Nothing saved: dry run." : "Nothing saved: dry run (and no change).";
  if (input.atomic && input.skipped.length > 0) {
    return `Nothing saved: atomic batch had ${plural(input.skipped.length, "skipped op")}; ${stays}.`;
  }
  if (!input.changed) return `No change; ${stays}.`;
  return input.currentVersion !== undefined ? `Saved as version ${input.currentVersion + 1}.` : "Saved as a new version.";
}

/** The summary text: lines joined by "\n", each list capped at about 20 lines. */
export function summarizeEditOps(input: SummaryInput): string {
  const lines: string[] = [];
  const skippedCount = input.skipped.length;
  lines.push(
    `Applied ${input.appliedCount} of ${plural(input.opCount, "op")}${skippedCount > 0 ? `; skipped ${skippedCount}` : ""}.`,
  );
  lines.push(saveLine(input));
  lines.push(
    ...capped(
      input.skipped.map(
        (item) => `${opLabel(item, input.targets.get(item.index))} skipped: ${item.reason_code}: ${item.reason} — ${item.hint}`,
      ),
    ),
  );
  for (const dropped of input.droppedKeys) {
    lines.push(`op ${dropped.index}: ignored unknown keys ${dropped.keys.map((k) => preview(shortText(k, 40))).join(", ")}.`);
  }
  const errors = input.validationErrors;
  const shape = `Workflow: ${plural(input.blockCount, "block")}, ${plural(input.edgeCount, "edge")}`;
  if (errors.length === 0) {
    lines.push(`${shape}; no validation errors.`);
  } else {
    lines.push(`${shape}; ${plural(errors.length, "validation error")}:`);
    lines.push(
      ...capped(
        errors.map((e) => {
          const where = `${e.block_id === null ? "workflow" : shortText(e.block_id, 40)}${e.field ? `.${shortText(e.field, 40)}` : ""}`;
          return `- ${where}: ${e.code}: ${e.error} — ${e.hint}`;
        }),
      ),
    );
  }
  return lines.join("\n");
}
