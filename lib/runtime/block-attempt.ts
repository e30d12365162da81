/**
 * One attempt of one block, as it runs inside its durable step: resolve the params' templates
 * (secrets only here, in the worker), re-validate them, call the connector, and write one run log
 * entry with every secret value redacted. A block failure is returned, never thrown: a throw
 * means the machinery failed (the log write) and openworkflow retries the step.
 */
import type postgres from "postgres";
import type { z } from "zod";
import type { Database } from "@/db/client";
import { literalParamNames, type AnyConnector, type ConnectorContext, type OperatorSettings } from "@/lib/engine/connector";
import type { Block, WorkflowDefinition } from "@/lib/engine/model";
import { toJson } from "@/lib/engine/json";
import { findReferences, redactSecrets, resolveTemplatesWithSecrets, secretRedactor } from "@/lib/engine/templates";
import type { WebhookRespondOutcome, WebhookResponse } from "@/lib/engine/webhook-response";
import { describeViolations, secretOnlyViolations, withViolationsRedacted } from "@/lib/engine/secret-only";
import { writeAttemptLog, type AttemptLog, type AttemptWrite, type FinalRunWrite } from "@/lib/store/run-logs";
import { getSecretValues } from "@/lib/store/secrets";
import { recordWebhookResponse } from "@/lib/store/webhook-responses";
import type { RunLogMessage, RunLogStatus } from "@/lib/resources/run";

/** A block error: a stable code and a message (already free of secret values once redacted). */
export interface BlockError {
  message: string;
  code?: string;
  [detail: string]: unknown;
}

/** What a block attempt's step returns (JSON, memoized by openworkflow). `at` is when it ended;
 *  `final` when its log write also wrote the run's final status. */
export type AttemptResult =
  | { ok: true; output: unknown; branch?: string; at: number; final?: FinalRunWrite["status"] }
  | { ok: false; error: BlockError; at: number; final?: FinalRunWrite["status"] };

/** Thrown inside an attempt to fail the block with a code; caught before the step returns. */
export class BlockFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BlockFailure";
  }
}

/** The machinery failed (the database): rethrown so openworkflow retries the step. */
export class InfrastructureError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "InfrastructureError";
  }
}

/** What an attempt's result means for its run: the output the block settled with (null while
 *  another attempt follows, or when it failed the run), and the run's final write if it ends it. */
export interface AttemptSettlement {
  final: FinalRunWrite | null;
  settled: { output: unknown } | null;
  /** The blocks that start once this one settles, whose first step (`step.run({ name: id })`) the worker may create with this one's completion. */
  next?: string[];
  /** This block and every block starting next are pure (AttemptDeps.stageWrite). */
  defer?: boolean;
}

/** What every attempt of a run can read. */
export interface RunScope {
  runId: string;
  organizationId: string;
  definition: WorkflowDefinition;
  /** The run input: what `{{trigger.…}}` and trigger blocks output. */
  input: unknown;
  /** Outputs of the blocks settled so far, by id. */
  outputs: ReadonlyMap<string, unknown>;
}

export interface AttemptDeps {
  sql: postgres.Sql;
  db: Database;
  secretsKey: Buffer;
  /** What connectors' `operatorParams` read. */
  operator: OperatorSettings;
  /** Aborted when the run is canceled. */
  signal: AbortSignal;
  /**
   * Hands an attempt's write to the worker's backend, which sends it in the same statement that
   * completes the step returning `output` (lib/runtime/openworkflow.ts, `foldedStepCompletion`):
   * one round trip and one commit less per block, and the entry and the step's result become
   * durable together; `nextSteps` are the blocks starting next, whose first step attempts the same
   * statement creates. Without it the write goes out on its own, before the step completes.
   * `defer`: the block and all of those are pure, so the completion may wait for the next one
   * (docs/openworkflow.md, "Deferred completions").
   */
  stageWrite?: (output: object, write: AttemptWrite, nextSteps: string[], defer?: boolean) => void;
}

/** The error of a failed attempt, from whatever was thrown. */
export function blockErrorFrom(error: unknown): BlockError {
  if (error instanceof BlockFailure) return { message: error.message, code: error.code };
  const e = error as { message?: unknown; code?: unknown; status?: unknown; response?: unknown } | null;
  const out: BlockError = { message: typeof e?.message === "string" && e.message ? e.message : String(error) };
  if (typeof e?.code === "string") out.code = e.code;
  if (typeof e?.status === "number") out.status = e.status;
  if (e?.response !== undefined) out.response = toJson(e.response);
  return out;
}

/**
 * Resolves a block's params: secrets first (only the names it references), then every template,
 * except in the params its connector declares literal (`templates: false`), which stay as written.
 */
export async function resolveParams(
  block: Block,
  connector: AnyConnector,
  scope: RunScope,
  deps: Pick<AttemptDeps, "db" | "secretsKey">,
): Promise<{ params: Record<string, unknown>; secretsUsed: string[] }> {
  const literal = literalParamNames(connector).filter((name) => Object.hasOwn(block.params, name));
  const templated = literal.length === 0 ? block.params : Object.fromEntries(Object.entries(block.params).filter(([name]) => !literal.includes(name)));
  const names = [...new Set(findReferences(templated).filter((r) => r.root === "secrets" && r.path.length === 1).map((r) => r.path[0]))];
  let secrets = new Map<string, string>();
  if (names.length > 0) {
    try {
      secrets = await getSecretValues(deps.db, deps.secretsKey, scope.organizationId, names);
    } catch (error) {
      if ((error as { name?: unknown }).name === "SecretDecryptionError") throw new BlockFailure("secret_unavailable", (error as Error).message);
      throw new InfrastructureError(error);
    }
    const missing = names.filter((name) => !secrets.has(name));
    if (missing.length > 0) {
      throw new BlockFailure("missing_secret", `Secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set in this organization.`);
    }
  }
  const { value, secretsUsed } = resolveTemplatesWithSecrets(templated, {
    trigger: scope.input,
    blocks: scope.outputs,
    vars: scope.definition.variables ?? {},
    secret: (name) => secrets.get(name),
  });
  const params = value as Record<string, unknown>;
  for (const name of literal) params[name] = block.params[name];
  return { params, secretsUsed };
}

/**
 * Re-validates resolved params with the connector's schema: a failure is the block error
 * `invalid_param`, or the code a connector's refinement tagged its issue with (`params: { code }`).
 */
export function validateParams(connector: AnyConnector, params: Record<string, unknown>): Record<string, unknown> {
  const parsed = (connector.params as z.ZodType).safeParse(params);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const detail = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "params"}: ${i.message}`).join("; ");
  // A connector's refinement may name the failure's code in its issue's params (send_email's invalid_address).
  const tagged = parsed.error.issues.map((i) => (i as { params?: { code?: unknown } }).params?.code).find((code) => typeof code === "string");
  throw new BlockFailure(typeof tagged === "string" ? tagged : "invalid_param", `A param is not valid after templates were resolved: ${detail}`);
}

/**
 * Params plus the hidden params the connector fills in from operator settings (`operatorParams`).
 * They are set after templates are resolved and win over anything else of that name.
 */
export function withOperatorParams(connector: AnyConnector, params: Record<string, unknown>, operator: OperatorSettings): Record<string, unknown> {
  const declared = connector.operatorParams as Record<string, (operator: OperatorSettings) => unknown> | undefined;
  if (!declared) return params;
  const merged = { ...params };
  for (const [name, valueOf] of Object.entries(declared)) merged[name] = valueOf(operator);
  return merged;
}

/** Records a block's answer to the webhook call that started the run; a database failure is the machinery's. */
async function respondToWebhook(deps: AttemptDeps, scope: RunScope, blockId: string, response: WebhookResponse): Promise<WebhookRespondOutcome> {
  try {
    return await recordWebhookResponse(deps.sql, { runId: scope.runId, organizationId: scope.organizationId, blockId, response });
  } catch (error) {
    throw new InfrastructureError(error);
  }
}

function isBranchResult(value: unknown): value is { branch: string; output: unknown } {
  return typeof value === "object" && value !== null && typeof (value as { branch?: unknown }).branch === "string" && "output" in value;
}

/**
 * Runs attempt `attempt` of `block` and records it. Returns the (redacted) result; throws only
 * when the run log or the database cannot be written (with `deps.stageWrite`, the write goes out
 * with the step's completion, and a failure there fails the step the same way). `finalize` says, for this result, what the
 * block settled with (its output, merged into the run's) and whether the run is over: then the
 * same write records the run's final state.
 */
export async function runBlockAttempt(
  block: Block,
  connector: AnyConnector | undefined,
  attempt: number,
  scope: RunScope,
  deps: AttemptDeps,
  finalize?: (result: AttemptResult) => AttemptSettlement,
): Promise<AttemptResult> {
  const startedAt = new Date();
  const messages: RunLogMessage[] = [];
  let secretsUsed: string[] = [];
  let input: unknown = block.params;
  let result: AttemptResult;
  try {
    if (!connector) throw new BlockFailure("unknown_block_type", `No connector "${block.type}" is registered in this worker.`);
    // Validation refuses such a run; a run pinned before a param became secret-only still must not send a stored value.
    const violations = secretOnlyViolations(connector, block.params);
    if (violations.length > 0) {
      input = withViolationsRedacted(block.params, violations);
      throw new BlockFailure("secret_required", `${describeViolations(block.type, violations).reason}; the block did not run.`);
    }
    const resolved = await resolveParams(block, connector, scope, deps);
    secretsUsed = resolved.secretsUsed;
    input = resolved.params;
    const params = validateParams(connector, withOperatorParams(connector, resolved.params, deps.operator));
    let value: unknown;
    if (connector.kind === "trigger") {
      value = scope.input;
    } else if (!connector.run) {
      throw new BlockFailure("not_implemented", `The ${connector.type} connector cannot run in this version of Weft.`);
    } else {
      const used = secretsUsed;
      const ctx: ConnectorContext = {
        runId: scope.runId,
        blockId: block.id,
        organizationId: scope.organizationId,
        signal: deps.signal,
        log: (level, message) => {
          if (messages.length < 1_000) messages.push({ level, message: String(message), at: new Date().toISOString() });
        },
        respondToWebhook: (response) => respondToWebhook(deps, scope, block.id, used.length > 0 ? (redactSecrets(response, used) as WebhookResponse) : response),
      };
      if (deps.signal.aborted) throw new BlockFailure("canceled", "The run was canceled.");
      value = await connector.run(ctx, params);
    }
    const at = Date.now();
    result =
      connector.kind === "logic" && isBranchResult(value)
        ? { ok: true, output: toJson(value.output), branch: value.branch, at }
        : { ok: true, output: toJson(value), at };
  } catch (error) {
    if (error instanceof InfrastructureError) throw error;
    result = { ok: false, error: blockErrorFrom(error), at: Date.now() };
  }
  const redactor = secretsUsed.length > 0 ? secretRedactor(secretsUsed) : null;
  const redact = <T>(value: T): T => (redactor ? (redactor(value) as T) : value);
  result = redact(result);
  const { final, settled, next, defer } = finalize?.(result) ?? { final: null, settled: null };
  const log: AttemptLog = {
    runId: scope.runId,
    organizationId: scope.organizationId,
    blockId: block.id,
    blockType: block.type,
    attempt,
    status: (result.ok ? "succeeded" : "failed") satisfies RunLogStatus,
    input: redact(toJson(input)),
    output: result.ok ? result.output : null,
    error: result.ok ? null : result.error,
    messages: redact(messages),
    startedAt,
    finishedAt: new Date(result.at),
  };
  const returned: AttemptResult = final ? { ...result, final: final.status } : result;
  // The step returns this very object: its completion carries the write (see AttemptDeps.stageWrite).
  if (deps.stageWrite) deps.stageWrite(returned, { log, final, settled }, next ?? [], defer === true);
  else await writeAttemptLog(deps.sql, log, final, settled);
  return returned;
}
