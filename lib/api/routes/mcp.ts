/**
 * `/api/mcp` (docs/mcp.md): the MCP server over Streamable HTTP, in stateless mode. Mounted after
 * the auth and rate-limit middleware, so every MCP request is authenticated and counted like any
 * API request (a client's connect costs about three: initialize, its `initialized` notification
 * and a GET for a stream, answered 405).
 *
 * Only organization API keys are accepted: MCP clients are agents, and an agent acts as a key
 * (an API-key actor may not set `user` params, runs record `api_key:<id>` as their starter). A
 * session — cookie or bearer token — gets 401 `unauthorized` saying so.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "@hono/zod-openapi";
import { handleMcpPost } from "@/lib/mcp/server";
import type { ApiDeps, AppEnv } from "../context";
import { ApiError, errorResponse } from "../errors";
import { actorOf, ErrorSchema } from "../http";
import { createRouter } from "../router";

const JsonRpcMessageSchema = z
  .object({ jsonrpc: z.literal("2.0"), method: z.string().optional(), id: z.union([z.string(), z.number()]).optional() })
  .passthrough()
  .openapi("McpMessage", { description: "A JSON-RPC 2.0 message of the Model Context Protocol (or an array of them)" });

function describeMcp(app: OpenAPIHono<AppEnv>): void {
  const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/",
    tags: ["mcp"],
    summary: "The MCP server (Streamable HTTP)",
    description:
      "Model Context Protocol over Streamable HTTP, stateless: point an MCP client at this URL with `Authorization: Bearer weft_…` (an organization API key; sessions are refused). " +
      "Tools: list_connectors, list_workflows, get_workflow, create_workflow, patch_workflow, validate_workflow, run_workflow, get_run, get_run_logs, send_event, cancel_run, list_runs. " +
      "Resources: weft://connectors, weft://connectors/{type}, weft://workflows/{workflow_id}. " +
      "A tool failure is a result with isError and a JSON text `{ error, message, … }` carrying the same stable code as the HTTP API (invalid_arguments for bad arguments). " +
      "A request that is not MCP at all is refused in the API's error shape too (invalid_body with the JSON-RPC `rpcCode`, not_acceptable…). " +
      "Runs started here have trigger `mcp`. Requests count against the key's rate limit. GET and DELETE answer 405 (no server-initiated stream, no sessions). " +
      "Clients must accept both application/json and text/event-stream; answers are application/json.",
    security: [{ bearer: [] }, { apiKey: [] }],
    request: { body: { required: true, content: { "application/json": { schema: z.union([JsonRpcMessageSchema, z.array(JsonRpcMessageSchema)]) } } } },
    responses: {
      200: { description: "The JSON-RPC response(s)", content: { "application/json": { schema: z.unknown() } } },
      202: { description: "Accepted: the body held only notifications or responses" },
      400: error("invalid_body (not JSON, not a JSON-RPC message, nested too deep…, with `rpcCode` when the MCP transport refused it) or invalid_request (e.g. an unsupported MCP-Protocol-Version)"),
      401: error("unauthorized: no API key, a bad one, or a session (the MCP server takes API keys only)"),
      405: error("method_not_allowed (GET, DELETE: this server keeps no sessions and opens no streams)"),
      406: error("not_acceptable: the Accept header does not list both application/json and text/event-stream"),
      413: error("payload_too_large"),
      415: error("unsupported_media_type"),
      429: error("rate_limited, with `retryAfterMs`"),
    },
  });
}

/** Stable codes of the MCP transport's refusals, by HTTP status (400 is split by JSON-RPC code below). */
const REFUSALS: Record<number, string> = { 406: "not_acceptable", 413: "payload_too_large", 415: "unsupported_media_type" };

/**
 * The transport refuses what is not MCP (bad JSON, not JSON-RPC, a wrong Accept…) with a JSON-RPC
 * error body; the specification leaves that body free, so it is answered in the API's shape with a
 * stable code like every other 4xx, keeping the JSON-RPC code as `rpcCode`. Successes pass as they are.
 */
async function inApiShape(c: Context<AppEnv>, response: Response): Promise<Response> {
  if (response.status < 400) return response;
  let rpc: { code?: unknown; message?: unknown } = {};
  try {
    rpc = ((await response.json()) as { error?: typeof rpc }).error ?? {};
  } catch {
    // Not JSON: the status alone decides.
  }
  const message = typeof rpc.message === "string" ? rpc.message : undefined;
  const rpcCode = typeof rpc.code === "number" ? { rpcCode: rpc.code } : {};
  if (response.status >= 500) {
    c.get("log").error({ status: response.status, message }, "MCP transport failed");
    return errorResponse(c, 500, "internal_error", "Something went wrong on our side.");
  }
  const code = response.status === 400 && (rpc.code === -32700 || rpc.code === -32600) ? "invalid_body" : (REFUSALS[response.status] ?? "invalid_request");
  return errorResponse(c, response.status as ContentfulStatusCode, code, message, rpcCode);
}

/** The MCP sub-app, mounted at `/mcp`. */
export function mcpRoutes(deps: ApiDeps) {
  const app = createRouter();
  describeMcp(app);
  app.post("/", async (c) => {
    if (c.get("principal").authMode !== "api_key") {
      throw new ApiError(401, "unauthorized", "The MCP server takes an organization API key (`Authorization: Bearer weft_…`), not a session.");
    }
    return inApiShape(c, await handleMcpPost(deps, actorOf(c), c.req.raw));
  });
  app.all("/", (c) => {
    c.header("Allow", "POST");
    return errorResponse(c, 405, "method_not_allowed", "The MCP server is stateless: send JSON-RPC messages with POST.");
  });
  return app;
}
