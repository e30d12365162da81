/**
 * An MCP client for tests: the SDK's own `Client` over its Streamable HTTP transport, against a
 * control plane served on 127.0.0.1 (tests/helpers/serve.ts).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createAppWithAgent, type AppWithAgent } from "./api";
import { startTestWorker, type TestWorker } from "./runtime";
import { serveApi, type ServedApi } from "./serve";

/** Connects (initialize + initialized) to `<url>/api/mcp`, sending `headers` on every request. */
export async function connectMcp(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "weft-tests", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/api/mcp", url), { requestInit: { headers } }));
  return client;
}

/** An app with an agent, a worker, the app served on 127.0.0.1, and an MCP client on the agent's API key. */
export interface McpSession {
  setup: AppWithAgent;
  client: Client;
  /** Closes the client, the server, the worker and the app, in that order. */
  close(): Promise<void>;
}

/** Starts an {@link McpSession}; if a step fails, what had started is closed before the error is rethrown. */
export async function startMcpSession(): Promise<McpSession> {
  let setup: AppWithAgent | undefined;
  let worker: TestWorker | undefined;
  let served: ServedApi | undefined;
  let client: Client | undefined;
  const close = async () => {
    await client?.close();
    await served?.close();
    await worker?.stop();
    await setup?.app.close();
  };
  try {
    setup = await createAppWithAgent();
    worker = await startTestWorker(setup.app);
    served = await serveApi(setup.app);
    client = await connectMcp(served.url, { authorization: `Bearer ${setup.agent["x-api-key"]}` });
    return { setup, client, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A tool's answer: `isError`, and its text content parsed as JSON. */
export interface ToolAnswer {
  isError: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary tool JSON
  body: any;
  structured: unknown;
}

/** Calls `name` with `args`; throws when the answer is not one JSON text. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  if (content.length !== 1 || content[0].type !== "text" || content[0].text === undefined) {
    throw new Error(`${name} answered ${JSON.stringify(result)}`);
  }
  return { isError: result.isError === true, body: JSON.parse(content[0].text), structured: result.structuredContent };
}

/** Reads resource `uri` and parses its one text content as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary resource JSON
export async function readJsonResource(client: Client, uri: string): Promise<{ mimeType: string | undefined; body: any }> {
  const { contents } = await client.readResource({ uri });
  const [content] = contents;
  if (contents.length !== 1 || !("text" in content)) throw new Error(`${uri} answered ${JSON.stringify(contents)}`);
  return { mimeType: content.mimeType, body: JSON.parse(content.text) };
}
