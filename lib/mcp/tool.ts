/**
 * How an MCP tool is declared and answered (docs/mcp.md). A tool parses its arguments with a zod
 * schema, calls one use-case, and returns its Outcome; this file turns that into MCP: a value is
 * JSON text (and `structuredContent`), a failure is `isError: true` with the same JSON body the
 * HTTP API answers (`{ "error": "<stable code>", "message", …details }`).
 *
 * The tools are served through the SDK's low-level request handlers rather than
 * `McpServer.registerTool`: registerTool answers bad arguments with a prose message
 * ("MCP error -32602: Input validation error: …"), and a model needs the stable code
 * `invalid_arguments` with the issues, like every other failure here.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Logger } from "@/lib/log";
import { isDatabaseUnavailable } from "@/lib/store/availability";
import type { Actor, Failure, Outcome } from "@/lib/workflows/outcome";
import type { McpDeps } from "./deps";

/** What a tool's `run` gets besides its arguments. */
export interface ToolContext {
  deps: McpDeps;
  actor: Actor;
}

/** One tool: its name, what a model reads about it, its arguments, and the use-case call. */
export interface McpTool<S extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>> {
  name: string;
  title: string;
  /** Written for a model: when to use it, what comes back, which errors it gives and how to fix them. */
  description: string;
  input: S;
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  run(args: z.output<S>, context: ToolContext): Promise<Outcome<unknown>> | Outcome<unknown>;
}

/** Declares a tool; the result fits in one list with tools of other argument types. */
export function defineTool<S extends z.ZodType<Record<string, unknown>>>(tool: McpTool<S>): McpTool {
  return tool as unknown as McpTool;
}

/** A failure of anything but a use-case, in the same `{ error, message, … }` shape. */
type ToolError = { error: string; message: string } & Record<string, unknown>;

function answer(value: unknown, isError: boolean): CallToolResult {
  const structured = typeof value === "object" && value !== null && !Array.isArray(value) ? { structuredContent: value as Record<string, unknown> } : {};
  return { content: [{ type: "text", text: JSON.stringify(value) }], ...structured, ...(isError ? { isError: true } : {}) };
}

/** The MCP answer to a use-case failure: the HTTP API's error body. */
export function failureAnswer(failure: Failure): CallToolResult {
  const { code, message, ...details } = failure;
  return answer({ error: code, message, ...details }, true);
}

function errorAnswer(error: ToolError): CallToolResult {
  return answer(error, true);
}

/**
 * The `{ error, message }` for something a tool or a resource read threw, logged with `where`:
 * `database_unavailable` (try again shortly) or `internal_error` (a bug); never its raw message.
 */
export function thrownFailure(error: unknown, logger: Logger, where: Record<string, string>, bugMessage: string): ToolError {
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, ...where }, "database unavailable");
    return { error: "database_unavailable", message: "The database is unavailable right now; try again shortly." };
  }
  logger.error({ err: error, ...where }, bugMessage);
  return { error: "internal_error", message: "Something went wrong on our side." };
}

/** `invalid_arguments`, naming each argument that failed and why (as the API's `issues`). */
function invalidArguments(tool: McpTool, error: z.ZodError): CallToolResult {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message, code: issue.code }));
  const details = issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
  return errorAnswer({ error: "invalid_arguments", message: `The arguments of ${tool.name} are not valid: ${details}`, issues });
}

/** Each tool's JSON Schema, computed once per tool (the definitions are fixed). */
const schemas = new WeakMap<McpTool, Tool["inputSchema"]>();

function inputSchema(tool: McpTool): Tool["inputSchema"] {
  let schema = schemas.get(tool);
  if (!schema) {
    const { $schema: _dialect, ...json } = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    schema = { ...json, type: "object" };
    schemas.set(tool, schema);
  }
  return schema;
}

/**
 * Serves `tools` on `server` (tools/list and tools/call) for `context`. Anything a tool throws is
 * an error answer too: `database_unavailable` (try again shortly) or `internal_error` (a bug, logged).
 */
export function serveTools(server: Server, tools: readonly McpTool[], context: ToolContext, logger: Logger): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: inputSchema(tool),
      annotations: { title: tool.title, ...tool.annotations },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      const message = `No tool named ${JSON.stringify(request.params.name)}; the tools are: ${[...byName.keys()].join(", ")}.`;
      return errorAnswer({ error: "unknown_tool", message });
    }
    const parsed = tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) return invalidArguments(tool, parsed.error);
    try {
      const outcome = await tool.run(parsed.data, context);
      return outcome.ok ? answer(outcome.value, false) : failureAnswer(outcome.failure);
    } catch (error) {
      return errorAnswer(thrownFailure(error, logger, { tool: tool.name }, "MCP tool failed"));
    }
  });
}
