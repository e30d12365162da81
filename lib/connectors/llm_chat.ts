import { Validator, type Schema } from "@cfworker/json-schema";
import { z } from "zod";
import { defineConnector, ui, allowPrivateNetworkParam, privateNetworkOperatorParams } from "@/lib/engine/connector";
import { guardedRequestWithRetries, MAX_RETRIES } from "@/lib/net/retry";

export const DEFAULT_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
export const DEFAULT_LLM_RETRIES = 2;
/** A chat completion is small; more than this is not one. */
export const LLM_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** The provider's error message is kept up to this many characters. */
const MAX_PROVIDER_MESSAGE = 500;

/** A failed call: `code` is one of the stable codes in the connector's description. */
export class LlmChatError extends Error {
  readonly status?: number;
  /** llm_json_invalid: `{ text, issues? }`, the model's answer and what is wrong with it. */
  readonly response?: unknown;

  constructor(
    readonly code: string,
    message: string,
    extra: { status?: number; response?: unknown } = {},
  ) {
    super(message);
    this.name = "LlmChatError";
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.response !== undefined) this.response = extra.response;
  }
}

const Message = z
  .object({
    role: z.enum(["system", "user", "assistant"]).describe("Who says it"),
    content: z.string().max(1_000_000).describe("The text"),
  })
  .strict();

/** A JSON Schema object that @cfworker/json-schema can use (an unresolvable $ref throws). */
function schemaProblem(schema: Record<string, unknown>): string | null {
  try {
    new Validator(schema as Schema, "2020-12", false).validate(null);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

/**
 * One OpenAI-compatible chat completion (POST `${base_url}/chat/completions`) through the SSRF
 * guard, with retries (lib/net/retry.ts) and, with `json_schema`, structured output validated by
 * @cfworker/json-schema (no eval or new Function, so it runs under a strict CSP). docs/connectors.md.
 */
export const llmChat = defineConnector({
  type: "llm_chat",
  name: "LLM chat",
  description:
    "Asks an OpenAI-compatible chat model (POST base_url/chat/completions) and outputs its answer as text, with usage, finish_reason and model. " +
    "Give prompt (one user message) or messages (a conversation), not both; system is an optional instruction. " +
    "api_key takes only a {{secrets.NAME}} reference (a literal key is refused with secret_required). " +
    "With json_schema the model must answer JSON matching it: the parsed object is output as json, and a mismatch fails the block with llm_json_invalid and the path of each problem. " +
    "Retries 429 and 5xx (retries, default 2) honouring Retry-After. " +
    "Fails with: llm_auth_failed (401/403, the provider's message), llm_rate_limited (429 after the retries), llm_provider_error (other non-2xx, with status), llm_bad_response (not a chat completion), llm_json_invalid, llm_refused, timeout (timeout_ms, default 60000), ssrf_blocked (private addresses), dns_error, network_error, response_too_large (over 2 MB).",
  category: "ai",
  kind: "action",
  params: z
    .object({
      base_url: z
        .string()
        .min(1)
        .max(2_048)
        .optional()
        .describe(`The API's base URL, without /chat/completions (default ${DEFAULT_BASE_URL}); any OpenAI-compatible server works`)
        .meta(ui({ label: "Base URL", widget: "text", placeholder: DEFAULT_BASE_URL })),
      model: z.string().min(1).max(256).describe("The model's name at that API, e.g. gpt-4.1-mini").meta(ui({ label: "Model", widget: "text", placeholder: "gpt-4.1-mini" })),
      api_key: z
        .string()
        .min(1)
        .max(8_192)
        .describe("The API key, only as a {{secrets.NAME}} reference to an organization secret (a literal key is refused); sent as Authorization: Bearer")
        .meta({ secretOnly: true, ...ui({ label: "API key", widget: "secret", placeholder: "{{secrets.OPENAI_API_KEY}}" }) }),
      system: z
        .string()
        .max(1_000_000)
        .optional()
        .describe("Instruction sent first, as the system message (optional)")
        .meta(ui({ label: "System", widget: "textarea", placeholder: "You answer in one sentence." })),
      prompt: z
        .string()
        .min(1)
        .max(1_000_000)
        .optional()
        .describe("The question, sent as one user message; may contain templates. Give prompt or messages, not both")
        .meta(ui({ label: "Prompt", widget: "textarea", placeholder: "Summarise: {{trigger.body.text}}" })),
      messages: z
        .array(Message)
        .min(1)
        .max(500)
        .optional()
        .describe('The conversation instead of prompt: [{"role":"user"|"assistant"|"system","content":"…"}], oldest first')
        .meta(ui({ label: "Messages", widget: "json", placeholder: '[{ "role": "user", "content": "{{trigger.body.question}}" }]' })),
      temperature: z.number().min(0).max(2).optional().describe("Sampling temperature 0–2 (the provider's default when absent); lower is more deterministic").meta(ui({ label: "Temperature", widget: "number", placeholder: "0.2", advanced: true })),
      max_tokens: z.number().int().min(1).max(1_000_000).optional().describe("Most tokens the answer may have (the provider's default when absent)").meta(ui({ label: "Max tokens", widget: "number", placeholder: "1000", advanced: true })),
      json_schema: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          'A JSON Schema the answer must match, e.g. {"type":"object","properties":{"sentiment":{"type":"string"}},"required":["sentiment"],"additionalProperties":false}; sent as response_format json_schema (strict), and the answer is parsed and validated here too. OpenAI requires an object root with every property required and additionalProperties false',
        )
        .meta(ui({ label: "JSON schema", widget: "json", advanced: true })),
      timeout_ms: z.number().int().min(1).max(600_000).optional().describe(`Timeout of each attempt in milliseconds (default ${DEFAULT_LLM_TIMEOUT_MS}, at most 600000)`).meta(ui({ label: "Timeout (ms)", widget: "number", placeholder: String(DEFAULT_LLM_TIMEOUT_MS), advanced: true })),
      retries: z
        .number()
        .int()
        .min(0)
        .max(MAX_RETRIES)
        .optional()
        .describe(`Times to ask again on 429, 5xx or a failed connection (default ${DEFAULT_LLM_RETRIES}, at most ${MAX_RETRIES}); waits what Retry-After asks (at most 30 s), else 0.5 s, 1 s, 2 s… with jitter`)
        .meta(ui({ label: "Retries", widget: "number", placeholder: String(DEFAULT_LLM_RETRIES), advanced: true })),
      allow_private_network: allowPrivateNetworkParam("targets"),
    })
    .strict()
    .superRefine((params, ctx) => {
      if (params.prompt === undefined && params.messages === undefined) {
        ctx.addIssue({ code: "custom", path: ["prompt"], message: "give prompt (one user message) or messages (a conversation)" });
      } else if (params.prompt !== undefined && params.messages !== undefined) {
        ctx.addIssue({ code: "custom", path: ["messages"], message: "give prompt or messages, not both: remove one" });
      }
      const problem = params.json_schema ? schemaProblem(params.json_schema) : null;
      if (problem) ctx.addIssue({ code: "custom", path: ["json_schema"], message: `not a usable JSON Schema: ${problem}` });
    }),
  outputs: z.object({
    text: z.string().describe("The model's answer"),
    json: z.unknown().optional().describe("With json_schema: the answer parsed, matching the schema"),
    usage: z
      .object({ prompt_tokens: z.number().nullable(), completion_tokens: z.number().nullable(), total_tokens: z.number().nullable() })
      .describe("Tokens used, as the provider counted them (null when it did not say)"),
    finish_reason: z.string().nullable().describe("Why the answer ended: stop, length (max_tokens reached), content_filter…"),
    model: z.string().describe("The model that answered, as the provider names it"),
  }),
  operatorParams: privateNetworkOperatorParams,
  run: async (ctx, params) => {
    const url = `${(params.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, "")}/chat/completions`;
    const messages = [...(params.system !== undefined ? [{ role: "system", content: params.system }] : []), ...(params.messages ?? [{ role: "user", content: params.prompt ?? "" }])];
    const body = {
      model: params.model,
      messages,
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.max_tokens !== undefined && { max_tokens: params.max_tokens }),
      ...(params.json_schema && { response_format: { type: "json_schema", json_schema: { name: "output", schema: params.json_schema, strict: true } } }),
    };
    const response = await guardedRequestWithRetries(
      {
        method: "POST",
        url,
        headers: { authorization: `Bearer ${params.api_key}`, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        timeoutMs: params.timeout_ms ?? DEFAULT_LLM_TIMEOUT_MS,
        maxResponseBytes: LLM_MAX_RESPONSE_BYTES,
        allowPrivateNetwork: params.allow_private_network === true,
        signal: ctx.signal,
      },
      // A completion changes nothing but the bill, so a broken connection is asked again too.
      { retries: params.retries ?? DEFAULT_LLM_RETRIES, idempotent: true, log: (message) => ctx.log("warn", message) },
    );
    const origin = new URL(response.url).origin;
    const text = response.body.toString("utf8");
    if (response.status < 200 || response.status > 299) throw statusError(response.status, response.attempts, origin, providerMessage(text, params.api_key));
    const completion = readCompletion(text, origin);
    const output = { text: completion.text, usage: completion.usage, finish_reason: completion.finishReason, model: completion.model ?? params.model };
    if (!params.json_schema) return output;
    return { ...output, json: checkedJson(completion.text, params.json_schema, completion.finishReason) };
  },
});

function statusError(status: number, attempts: number, origin: string, message: string): LlmChatError {
  const said = message ? `: ${message}` : "";
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  if (status === 401 || status === 403) return new LlmChatError("llm_auth_failed", `${origin} refused the API key (HTTP ${status})${said}`, { status });
  if (status === 429) return new LlmChatError("llm_rate_limited", `${origin} is rate limiting (HTTP 429)${tries}${said}`, { status });
  return new LlmChatError("llm_provider_error", `${origin} answered HTTP ${status}${tries}${said}`, { status });
}

/**
 * The provider's error message (`{ error: { message } }`, `{ error }` or `{ message }`), short, and
 * without the API key or any 8 characters of it in a row (providers echo keys partly masked).
 */
function providerMessage(text: string, apiKey: string): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const error = parsed.error as { message?: unknown } | string | undefined;
    const found = typeof error === "string" ? error : typeof error?.message === "string" ? error.message : typeof parsed.message === "string" ? parsed.message : undefined;
    if (found !== undefined) message = found;
  } catch {
    // not JSON: the text itself
  }
  message = message.replace(/\s+/g, " ").trim().slice(0, MAX_PROVIDER_MESSAGE);
  return withoutKeyFragments(message, apiKey);
}

/** `text` with every run of at least 8 characters that also occurs in `key` replaced by [REDACTED]. */
export function withoutKeyFragments(text: string, key: string, min = 8): string {
  if (key.length < min) return key.length > 0 ? text.split(key).join("[REDACTED]") : text;
  const hide = new Array<boolean>(text.length).fill(false);
  for (let i = 0; i + min <= text.length; i++) {
    if (!key.includes(text.slice(i, i + min))) continue;
    let end = i + min;
    while (end < text.length && key.includes(text.slice(i, end + 1))) end++;
    hide.fill(true, i, end);
  }
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (!hide[i]) out += text[i];
    else if (i === 0 || !hide[i - 1]) out += "[REDACTED]";
  }
  return out;
}

interface Completion {
  text: string;
  finishReason: string | null;
  model: string | undefined;
  usage: { prompt_tokens: number | null; completion_tokens: number | null; total_tokens: number | null };
}

/** The answer of a chat completion body; throws llm_bad_response or llm_refused. */
function readCompletion(text: string, origin: string): Completion {
  const bad = (why: string) => new LlmChatError("llm_bad_response", `${origin} did not answer with a chat completion: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad("the body is not JSON");
  }
  const root = parsed as { choices?: unknown; model?: unknown; usage?: unknown } | null;
  const choice = Array.isArray(root?.choices) ? (root.choices[0] as { message?: unknown; finish_reason?: unknown } | undefined) : undefined;
  const message = choice?.message as { content?: unknown; refusal?: unknown } | undefined;
  if (!message || typeof message !== "object") throw bad("no choices[0].message");
  if (typeof message.refusal === "string" && message.refusal !== "") {
    throw new LlmChatError("llm_refused", `the model refused: ${message.refusal.slice(0, MAX_PROVIDER_MESSAGE)}`);
  }
  if (typeof message.content !== "string" && message.content !== null) throw bad("choices[0].message.content is not text");
  const usage = (root?.usage ?? {}) as Record<string, unknown>;
  const count = (name: string) => (typeof usage[name] === "number" ? (usage[name] as number) : null);
  return {
    text: message.content ?? "",
    finishReason: typeof choice?.finish_reason === "string" ? choice.finish_reason : null,
    model: typeof root?.model === "string" ? root.model : undefined,
    usage: { prompt_tokens: count("prompt_tokens"), completion_tokens: count("completion_tokens"), total_tokens: count("total_tokens") },
  };
}

/** The answer parsed as JSON and validated against `schema`; throws llm_json_invalid with each problem's path. */
function checkedJson(text: string, schema: Record<string, unknown>, finishReason: string | null): unknown {
  const cut = finishReason === "length" ? " (finish_reason length: the answer was cut at max_tokens)" : "";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LlmChatError("llm_json_invalid", `the model's answer is not JSON${cut}: ${error instanceof Error ? error.message : String(error)}`, { response: { text } });
  }
  const result = new Validator(schema as Schema, "2020-12", false).validate(value);
  if (result.valid) return value;
  // Applicators (properties, items, allOf…) also report "a part did not match": drop those when the part's own error is there.
  const units = result.errors.filter(
    (u) => !(APPLICATORS.has(u.keyword) && result.errors.some((o) => o !== u && (o.instanceLocation === u.instanceLocation || o.instanceLocation.startsWith(`${u.instanceLocation}/`)))),
  );
  const issues = [...new Map(units.map((u) => [`${u.instanceLocation} ${u.error}`, { path: pathOf(u.instanceLocation), message: u.keyword === "false" ? "is not allowed by the schema" : u.error }])).values()];
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join("; ");
  throw new LlmChatError("llm_json_invalid", `the model's JSON does not match json_schema${cut}: ${shown}${issues.length > 5 ? ` … and ${issues.length - 5} more` : ""}`, { response: { text, issues } });
}

const APPLICATORS = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contains",
  "allOf",
  "$ref",
  "$dynamicRef",
  "$recursiveRef",
  "dependentSchemas",
  "if",
  "then",
  "else",
]);

/** "#/items/0/price" → "items.0.price"; the root is "(root)". */
function pathOf(location: string): string {
  const segments = location.replace(/^#\/?/, "").split("/").filter(Boolean).map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"));
  return segments.length > 0 ? segments.join(".") : "(root)";
}
