/**
 * The workflow model: what a stored definition looks like (docs/patch-endpoint.md).
 * Stored definitions are only ever produced by `applyEditOps`, so they always satisfy the
 * id rules below; input shapes that come from clients are checked op by op instead.
 */
import { z } from "zod";

/** Block ids: a letter, then up to 63 letters, digits, `_` or `-`. */
export const BLOCK_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The most blocks and edges one definition may have, stored or sent (lib/resources/workflow-input.ts). */
export const MAX_BLOCKS = 5_000;
export const MAX_EDGES = 20_000;

/** Keys that could reach an object's prototype; never accepted as ids or param keys. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** True for a string that is a usable block id (pattern and not a forbidden key). */
export function isValidBlockId(id: unknown): id is string {
  return typeof id === "string" && BLOCK_ID_PATTERN.test(id) && !FORBIDDEN_KEYS.has(id);
}

export const PositionSchema = z.object({ x: z.number().finite(), y: z.number().finite() }).strict();

export const RetryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20),
    backoff: z
      .object({
        initialMs: z.number().int().min(0).max(3_600_000),
        factor: z.number().min(1).max(10),
        maxMs: z.number().int().min(0).max(86_400_000),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Any JSON value; used for params, variables and run input. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const BlockSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    name: z.string().max(200).optional(),
    params: z.record(z.string(), z.unknown()),
    position: PositionSchema.optional(),
    enabled: z.boolean().optional(),
    retry: RetryPolicySchema.optional(),
  })
  .strict();

export const EdgeSchema = z
  .object({ source: z.string(), target: z.string(), sourceHandle: z.string().optional() })
  .strict();

export const WorkflowDefinitionSchema = z
  .object({
    blocks: z.array(BlockSchema).max(MAX_BLOCKS),
    edges: z.array(EdgeSchema).max(MAX_EDGES),
    variables: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Position = z.infer<typeof PositionSchema>;
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
export type Block = z.infer<typeof BlockSchema>;
export type Edge = z.infer<typeof EdgeSchema>;
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;

/** The definition a new workflow starts with. */
export function emptyDefinition(): WorkflowDefinition {
  return { blocks: [], edges: [] };
}

/** True for a plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep copy of a JSON-like value that drops `__proto__` keys at every depth, so a copy can
 * never reach Object.prototype. Returns the copy; non-JSON leaves (functions, symbols) become null.
 */
export function cloneJson(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === "__proto__") continue;
      Object.defineProperty(out, key, { value: cloneJson(value[key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return null;
}

/** Sets an own property safely, even for keys like `constructor`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
