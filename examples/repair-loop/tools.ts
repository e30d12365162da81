/**
 * The Weft tools the repair-loop agent calls, named and shaped like the MCP server's tools
 * (`/api/mcp`: create_workflow, patch_workflow, run_workflow), so one agent runs over either
 * transport: HTTP (./http-transport.ts) now, MCP once a client for it is added here.
 * Only what the agent reads is typed; everything else passes through untouched.
 */

/** An EditOp as the patch endpoint takes it (docs/patch-endpoint.md). */
export type EditOp = { operation_type: string; block_id?: string; [key: string]: unknown };

/** "connect start→hello", "add hello": an op as the loop prints it. */
export function opLabel(op: EditOp | undefined): string {
  if (!op) return "?";
  const target = typeof op.target_block_id === "string" ? `→${op.target_block_id}` : "";
  return `${op.operation_type} ${op.block_id ?? ""}${target}`;
}

/** A skipped op: why (`reason_code`, `reason`), what to send (`hint`) and the fix as data (`details`). */
export interface SkippedItem {
  index: number;
  operation_type: string | null;
  block_id: string | null;
  reason_code: string;
  reason: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** A problem of the resulting workflow, with its fix. */
export interface ValidationError {
  code: string;
  block_id: string | null;
  block_type: string | null;
  field?: string;
  value?: unknown;
  error: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** What patch_workflow answers. */
export interface PatchResult {
  ok: boolean;
  saved: boolean;
  version: number;
  skipped_items: SkippedItem[];
  validation_errors: ValidationError[];
  summary?: string;
}

/** A run as run_workflow answers it (after waiting). */
export interface Run {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  error: { message: string; blockId?: string; code?: string } | null;
}

/** The tools, as the agent calls them. Each throws a `ToolError` when Weft refuses the call. */
export interface WeftTools {
  create_workflow(args: { name: string; description?: string }): Promise<{ id: string; version: number }>;
  patch_workflow(args: { workflow_id: string; ops: EditOp[]; if_match?: number; dry_run?: boolean; atomic?: boolean }): Promise<PatchResult>;
  /** Starts a run; with `wait_seconds`, answers once it finished (or the time is up). */
  run_workflow(args: { workflow_id: string; input?: unknown; wait_seconds?: number }): Promise<Run>;
}

/** A transport: the tools, where they go, and how to let go of them. */
export interface WeftTransport {
  /** "HTTP http://localhost:3000" — printed at the start. */
  description: string;
  tools: WeftTools;
  close(): Promise<void>;
}

/** The stable `error` code of a refusal's body (the HTTP API's and the MCP tools' shape), else `fallback`. */
export function errorCodeOf(body: unknown, fallback: string): string {
  return typeof body === "object" && body !== null && "error" in body ? String((body as { error: unknown }).error) : fallback;
}

/** Weft refused a call: its stable error code and the answer's body. */
export class ToolError extends Error {
  constructor(
    readonly tool: string,
    readonly code: string,
    readonly body: unknown,
  ) {
    super(`${tool}: ${code}${typeof body === "object" && body !== null && "message" in body ? ` (${String((body as { message: unknown }).message)})` : ""}`);
  }
}
