import { z } from "zod";
import { defineConnector, ui, allowPrivateNetworkParam, privateNetworkOperatorParams } from "@/lib/engine/connector";
import { DEFAULT_TIMEOUT_MS, hasHeader, HttpRequestError, MAX_RESPONSE_BYTES } from "@/lib/net/http-guard";
import { guardedRequestWithRetries, MAX_RETRIES } from "@/lib/net/retry";

/** A secret-only field: exactly one {{secrets.NAME}} reference (docs/connectors.md, "Secret-only params"). */
const secretField = (label: string, placeholder: string, description: string) =>
  z.string().min(1).max(8_192).describe(description).meta({ secretOnly: true, ...ui({ label, widget: "secret", placeholder }) });

/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const Auth = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("bearer"),
      token: secretField("Token", "{{secrets.API_TOKEN}}", "The token, as {{secrets.NAME}}; sent as Authorization: Bearer <token>"),
    })
    .strict(),
  z
    .object({
      type: z.literal("basic"),
      username: z.string().max(1_000).describe("The user name (may be a template)"),
      password: secretField("Password", "{{secrets.API_PASSWORD}}", "The password, as {{secrets.NAME}}; sent as Authorization: Basic base64(username:password)"),
    })
    .strict(),
  z
    .object({
      type: z.literal("header"),
      name: z.string().min(1).max(256).regex(HEADER_NAME, "a header name: letters, digits and !#$%&'*+.^_`|~-").describe("The header's name, e.g. X-Api-Key"),
      value: secretField("Value", "{{secrets.API_KEY}}", "The header's value, as {{secrets.NAME}}"),
    })
    .strict(),
]);

const BODY_TYPES = ["json", "form", "text"] as const;
const FormValue = z.union([z.string(), z.number(), z.boolean()]);
const FormBody = z.record(z.string(), z.union([FormValue, z.array(FormValue)]));

/**
 * Calls an HTTP endpoint through the SSRF guard (docs/connectors.md). Errors are HttpRequestError with a
 * stable `code`; a non-2xx status (unless fail_on_status is false) throws `http_status` with the
 * response as `{ status, headers, body }` on `error.response`.
 */
export const httpRequest = defineConnector({
  type: "http_request",
  name: "HTTP request",
  description:
    "Calls an HTTP endpoint and outputs its status, headers and body (parsed by content type: JSON when it is JSON, else text; response_type json or text forces one). " +
    "Authenticate with auth ({type: bearer|basic|header} with the secret as {{secrets.NAME}}: a literal key is refused with secret_required). " +
    "body is sent as JSON (objects), form (body_type form: application/x-www-form-urlencoded from an object) or text (strings). " +
    "retries (default 0, at most 5) sends it again on 429 or 5xx, honouring Retry-After. " +
    "Fails with a stable code: http_status (a non-2xx status, unless fail_on_status is false), timeout (timeout_ms, default 30000), response_too_large (max_response_bytes, default and at most 5 MB), response_not_json, ssrf_blocked (private and loopback addresses are refused), dns_error, network_error, invalid_url, too_many_redirects.",
  category: "network",
  kind: "action",
  params: z
    .object({
      method: z
        .enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
        .describe("HTTP method")
        .meta(ui({ label: "Method", widget: "select" })),
      url: z
        .string()
        .min(1)
        .max(8_192)
        .describe("Absolute http(s) URL; query params may also go in query")
        .meta(ui({ label: "URL", widget: "text", placeholder: "https://api.example.com/items" })),
      headers: z
        .record(z.string(), z.string())
        .optional()
        .describe("Request headers, name → value (put credentials in auth instead, so they come from a secret)")
        .meta(ui({ label: "Headers", widget: "key_value" })),
      query: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .optional()
        .describe("Query parameters added to the URL, name → value (URL-encoded for you; ones already in the URL are kept)")
        .meta(ui({ label: "Query parameters", widget: "key_value" })),
      auth: Auth.optional()
        .describe(
          'Authentication: {"type":"bearer","token":"{{secrets.NAME}}"}, {"type":"basic","username":"…","password":"{{secrets.NAME}}"} or {"type":"header","name":"X-Api-Key","value":"{{secrets.NAME}}"}. The secret parts take only a {{secrets.NAME}} reference. Replaces a header of the same name; dropped on a redirect to another origin',
        )
        .meta(ui({ label: "Authentication", widget: "json", placeholder: '{ "type": "bearer", "token": "{{secrets.API_TOKEN}}" }' })),
      body: z
        .unknown()
        .optional()
        .describe("Request body: objects and arrays are sent as JSON, strings as they are (see body_type)")
        .meta(ui({ label: "Body", widget: "json", placeholder: '{ "name": "{{trigger.body.name}}" }' })),
      body_type: z
        .enum(BODY_TYPES)
        .optional()
        .describe(
          "How body is encoded: json (JSON, content-type application/json; the default for objects and arrays), form (an object of strings, numbers, booleans or lists of them, as application/x-www-form-urlencoded), text (a string as it is, text/plain). Without it a string body is sent as it is. A content-type in headers wins",
        )
        .meta(ui({ label: "Body type", widget: "select", advanced: true })),
      response_type: z
        .enum(["auto", "json", "text"])
        .optional()
        .describe("How the response body is read: auto (default: JSON when the content type says JSON and it parses, else text), json (must parse, else response_not_json; an empty body is null), text")
        .meta(ui({ label: "Response type", widget: "select", advanced: true })),
      timeout_ms: z
        .number()
        .int()
        .min(1)
        .max(300_000)
        .optional()
        .describe("Timeout of each attempt in milliseconds, redirects and reading the body included (default 30000, at most 300000)")
        .meta(ui({ label: "Timeout (ms)", widget: "number", placeholder: "30000", advanced: true })),
      retries: z
        .number()
        .int()
        .min(0)
        .max(MAX_RETRIES)
        .optional()
        .describe(
          `Times to send the request again on 429 or 5xx, or when the connection failed (default 0, at most ${MAX_RETRIES}); waits what Retry-After asks, else 0.5 s, 1 s, 2 s… with jitter, at most 30 s. Only for calls safe to repeat: a POST that got a 5xx may have been acted on`,
        )
        .meta(ui({ label: "Retries", widget: "number", placeholder: "0", advanced: true })),
      max_response_bytes: z
        .number()
        .int()
        .min(1)
        .max(MAX_RESPONSE_BYTES)
        .optional()
        .describe(`Largest response body accepted, decompressed, in bytes (default and at most ${MAX_RESPONSE_BYTES}, 5 MB); larger fails with response_too_large`)
        .meta(ui({ label: "Max response bytes", widget: "number", placeholder: String(MAX_RESPONSE_BYTES), advanced: true })),
      fail_on_status: z
        .boolean()
        .optional()
        .describe("Fail the block on a non-2xx status (default true); false makes any status an output")
        .meta(ui({ label: "Fail on a non-2xx status", widget: "boolean", advanced: true })),
      allow_private_network: allowPrivateNetworkParam("targets"),
    })
    .strict()
    .superRefine((params, ctx) => {
      if (params.body === undefined || params.body === null) return;
      if (params.body_type === "form" && !FormBody.safeParse(params.body).success) {
        ctx.addIssue({ code: "custom", path: ["body"], message: "body_type form needs an object whose values are strings, numbers, booleans or lists of them" });
      }
      if (params.body_type === "text" && typeof params.body !== "string") {
        ctx.addIssue({ code: "custom", path: ["body"], message: "body_type text needs a string body" });
      }
    }),
  outputs: z.object({
    status: z.number().describe("HTTP status code"),
    headers: z.record(z.string(), z.string()).describe("Response headers, lower-case names"),
    body: z.unknown().describe("Response body: parsed JSON, else text (see response_type)"),
  }),
  // Only the operator decides whether workflows may call private addresses, never the workflow.
  operatorParams: privateNetworkOperatorParams,
  run: async (ctx, params) => {
    const url = withQuery(params.url, params.query);
    const headers: Record<string, string> = { ...params.headers };
    const credentialHeaders = params.auth ? setAuth(headers, params.auth) : [];
    const body = encodeBody(params.body, params.body_type, headers);
    const response = await guardedRequestWithRetries(
      {
        method: params.method,
        url,
        headers,
        body,
        timeoutMs: params.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        maxResponseBytes: params.max_response_bytes,
        credentialHeaders,
        allowPrivateNetwork: params.allow_private_network === true,
        signal: ctx.signal,
      },
      { retries: params.retries ?? 0, log: (message) => ctx.log("warn", message) },
    );
    const origin = new URL(response.url).origin;
    const output = { status: response.status, headers: response.headers, body: decodeBody(response.body, response.headers["content-type"], params.response_type ?? "auto", origin, response) };
    if (params.fail_on_status !== false && (output.status < 200 || output.status > 299)) {
      const tries = response.attempts > 1 ? ` after ${response.attempts} attempts` : "";
      throw new HttpRequestError("http_status", `${origin} answered HTTP ${output.status}${tries}`, { status: output.status, response: output });
    }
    return output;
  },
});

/** Sets the auth header (replacing one of the same name); returns the header names that carry it. */
function setAuth(headers: Record<string, string>, auth: z.infer<typeof Auth>): string[] {
  const [name, value] =
    auth.type === "bearer"
      ? ["authorization", `Bearer ${auth.token}`]
      : auth.type === "basic"
        ? ["authorization", `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`]
        : [auth.name, auth.value];
  for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
  headers[name] = value;
  return [name];
}

/** The request body as sent, setting a content type unless the caller did. */
function encodeBody(body: unknown, bodyType: (typeof BODY_TYPES)[number] | undefined, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined;
  const type = (value: string) => {
    if (!hasHeader(headers, "content-type")) headers["content-type"] = value;
  };
  if (bodyType === "form") {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(FormBody.parse(body))) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
    }
    type("application/x-www-form-urlencoded");
    return form.toString();
  }
  if (bodyType === "text" || (bodyType === undefined && typeof body === "string")) {
    if (bodyType === "text") type("text/plain; charset=utf-8");
    return String(body);
  }
  type("application/json");
  return JSON.stringify(body);
}

/** `url` with `query` appended to its search params; throws `invalid_url` when it does not parse. */
function withQuery(url: string, query: Record<string, string | number | boolean> | undefined): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpRequestError("invalid_url", "the URL is not a valid absolute URL");
  }
  for (const [name, value] of Object.entries(query ?? {})) parsed.searchParams.append(name, String(value));
  return parsed;
}

/**
 * The body as `responseType` says: `auto` parses JSON when the content type says JSON and it
 * parses, else text in the declared charset; `json` must parse (`response_not_json`); `text` never parses.
 */
function decodeBody(bytes: Buffer, contentType: string | undefined, responseType: "auto" | "json" | "text", origin: string, response: { status: number; headers: Record<string, string> }): unknown {
  const [mediaType = "", ...parameters] = (contentType ?? "").split(";").map((p) => p.trim().toLowerCase());
  const charset = parameters.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
  let text: string;
  try {
    text = new TextDecoder(charset || "utf-8").decode(bytes);
  } catch {
    text = new TextDecoder("utf-8").decode(bytes); // an unknown charset label
  }
  if (responseType === "text") return text;
  if (responseType === "json") {
    if (text.trim() === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpRequestError("response_not_json", `${origin} answered HTTP ${response.status} with a body that is not JSON (response_type json)`, {
        status: response.status,
        response: { status: response.status, headers: response.headers, body: text },
      });
    }
  }
  if (/^(application\/([\w.-]+\+)?json|text\/json)$/.test(mediaType) && text.trim() !== "") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
