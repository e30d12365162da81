/**
 * The connector definition API (docs/connectors.md). A connector is one object: its params and
 * outputs are zod objects, each param optionally tagged through zod's `.meta()` with a visibility
 * and an editor hint (`ui(…)` below builds the hint):
 *
 *   params: z.object({
 *     url: z.string().describe("Where to send the request").meta(ui({ label: "URL" })),   // llm (default)
 *     allow_private_network: z.boolean().optional().meta({ visibility: "hidden" }),
 *   })
 *
 * A param whose text must be used as written, `{{…}}` included, is tagged `templates: false`.
 * A credential is tagged `secretOnly: true` (with a `secret` widget): it then takes exactly one
 * `{{secrets.NAME}}` template, never a value, so no key is ever stored in a workflow as text:
 *
 *     api_key: z.string().describe("…").meta({ secretOnly: true, ...ui({ label: "API key", widget: "secret", placeholder: "{{secrets.OPENAI_API_KEY}}" }) }),
 *
 * The tag may also sit on a field inside an object param (through unions: http_request's
 * `auth.token`); ./secret-only.ts reads it, and `createRegistry` refuses a misplaced one.
 * One that names a workflow of the organization (call_workflow's `workflow_id`) is tagged
 * `references: "workflow"`, so the organization-aware validation checks it exists.
 * Put `.meta(…)` last in the chain: a `.optional()` after it wraps the field and hides the tag.
 * What the runtime must do differently for a connector is declared here too (`wait`,
 * `operatorParams`), so the runtime never branches on a connector's type.
 * The catalog, the validator and the runtime all read this one definition.
 */
import { z } from "zod";
import type { WebhookRespondOutcome, WebhookResponse } from "./webhook-response";
import { declaredSecretOnlyFields } from "./secret-only";

export type ConnectorKind = "trigger" | "action" | "logic" | "wait";

/**
 * `llm`: settable by anyone (default). `user`: settable by people in the editor; API-key callers
 * see it but get `param_not_llm_settable` when they set it. `hidden`: operator configuration,
 * never shown and never settable through the API.
 */
export type ParamVisibility = "llm" | "user" | "hidden";

/**
 * Editor widgets a param may ask for:
 * - `text`: one line; `textarea`: several lines; `secret`: one line shown masked (for `{{secrets.NAME}}`);
 * - `code`: source text in `language`; `json`: any JSON value;
 * - `select`: one of the param's enum values (the param must be a `z.enum`);
 * - `key_value`: name/value rows, for a record of strings;
 * - `number`; `boolean`: a switch.
 */
export const PARAM_WIDGETS = ["text", "textarea", "code", "select", "key_value", "json", "secret", "number", "boolean"] as const;
export type ParamWidget = (typeof PARAM_WIDGETS)[number];

/** Languages a `code` widget highlights. */
export const CODE_LANGUAGES = ["javascript", "json"] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

/**
 * How the visual editor shows a param. Without `widget`, the catalog derives one from the zod
 * type (enum → select, boolean, number, string → text, record of strings → key_value, else json).
 * `advanced` params start collapsed.
 */
export type ParamUi = { label: string; placeholder?: string; advanced?: boolean } & (
  | { widget?: Exclude<ParamWidget, "code">; language?: never }
  | { widget: "code"; language: CodeLanguage }
);

/** The `.meta()` argument carrying a param's editor hint: `z.string().meta(ui({ label: "URL" }))`. */
export function ui(hint: ParamUi): { ui: ParamUi } {
  return { ui: hint };
}

/** The editor hint a param field was tagged with, if any. */
export function paramUi(field: z.ZodType): ParamUi | undefined {
  const meta = field.meta() as { ui?: unknown } | undefined;
  const hint = meta?.ui;
  return typeof hint === "object" && hint !== null ? (hint as ParamUi) : undefined;
}

/** A field without its optional/nullable/default wrappers: what a value of it looks like. */
export function unwrapField(field: z.ZodType): z.ZodType {
  let current = field;
  for (let depth = 0; depth < 16; depth++) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    const wrapper = ["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(def.type);
    if (!wrapper || !def.innerType) break;
    current = def.innerType;
  }
  return current;
}

/** The values of an enum param (through its wrappers), or null when it is not an enum. */
export function enumOptions(field: z.ZodType): (string | number)[] | null {
  const inner = unwrapField(field);
  return inner instanceof z.ZodEnum ? [...(inner.options as (string | number)[])] : null;
}

/** What a block's `run` receives besides its resolved params. Filled in by the runtime. */
export interface ConnectorContext {
  runId: string;
  blockId: string;
  organizationId: string;
  /** Writes one entry to the run log. */
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** Aborted when the run is canceled or the worker shuts down. */
  signal: AbortSignal;
  /**
   * Records `response` as the answer to the webhook call that started the run (docs/runs.md,
   * "Answering the caller"): durably, once per run (the first block to respond wins; the same block
   * again, after a crash, is the same answer), with the run's secret values redacted. A waiting
   * caller gets it at once while the run goes on.
   */
  respondToWebhook: (response: WebhookResponse) => Promise<WebhookRespondOutcome>;
}

/**
 * Installation settings (environment, not workflow data) a connector may turn into hidden params
 * through `operatorParams`.
 */
export interface OperatorSettings {
  /** WEFT_ALLOW_PRIVATE_HTTP: outbound calls (HTTP, SMTP) may reach private, loopback and link-local addresses. */
  allowPrivateHttp: boolean;
}

/**
 * The hidden `allow_private_network` param of a connector that reaches a host it is given
 * (http_request, llm_chat, send_email): `privateNetworkOperatorParams` fills it from the operator's
 * WEFT_ALLOW_PRIVATE_HTTP on every attempt, so no workflow can set it.
 */
export function allowPrivateNetworkParam(targets: string) {
  return z.boolean().optional().meta({ visibility: "hidden", description: `Operator-only: allow private, loopback and link-local ${targets}` });
}

/** `operatorParams` of a connector declaring `allowPrivateNetworkParam`. */
export const privateNetworkOperatorParams = { allow_private_network: (operator: OperatorSettings) => operator.allowPrivateHttp };

/**
 * How a `wait` connector waits. The runtime, not the connector, runs it as durable steps
 * (docs/runs.md): a wait connector has no `run`, and its outputs must be the ones of its kind.
 */
export type ConnectorWait<P> =
  | {
      /**
       * A durable sleep for `seconds(params)`. Output `{ waitedSeconds }`.
       */
      kind: "duration";
      seconds: (params: P) => number;
    }
  | {
      /**
       * A durable wait for an event named `event`, sent to the run, or to the organization with
       * `key`. Output `{ event, data, receivedAt }`; once `timeoutSeconds` pass first, the block
       * takes its `timeout` handle (which it must declare) with `{ timedOut: true }`.
       */
      kind: "event";
      match: (params: P) => { event: string; key?: string; timeoutSeconds?: number };
    }
  | {
      /**
       * Runs of another workflow of the organization, one per input, waited for durably
       * (lib/runtime/children-steps.ts). Output without fan-out `{ runId, status, output }` (the
       * child run's output); with it `{ results: [{ runId, status, output, error }] }` in input
       * order. A child that fails or is canceled sends the block to its `error` handle with every
       * child's status beside the error. `calls` may throw an error with a string `code` to fail
       * the block (the params cannot make calls).
       */
      kind: "children";
      calls: (params: P) => ChildCalls;
    };

/** What a children wait starts (`wait: { kind: "children" }`). */
export interface ChildCalls {
  /** The workflow each child runs: its current version is pinned once, when the block starts. */
  workflowId: string;
  /** Each child's run input, one child per entry, in this order. */
  inputs: unknown[];
  /** True: the block outputs `results`, one per input; false: exactly one input, and the child's own `{ runId, status, output }`. */
  fanOut: boolean;
  /** How many children may run at once; the next starts as soon as one finishes. */
  concurrency: number;
}

/**
 * Hidden params the runtime sets from the operator's settings on every attempt, one function per
 * param name; each name must be a `hidden` param (checked by `createRegistry`).
 */
export type OperatorParams<P> = { [K in keyof P]?: (operator: OperatorSettings) => P[K] };

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
  /** Set on `wait` connectors only: how the runtime waits, instead of calling `run`. */
  wait?: ConnectorWait<z.infer<P>>;
  /**
   * The block has no side effect and no I/O but reading the run's secrets, and ends at once
   * (triggers, transform, condition, switch): running it again after a crash changes nothing, so
   * the worker may write its step's completion together with the next block's
   * (docs/openworkflow.md, "Deferred completions").
   */
  pure?: true;
  /** Hidden params filled in from operator settings at run time (http_request: allow_private_network). */
  operatorParams?: OperatorParams<z.infer<P>>;
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

/**
 * False for a param tagged `.meta({ templates: false })`: its text is used as written, `{{…}}`
 * included, and never resolved or checked as a reference (the code block's `code`, where a
 * resolved template would become code and braces are common).
 */
export function paramTakesTemplates(field: z.ZodType): boolean {
  const meta = field.meta() as { templates?: unknown } | undefined;
  return meta?.templates !== false;
}

/** True for a param tagged `.meta({ references: "workflow" })`: its value names a workflow of the organization. */
export function paramReferencesWorkflow(field: z.ZodType): boolean {
  const meta = field.meta() as { references?: unknown } | undefined;
  return meta?.references === "workflow";
}

// A connector's params never change, and every block attempt and every validated block asks.
const literalParamNamesOf = new WeakMap<AnyConnector, readonly string[]>();

/** Names of the params of `connector` that take no templates (`paramTakesTemplates`); computed once per connector. */
export function literalParamNames(connector: AnyConnector): readonly string[] {
  let names = literalParamNamesOf.get(connector);
  if (!names) {
    names = Object.entries(connector.params.shape as Record<string, z.ZodType>)
      .filter(([, field]) => !paramTakesTemplates(field))
      .map(([name]) => name);
    literalParamNamesOf.set(connector, names);
  }
  return names;
}

const workflowParamNamesOf = new WeakMap<AnyConnector, readonly string[]>();

/** Names of the params of `connector` that name a workflow of the organization (`paramReferencesWorkflow`); computed once per connector. */
export function workflowParamNames(connector: AnyConnector): readonly string[] {
  let names = workflowParamNamesOf.get(connector);
  if (!names) {
    names = Object.entries(connector.params.shape as Record<string, z.ZodType>)
      .filter(([, field]) => paramReferencesWorkflow(field))
      .map(([name]) => name);
    workflowParamNamesOf.set(connector, names);
  }
  return names;
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

/**
 * Builds a registry; throws at start-up (not at request time) on a duplicate or badly named type,
 * a forbidden param name, an editor hint that cannot be drawn, inconsistent runtime declarations,
 * or a misplaced `secretOnly` tag.
 */
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
    checkRuntimeDeclarations(c);
    declaredSecretOnlyFields(c.type, c.params); // throws on a misplaced secretOnly tag
    for (const [name, field] of Object.entries(c.params.shape as Record<string, z.ZodType>)) checkParamUi(c.type, name, field);
    byType.set(c.type, c);
  }
  return {
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    list: () => [...byType.values()],
    types: () => [...byType.keys()],
  };
}

/** `wait` and `operatorParams` must be usable by the runtime as declared: checked at start-up. */
function checkRuntimeDeclarations(c: AnyConnector): void {
  const shape = c.params.shape as Record<string, z.ZodType>;
  for (const name of Object.keys(c.operatorParams ?? {})) {
    // An operator value in a settable param would let a workflow author override the operator.
    if (!Object.hasOwn(shape, name) || paramVisibility(shape[name]) !== "hidden") {
      throw new Error(`connector "${c.type}": operator param "${name}" must be a hidden param of the connector`);
    }
  }
  if (c.wait && c.kind !== "wait") throw new Error(`connector "${c.type}" declares a wait but is not of kind "wait"`);
  if (c.kind === "wait" && !c.wait) throw new Error(`connector "${c.type}" is of kind "wait" but declares no wait`);
  if (c.wait && c.run) throw new Error(`connector "${c.type}": a wait is run by the runtime, so it declares no run`);
  if (c.wait?.kind === "event" && !(c.handles ?? []).includes("timeout")) {
    throw new Error(`connector "${c.type}" waits for an event, so it must declare the "timeout" handle`);
  }
}

/** A param's editor hint must be one the editor can draw. */
function checkParamUi(type: string, name: string, field: z.ZodType): void {
  const hint = paramUi(field);
  if (!hint) return;
  const where = `connector "${type}" param "${name}"`;
  if (typeof hint.label !== "string" || hint.label.trim() === "") throw new Error(`${where}: a ui hint needs a label`);
  if (hint.widget !== undefined && !(PARAM_WIDGETS as readonly string[]).includes(hint.widget)) {
    throw new Error(`${where}: unknown widget "${String(hint.widget)}"`);
  }
  if (hint.widget === "code" && !(CODE_LANGUAGES as readonly string[]).includes(hint.language)) {
    throw new Error(`${where}: a code widget needs a language (${CODE_LANGUAGES.join(", ")})`);
  }
  if (hint.widget !== "code" && hint.language !== undefined) throw new Error(`${where}: only a code widget has a language`);
  if (hint.widget === "select" && !enumOptions(field)) throw new Error(`${where}: a select widget needs a z.enum param`);
}
