/**
 * The answer a webhook-started workflow gives its caller (docs/runs.md, "Answering the caller"):
 * what the `respond_webhook` block builds from its params, and which headers a workflow may not
 * set. Pure: the worker records the answer, the web process sends it.
 */

/** An answer as recorded and sent: header names lower-case, the body as sent (null: none). */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** What recording an answer did; `responded: false` is a no-op the block logs. */
export type WebhookRespondOutcome =
  | { responded: true }
  | {
      responded: false;
      /** `not_webhook_run`: no webhook started this run; `already_responded`: another block answered first
       *  (`respondedBy`); `run_finished`: the run already ended. */
      reason: "not_webhook_run" | "already_responded" | "run_finished";
      respondedBy?: string;
    };

/** Statuses an answer may have: a final response (1xx are interim, not an answer). */
export const MIN_RESPONSE_STATUS = 200;
export const MAX_RESPONSE_STATUS = 599;
/** Statuses that carry no body (HTTP semantics; a Fetch Response with a body refuses them). */
export const NO_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);
/** The largest body, in UTF-8 bytes: the same limit as inbound bodies. */
export const MAX_RESPONSE_BODY_BYTES = 1024 * 1024;
export const MAX_RESPONSE_HEADERS = 50;
export const MAX_RESPONSE_HEADER_VALUE = 8_192;

/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

const FRAMING = "the server sets it for the connection and the body it actually sends";
const ORIGIN = "it would act on all of Weft's origin (cookies, transport, caches), not on this answer";
const POLICY = "Weft sets it on every API answer (security policy and CORS are not the workflow's to change)";
const WEFT = "Weft's own header";

/** Refused names, lower-case, with why. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ...["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "http2-settings", "content-length", "content-encoding", "proxy-authenticate"].map(
    (name) => [name, FRAMING] as const,
  ),
  ...["set-cookie", "set-cookie2", "clear-site-data", "strict-transport-security", "alt-svc", "public-key-pins", "public-key-pins-report-only"].map(
    (name) => [name, ORIGIN] as const,
  ),
  ...[
    "content-security-policy",
    "content-security-policy-report-only",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-embedder-policy",
    "cross-origin-resource-policy",
    "x-request-id",
  ].map((name) => [name, POLICY] as const),
]);
/** Refused name prefixes, lower-case. */
const REFUSED_PREFIXES: readonly (readonly [string, string])[] = [
  ["access-control-", POLICY],
  ["x-weft-", WEFT],
  ["ratelimit", WEFT],
  ["proxy-", FRAMING],
];

/** Why a workflow may not set header `name`, or null when it may. */
export function refusedHeaderReason(name: string): string | null {
  if (!HEADER_NAME.test(name)) return "not a valid header name (letters, digits and !#$%&'*+.^_`|~- only, at most 128)";
  const lower = name.toLowerCase();
  const exact = REFUSED.get(lower);
  if (exact) return exact;
  for (const [prefix, reason] of REFUSED_PREFIXES) if (lower.startsWith(prefix)) return reason;
  return null;
}

/** What is wrong with a header value, or null. CR, LF and NUL would split or end the header. */
export function headerValueProblem(value: string): string | null {
  if (/[\r\n\0]/.test(value)) return "a header value may not contain CR, LF or NUL";
  if (value.length > MAX_RESPONSE_HEADER_VALUE) return `a header value is at most ${MAX_RESPONSE_HEADER_VALUE} characters`;
  return null;
}

/** Every problem with a header set, as `[name, problem]` (empty when it may be sent). */
export function responseHeaderProblems(headers: Record<string, string>): [string, string][] {
  const problems: [string, string][] = [];
  const names = Object.keys(headers);
  if (names.length > MAX_RESPONSE_HEADERS) problems.push(["", `at most ${MAX_RESPONSE_HEADERS} headers`]);
  const seen = new Set<string>();
  for (const name of names) {
    const refused = refusedHeaderReason(name);
    if (refused) problems.push([name, `${name} may not be set: ${refused}`]);
    const lower = name.toLowerCase();
    if (seen.has(lower)) problems.push([name, `${name} is given twice (header names ignore case)`]);
    seen.add(lower);
    const problem = headerValueProblem(headers[name]);
    if (problem) problems.push([name, `${name}: ${problem}`]);
  }
  return problems;
}

/**
 * Builds the answer from the block's resolved params: a string body is sent as it is
 * (`text/plain; charset=utf-8` unless a content-type header is given), any other JSON value as
 * JSON (`application/json` unless given), null or absent as no body. Returns a problem instead
 * when the answer cannot be sent.
 */
export function buildWebhookResponse(params: {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}): { ok: true; response: WebhookResponse } | { ok: false; code: "invalid_param" | "response_too_large"; message: string } {
  const status = params.status ?? 200;
  const given = params.headers ?? {};
  const problems = responseHeaderProblems(given);
  if (problems.length > 0) return { ok: false, code: "invalid_param", message: problems.map(([, problem]) => problem).join("; ") };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value;
  let body: string | null = null;
  if (typeof params.body === "string") {
    body = params.body;
    headers["content-type"] ??= "text/plain; charset=utf-8";
  } else if (params.body !== undefined && params.body !== null) {
    body = JSON.stringify(params.body);
    headers["content-type"] ??= "application/json";
  }
  if (NO_BODY_STATUSES.has(status) && body !== null && body !== "") {
    return { ok: false, code: "invalid_param", message: `A ${status} answer has no body; remove body or use another status.` };
  }
  if (NO_BODY_STATUSES.has(status)) {
    body = null;
    delete headers["content-type"];
  }
  if (body !== null && new TextEncoder().encode(body).length > MAX_RESPONSE_BODY_BYTES) {
    return { ok: false, code: "response_too_large", message: `The body is over ${MAX_RESPONSE_BODY_BYTES} bytes.` };
  }
  return { ok: true, response: { status, headers, body } };
}
