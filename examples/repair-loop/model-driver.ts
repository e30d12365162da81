/**
 * Real-model mode of the repair loop: an OpenAI-compatible chat-completions model drives Weft's
 * MCP server (`/api/mcp`, docs/mcp.md) with tool calls. Every tool the server lists is offered to
 * the model as a function (its description and input schema as the server wrote them); each call
 * the model makes goes to the server unchanged and its JSON answer goes back as a `tool` message,
 * so the model repairs its workflow from the same `skipped_items`, `validation_errors`, hints and
 * details the scripted agent reads. It stops when the model answers without a tool call, or after
 * a budget of calls.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export interface ModelSettings {
  /** e.g. https://api.openai.com/v1 (the `/chat/completions` path is added). */
  baseUrl: string;
  apiKey: string;
  model: string;
}

interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

type Message =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

export interface ModelLoopOutcome {
  ok: boolean;
  /** The model's last words, or why the loop stopped. */
  text: string;
  calls: number;
  /** The last run the model started with run_workflow, if any. */
  runId?: string;
  runStatus?: string;
}

const TASK = (input: unknown) =>
  [
    "Build a Weft workflow with the tools, then run it.",
    "The workflow: a manual trigger, then a block that greets the `name` of the run input (find the connector with list_connectors),",
    "then a log block that logs the greeting.",
    "Create it with create_workflow, add blocks and edges with patch_workflow, and read its answer: every skipped item and",
    "validation error has a reason code, a hint and details that say exactly how to fix it. Send a new patch with the fixes",
    `until the answer says ok: true. Then call run_workflow with input ${JSON.stringify(input)} and wait_seconds 30,`,
    "and reply with the run's status and output in one sentence.",
  ].join(" ");

async function chat(settings: ModelSettings, body: Record<string, unknown>): Promise<{ content: string | null; tool_calls?: ToolCall[] }> {
  const response = await fetch(`${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${settings.apiKey}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the model endpoint answered ${response.status}: ${text.slice(0, 500)}`);
  const parsed = JSON.parse(text) as { choices?: { message?: { content: string | null; tool_calls?: ToolCall[] } }[] };
  const message = parsed.choices?.[0]?.message;
  if (!message) throw new Error(`the model endpoint answered without a message: ${text.slice(0, 500)}`);
  return message;
}

/** Runs the model against `<weftUrl>/api/mcp` until it stops calling tools or `maxCalls` is spent. */
export async function runModelLoop(
  weftUrl: string,
  apiKey: string,
  settings: ModelSettings,
  options: { input: unknown; maxCalls?: number; print: (line: string) => void },
): Promise<ModelLoopOutcome> {
  const client = new Client({ name: "weft-repair-loop-model", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/api/mcp", weftUrl), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
  try {
    const { tools } = await client.listTools();
    const functions = tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description ?? "", parameters: tool.inputSchema } }));
    const messages: Message[] = [
      { role: "system", content: "You are an agent that builds and repairs workflows on Weft through its tools. Use only what the tools tell you." },
      { role: "user", content: TASK(options.input) },
    ];
    const maxCalls = options.maxCalls ?? 40;
    let calls = 0;
    let runId: string | undefined;
    let runStatus: string | undefined;
    for (;;) {
      const reply = await chat(settings, { model: settings.model, messages, tools: functions, temperature: 0 });
      messages.push({ role: "assistant", content: reply.content ?? null, ...(reply.tool_calls?.length ? { tool_calls: reply.tool_calls } : {}) });
      if (!reply.tool_calls?.length) return { ok: runStatus === "succeeded", text: reply.content ?? "", calls, runId, runStatus };
      for (const call of reply.tool_calls) {
        if (calls >= maxCalls) return { ok: false, text: `stopped after ${maxCalls} tool calls`, calls, runId, runStatus };
        calls += 1;
        let args: Record<string, unknown> = {};
        try {
          args = JSON.parse(call.function.arguments || "{}") as Record<string, unknown>;
        } catch {
          messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify({ error: "invalid_arguments", message: "arguments are not JSON" }) });
          continue;
        }
        const result = await client.callTool({ name: call.function.name, arguments: args });
        const text = (result.content as { type: string; text?: string }[]).find((c) => c.type === "text")?.text ?? JSON.stringify(result);
        options.print(`  ${call.function.name}(${shorten(call.function.arguments)}) → ${result.isError ? "error " : ""}${shorten(text)}`);
        if (call.function.name === "run_workflow" && !result.isError) {
          const run = JSON.parse(text) as { id?: string; status?: string };
          runId = run.id;
          runStatus = run.status;
        }
        messages.push({ role: "tool", tool_call_id: call.id, content: text });
      }
    }
  } finally {
    await client.close();
  }
}

function shorten(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
