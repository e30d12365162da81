/**
 * The run input of an inbound webhook (docs/runs.md, "Inbound webhooks"), the output of the `trigger_webhook` block:
 * `{ method, headers, query, body }`. Credentials never reach the run (its input is stored and
 * shown in the run resource and logs).
 */

import { findJsonProblem, type JsonProblem } from "@/lib/engine/json-limits";

/** Headers removed from the run input: the endpoint's credentials and anything else that authenticates. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-weft-signature",
  "x-api-key",
]);

export interface WebhookRunInput {
  method: string;
  /** Lower-case names; a repeated header arrives joined with ", ". */
  headers: Record<string, string>;
  /** The first value of each query parameter. */
  query: Record<string, string>;
  /** Parsed JSON when the content type is JSON and it parses, else the text; null when empty. */
  body: unknown;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;.*)?$/i;

/**
 * A JSON webhook body that parses but cannot be stored: nested deeper than MAX_JSON_DEPTH, or a
 * string holding a NUL or a lone surrogate (lib/engine/json-limits.ts). The sender gets a 400:
 * sending it again can never succeed.
 */
export class UnstorableWebhookBodyError extends Error {
  override readonly name = "UnstorableWebhookBodyError";
  constructor(readonly problem: JsonProblem) {
    super(problem.message);
  }
}

/**
 * The body as the run sees it: JSON when declared and valid, else UTF-8 text, null when empty.
 * Text keeps what it can: NUL characters (which Postgres cannot store) become U+FFFD, as invalid
 * UTF-8 already does. Throws UnstorableWebhookBodyError for JSON that cannot be stored.
 */
export function webhookBody(contentType: string | null, rawBody: Uint8Array): unknown {
  if (rawBody.byteLength === 0) return null;
  const text = new TextDecoder("utf-8").decode(rawBody);
  if (contentType !== null && JSON_TYPE.test(contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      return storableText(text);
    }
    const problem = findJsonProblem(parsed);
    if (problem) throw new UnstorableWebhookBodyError({ ...problem, path: ["body", ...problem.path] });
    return parsed;
  }
  return storableText(text);
}

function storableText(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD");
}

/** Builds the run input from the request and its raw body (already read). Throws UnstorableWebhookBodyError. */
export function buildWebhookRunInput(request: Request, rawBody: Uint8Array): WebhookRunInput {
  // Object.fromEntries defines own properties, so a parameter named `__proto__` is just a key.
  const headers = Object.fromEntries([...request.headers].filter(([name]) => !CREDENTIAL_HEADERS.has(name)));
  const query = new Map<string, string>();
  for (const [name, value] of new URL(request.url).searchParams) {
    if (!query.has(name)) query.set(name, value);
  }
  return {
    method: request.method,
    headers,
    query: Object.fromEntries(query),
    body: webhookBody(request.headers.get("content-type"), rawBody),
  };
}
