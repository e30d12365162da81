import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";
import { DEFAULT_TIMEOUT_MS, guardedRequest, hasHeader, HttpRequestError } from "@/lib/net/http-guard";

/**
 * Calls an HTTP endpoint through the SSRF guard (docs/connectors.md). Errors are HttpRequestError with a
 * stable `code`; a non-2xx status (unless fail_on_status is false) throws `http_status` with the
 * response as `{ status, headers, body }` on `error.response`.
 */
export const httpRequest = defineConnector({
  type: "http_request",
  name: "HTTP request",
  description:
    "Calls an HTTP endpoint and outputs its status, headers and body (JSON parsed when it is JSON). A non-2xx status fails the block unless fail_on_status is false; private and loopback addresses are refused.",
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
        .describe("Absolute http(s) URL")
        .meta(ui({ label: "URL", widget: "text", placeholder: "https://api.example.com/items" })),
      headers: z
        .record(z.string(), z.string())
        .optional()
        .describe("Request headers")
        .meta(ui({ label: "Headers", widget: "key_value" })),
      query: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .optional()
        .describe("Query parameters added to the URL")
        .meta(ui({ label: "Query parameters", widget: "key_value" })),
      body: z
        .unknown()
        .optional()
        .describe("Request body: objects and arrays are sent as JSON")
        .meta(ui({ label: "Body", widget: "json", placeholder: '{ "name": "{{trigger.body.name}}" }' })),
      timeout_ms: z
        .number()
        .int()
        .min(1)
        .max(300_000)
        .optional()
        .describe("Timeout in milliseconds (default 30000)")
        .meta(ui({ label: "Timeout (ms)", widget: "number", placeholder: "30000", advanced: true })),
      fail_on_status: z
        .boolean()
        .optional()
        .describe("Fail the block on a non-2xx status (default true)")
        .meta(ui({ label: "Fail on a non-2xx status", widget: "boolean", advanced: true })),
      allow_private_network: z
        .boolean()
        .optional()
        .meta({ visibility: "hidden", description: "Operator-only: allow private, loopback and link-local targets" }),
    })
    .strict(),
  outputs: z.object({
    status: z.number().describe("HTTP status code"),
    headers: z.record(z.string(), z.string()).describe("Response headers"),
    body: z.unknown().describe("Response body: parsed JSON, else text"),
  }),
  // Only the operator decides whether workflows may call private addresses, never the workflow.
  operatorParams: { allow_private_network: (operator) => operator.allowPrivateHttp },
  run: async (ctx, params) => {
    const url = withQuery(params.url, params.query);
    const headers: Record<string, string> = { ...params.headers };
    let body: string | undefined;
    if (typeof params.body === "string") {
      body = params.body;
    } else if (params.body !== undefined && params.body !== null) {
      body = JSON.stringify(params.body);
      if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
    }
    const response = await guardedRequest({
      method: params.method,
      url,
      headers,
      body,
      timeoutMs: params.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      allowPrivateNetwork: params.allow_private_network === true,
      signal: ctx.signal,
    });
    const output = { status: response.status, headers: response.headers, body: decodeBody(response.body, response.headers["content-type"]) };
    if (params.fail_on_status !== false && (output.status < 200 || output.status > 299)) {
      throw new HttpRequestError("http_status", `${new URL(response.url).origin} answered HTTP ${output.status}`, {
        status: output.status,
        response: output,
      });
    }
    return output;
  },
});

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

/** Parsed JSON when the content type says JSON and it parses; otherwise text in the declared charset. */
function decodeBody(bytes: Buffer, contentType: string | undefined): unknown {
  const [mediaType = "", ...parameters] = (contentType ?? "").split(";").map((p) => p.trim().toLowerCase());
  const charset = parameters.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
  let text: string;
  try {
    text = new TextDecoder(charset || "utf-8").decode(bytes);
  } catch {
    text = new TextDecoder("utf-8").decode(bytes); // an unknown charset label
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
