/**
 * Shapes shared by the editor's parts (canvas, palette, block panel, history): the catalog as the
 * API serves it, what the server said about each block on the last save, and template suggestions.
 */
import type { CatalogEntryFull } from "@/lib/engine/catalog";
import type { RetryPolicy } from "@/lib/engine/model";

export type CatalogEntry = CatalogEntryFull;

/** One thing the server reported about a block: a skipped op (with its hint) or a validation error of the saved workflow. */
export interface BlockIssue {
  source: "skip" | "validation";
  /** The stable code: a skip `reason_code` or a validation `code`. */
  code: string;
  /** The param it is about, when it is about one. */
  field?: string;
  /** The server's `reason` (skips) or `error` (validation errors), shown as it is. */
  message: string;
  /** What to send instead (skips only). */
  hint?: string;
}

/** A change to one block from the side panel; a param set to `null` is removed (patch-endpoint semantics). */
export interface BlockChange {
  name?: string;
  params?: Record<string, unknown>;
  enabled?: boolean;
  /** `null` removes the block's retry policy. */
  retry?: RetryPolicy | null;
}

/** One entry offered after `{{`: `insert` is the path between the braces, e.g. "trg.body.name". */
export interface TemplateSuggestion {
  group: "block" | "trigger" | "variable" | "secret";
  insert: string;
  /** A short type or sample value shown beside it. */
  detail?: string;
}
