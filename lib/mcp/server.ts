/**
 * The MCP server (docs/mcp.md): Weft's tools and resources for one actor (an organization API key),
 * over Streamable HTTP in stateless mode. Every POST gets a fresh server and transport that live
 * for that request only, so there is no session to keep and any web instance can answer any
 * request; the answer is plain JSON (`enableJsonResponse`), not an event stream.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { WEFT_VERSION } from "@/lib/version";
import type { Actor } from "@/lib/workflows/outcome";
import type { McpDeps } from "./deps";
import { serveResources } from "./resources";
import { serveTools, type McpTool } from "./tool";
import { catalogTools } from "./tools/catalog-tools";
import { runTools } from "./tools/run-tools";
import { workflowTools } from "./tools/workflow-tools";

/** Every tool, in the order a model would use them: learn the blocks, build, validate, run, inspect. */
export const MCP_TOOLS: readonly McpTool[] = [...catalogTools, ...workflowTools, ...runTools];

const INSTRUCTIONS = [
  "Weft runs durable workflows: graphs of blocks (one trigger, then actions, logic and waits) joined by edges.",
  "To build one: list_connectors (the block types), create_workflow (a name), patch_workflow (a batch of EditOps: add blocks, connect them).",
  "patch_workflow applies what it can and explains every op it skipped (skipped_items with reason_code and hint) and what is invalid (validation_errors): send a corrected batch until ok is true.",
  "Then run_workflow with wait_seconds, and read the run's output; get_run_logs shows each block's input and output.",
  "Every failure is a JSON text { error, message, … } with a stable error code.",
].join(" ");

/** An MCP server holding Weft's tools and resources, acting as `actor`. */
export function createMcpServer(deps: McpDeps, actor: Actor): McpServer {
  const server = new McpServer({ name: "weft", title: "Weft", version: WEFT_VERSION }, { instructions: INSTRUCTIONS });
  const context = { deps, actor };
  serveTools(server.server, MCP_TOOLS, context, deps.logger);
  serveResources(server, context);
  return server;
}

/** Answers one Streamable HTTP POST (a JSON-RPC message or batch) as `actor`. */
export async function handleMcpPost(deps: McpDeps, actor: Actor, request: Request): Promise<Response> {
  const server = createMcpServer(deps, actor);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
