/**
 * What a client may send as a whole definition or as a batch of ops (docs/patch-endpoint.md), the
 * same through every door (the HTTP API, the MCP server). Only the outer shape is checked here:
 * what is wrong inside a block or an edge (bad id, unknown type, dangling edge, bad param) must
 * come back as a skipped item or a validation error from `applyEditOps`, which tells an agent how
 * to fix it, not as a schema error on the whole request.
 */
import { z } from "zod";
import { MAX_BLOCKS, MAX_EDGES } from "@/lib/engine/model";

/** Ops one request may carry; more is refused whole (send the rest in another batch). */
export const MAX_OPS = 1_000;

/**
 * Ids, types and handles must be scalars: a wrong scalar (a number id) is skipped by applyEditOps
 * like any bad op, but objects and arrays there are refused here, because ids are compared and
 * keyed as JSON text and a deeply nested one would only cost us work.
 */
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Other values stay `unknown` so that applyEditOps reports them per block; unknown keys are refused. */
const BlockInputSchema = z
  .object({
    id: Scalar.meta({ type: "string", description: "^[A-Za-z][A-Za-z0-9_-]{0,63}$" }),
    type: Scalar.meta({ type: "string", description: "A connector type from the catalog" }),
    name: z.unknown().optional().meta({ type: "string" }),
    params: z.record(z.string(), z.unknown()).optional(),
    position: z.unknown().optional().meta({ type: "object", description: "{ x, y }" }),
    enabled: z.unknown().optional().meta({ type: "boolean" }),
    retry: z.unknown().optional().meta({ type: "object", description: "{ maxAttempts, backoff?: { initialMs, factor, maxMs } }" }),
  })
  .strict();

const EdgeInputSchema = z
  .object({
    source: Scalar.meta({ type: "string" }),
    target: Scalar.meta({ type: "string" }),
    sourceHandle: Scalar.optional().meta({ type: "string" }),
  })
  .strict();

/** A whole definition as a client sends it. */
export const DefinitionInputSchema = z
  .object({
    blocks: z.array(BlockInputSchema).max(MAX_BLOCKS),
    edges: z.array(EdgeInputSchema).max(MAX_EDGES),
    variables: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
