/**
 * The agent's tools over Weft's MCP server (`/api/mcp`, docs/mcp.md) with the official SDK's
 * client on Streamable HTTP, authenticated by an organization API key. Each tool answers one JSON
 * text; a refusal is `isError` with the HTTP API's error JSON, thrown as a `ToolError`.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { errorCodeOf, ToolError, type PatchResult, type Run, type WeftTransport } from "./tools";

/** Connects to `<url>/api/mcp` with `apiKey`; `close()` ends the client. */
export async function mcpTransport(url: string, apiKey: string): Promise<WeftTransport> {
  const endpoint = new URL("/api/mcp", url);
  const client = new Client({ name: "weft-repair-loop-example", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
  const call = async (name: string, args: Record<string, unknown>): Promise<unknown> => {
    const result = await client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text?: string }[];
    const text = content.find((c) => c.type === "text")?.text;
    const body: unknown = text === undefined ? result : JSON.parse(text);
    if (result.isError) throw new ToolError(name, errorCodeOf(body, "tool_error"), body);
    return body;
  };
  return {
    description: `MCP ${endpoint.href}`,
    tools: {
      create_workflow: async (args) => (await call("create_workflow", args)) as { id: string; version: number },
      patch_workflow: async (args) => (await call("patch_workflow", args)) as PatchResult,
      run_workflow: async (args) => (await call("run_workflow", args)) as Run,
    },
    close: () => client.close(),
  };
}
