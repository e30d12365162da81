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

/** What the MCP transport answers a request that is not MCP at all (protocol errors are the protocol's, not Weft's). */
const JsonRpcErrorSchema = z
  .object({
    jsonrpc: z.literal("2.0"),
    error: z.object({ code: z.number().int().openapi({ example: -32700 }), message: z.string() }),
    id: z.null(),
  })
  .openapi("McpProtocolError", { description: "A JSON-RPC 2.0 error: -32700 parse error, -32600 invalid request, -32000 for a missing Accept type" });

function describeMcp(app: OpenAPIHono<AppEnv>): void {
  const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });
  const protocolError = (description: string) => ({ description, content: { "application/json": { schema: JsonRpcErrorSchema } } });
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
      "Runs started here have trigger `mcp`. Requests count against the key's rate limit. GET and DELETE answer 405 (no server-initiated stream, no sessions). " +
      "Clients must accept both application/json and text/event-stream; answers are application/json.",
    security: [{ bearer: [] }, { apiKey: [] }],
    request: { body: { required: true, content: { "application/json": { schema: z.union([JsonRpcMessageSchema, z.array(JsonRpcMessageSchema)]) } } } },
    responses: {
      200: { description: "The JSON-RPC response(s)", content: { "application/json": { schema: z.unknown() } } },
      202: { description: "Accepted: the body held only notifications or responses" },
      400: {
        description: "invalid_body (JSON nested too deep, a NUL character…), or a JSON-RPC error when the body is not a JSON-RPC message",
        content: { "application/json": { schema: z.union([ErrorSchema, JsonRpcErrorSchema]) } },
      },
      401: error("unauthorized: no API key, a bad one, or a session (the MCP server takes API keys only)"),
      405: error("method_not_allowed (GET, DELETE: this server keeps no sessions and opens no streams)"),
      406: protocolError("The Accept header does not list both application/json and text/event-stream"),
      413: error("payload_too_large"),
      415: error("unsupported_media_type"),
      429: error("rate_limited, with `retryAfterMs`"),
    },
  });
}

/** The MCP sub-app, mounted at `/mcp`. */
export function mcpRoutes(deps: ApiDeps) {
  const app = createRouter();
  describeMcp(app);
  app.post("/", (c) => {
    if (c.get("principal").authMode !== "api_key") {
      throw new ApiError(401, "unauthorized", "The MCP server takes an organization API key (`Authorization: Bearer weft_…`), not a session.");
    }
    return handleMcpPost(deps, actorOf(c), c.req.raw);
  });
  app.all("/", (c) => {
    c.header("Allow", "POST");
    return errorResponse(c, 405, "method_not_allowed", "The MCP server is stateless: send JSON-RPC messages with POST.");
  });
  return app;
}
