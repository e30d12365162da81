/**
 * What every use-case returns (docs/architecture.md, "Use-cases"): a value, or a typed failure
 * with a stable code and the details a caller needs to act on it. Never an HTTP error: each door
 * (the API, the MCP server, the CLI, the schedule ticker) maps failures to its own vocabulary.
 */
import type { SkippedItem, ValidationError } from "@/lib/engine/ops";

/** Who acts: an organization member's session, an organization API key, or Weft itself (a schedule, a webhook). */
export interface Actor {
  organizationId: string;
  /** Audit identity: `user:<id>`, `api_key:<id>`, `schedule:<id>`, `webhook:<id>`. */
  id: string;
  kind: "user" | "api_key" | "system";
}

/** A use-case failure: `code` is stable; the other fields are the details of that code. */
export type Failure =
  | { code: "not_found"; message: string }
  | { code: "version_not_found"; message: string }
  | { code: "version_mismatch"; message: string; current: number }
  | { code: "conflict"; message: string }
  | { code: "invalid_definition"; message: string; skipped_items: SkippedItem[]; validation_errors: ValidationError[]; summary: string }
  | { code: "workflow_invalid"; message: string; validation_errors: ValidationError[] }
  | { code: "run_not_started"; message: string }
  | { code: "invalid_body"; message: string }
  | { code: "run_finished"; message: string }
  | { code: "invalid_cursor"; message: string };

export type FailureCode = Failure["code"];

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** A successful outcome. */
export function succeed<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** A failed outcome. */
export function fail<T = never>(failure: Failure): Outcome<T> {
  return { ok: false, failure };
}

/** The failure of a workflow that is not visible to the actor (missing, deleted, or another organization's). */
export function workflowNotFound(): Failure {
  return { code: "not_found", message: "No such workflow." };
}

/** The failure of a stale `If-Match`. */
export function versionMismatch(current: number): Failure {
  return { code: "version_mismatch", message: `If-Match names a stale version; the workflow is at version ${current}.`, current };
}

/** The failure of a list cursor that this list did not return. */
export function invalidCursor(): Failure {
  return { code: "invalid_cursor", message: "The cursor is not one this list returned." };
}
