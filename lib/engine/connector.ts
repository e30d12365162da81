/**
 * The connector definition API (DESIGN §3). A connector is one object: its params and outputs are
 * zod objects, each param optionally tagged with a visibility through zod's `.meta()`:
 *
 *   params: z.object({
 *     url: z.string().describe("Where to send the request"),                    // llm (default)
 *     allow_private_network: z.boolean().optional().meta({ visibility: "hidden" }),
 *   })
 *
 * The catalog, the validator and the runtime all read this one definition.
 */
import { z } from "zod";

export type ConnectorKind = "trigger" | "action" | "logic" | "wait";

/**
 * `llm`: settable by anyone (default). `user`: settable by people in the editor; API-key callers
 * see it but get `param_not_llm_settable` when they set it. `hidden`: operator configuration,
 * never shown and never settable through the API.
 */
export type ParamVisibility = "llm" | "user" | "hidden";

/** What a block's `run` receives besides its resolved params. Filled in by the runtime. */
export interface ConnectorContext {
  runId: string;
  blockId: string;
  organizationId: string;
  /** Writes one entry to the run log. */
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** Aborted when the run is canceled or the worker shuts down. */
  signal: AbortSignal;
}

/** A branch a block chose, with its output. Blocks without branches just return output. */
export interface BranchResult<O> {
  branch: string;
  output: O;
}

export interface ConnectorDefinition<P extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  type: string;
  name: string;
  /** First sentence is the one-line description used by the summary catalog. */
  description: string;
  category: string;
  kind: ConnectorKind;
  params: P;
  outputs: O;
  /** Outputs are whatever the run input was (triggers): any top-level key may be referenced. */
  openOutputs?: boolean;
  /** Branch handles declared by logic blocks (condition: true/false). */
  handles?: readonly string[];
  /** Handles that depend on the block's params (switch: one per case). */
  paramHandles?: { description: string; list: (params: Record<string, unknown>) => string[] };
  /** Executes the block. Returns the output, or a BranchResult for logic blocks. Throw to fail. */
  run?: (ctx: ConnectorContext, params: z.infer<P>) => Promise<z.infer<O> | BranchResult<z.infer<O>>>;
}

/** Identity helper that keeps a definition's param and output types for its `run`. */
export function defineConnector<P extends z.ZodObject, O extends z.ZodObject>(
  definition: ConnectorDefinition<P, O>,
): ConnectorDefinition<P, O> {
  return definition;
}

/** Any connector, with its param and output types erased. */
// The `any` params let definitions with specific zod shapes be stored together; callers
// re-validate params with `definition.params` before calling `run`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnector = ConnectorDefinition<any, any>;

/** The visibility a param field was tagged with (`llm` when untagged). */
export function paramVisibility(field: z.ZodType): ParamVisibility {
  const meta = field.meta() as { visibility?: unknown } | undefined;
  const v = meta?.visibility;
  return v === "user" || v === "hidden" ? v : "llm";
}

/** Handles a block of this connector may have, given its params; "error"/"timeout" included. */
export function blockHandles(connector: AnyConnector, params: Record<string, unknown> = {}): string[] {
  const handles = [...(connector.handles ?? [])];
  if (connector.paramHandles) {
    for (const h of connector.paramHandles.list(params)) if (!handles.includes(h)) handles.push(h);
  }
  if ((connector.kind === "action" || connector.kind === "wait") && !handles.includes("error")) handles.push("error");
  return handles;
}

/** Names of the params a caller may see (everything but hidden). */
export function visibleParamNames(connector: AnyConnector): string[] {
  return Object.entries(connector.params.shape as Record<string, z.ZodType>)
    .filter(([, field]) => paramVisibility(field) !== "hidden")
    .map(([name]) => name);
}

/** A set of connectors keyed by type; web and worker load the same one. */
export interface ConnectorRegistry {
  get(type: string): AnyConnector | undefined;
  has(type: string): boolean;
  list(): AnyConnector[];
  types(): string[];
}

/** Builds a registry; throws at start-up (not at request time) on a duplicate or badly named type. */
export function createRegistry(connectors: readonly AnyConnector[]): ConnectorRegistry {
  const byType = new Map<string, AnyConnector>();
  for (const c of connectors) {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(c.type)) throw new Error(`connector type "${c.type}" must be snake_case`);
    if (byType.has(c.type)) throw new Error(`connector type "${c.type}" is registered twice`);
    for (const key of Object.keys(c.params.shape)) {
      if (key === "__proto__" || key === "constructor" || key === "prototype") {
        throw new Error(`connector "${c.type}" declares a forbidden param name "${key}"`);
      }
    }
    byType.set(c.type, c);
  }
  return {
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    list: () => [...byType.values()],
    types: () => [...byType.keys()],
  };
}
