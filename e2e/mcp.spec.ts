import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, test } from "@playwright/test";
import { PASSWORD } from "./support";

interface McpServerEntry {
  url: string;
  headers: Record<string, string>;
}

/** The `weft` entry of the README's MCP client config, pointed at `baseURL` with `key`. */
function readmeConfig(baseURL: string, key: string): McpServerEntry {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("## Connecting an MCP client"));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, "the README's MCP config snippet").toBeTruthy();
  const entry = (JSON.parse(block!) as { mcpServers: { weft: McpServerEntry } }).mcpServers.weft;
  expect(entry.url).toBe("http://localhost:3000/api/mcp");
  expect(entry.headers.Authorization).toBe("Bearer weft_…");
  return { url: entry.url.replace("http://localhost:3000", baseURL), headers: { Authorization: entry.headers.Authorization.replace("weft_…", key) } };
}

/** The tool's JSON answer; fails the test on an error answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary tool JSON
async function tool(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  const [content] = result.content as { type: string; text: string }[];
  expect(result.isError ?? false, `${name}: ${content.text}`).toBe(false);
  return JSON.parse(content.text);
}

/**
 * As a new user would: the README's MCP config, pointed at the app `npm start` serves (built by
 * Next, with its worker), builds the quickstart's greeter with the tools only, repairs the first
 * batch from its skipped items, runs it and reads the greeting.
 */
test("an MCP client configured as the README says builds, repairs and runs a workflow through npm start", async ({ request, baseURL }) => {
  const signUp = await request.post("/api/auth/sign-up/email", {
    data: { email: `mcp-${Date.now()}@example.com`, password: PASSWORD, name: "Mia" },
  });
  expect(signUp.status()).toBe(200);
  const token = signUp.headers()["set-auth-token"];
  const created = await request.post("/api/keys", { headers: { authorization: `Bearer ${token}` }, data: { name: "mcp client" } });
  expect(created.status()).toBe(201);
  const { key } = (await created.json()) as { key: string };

  const config = readmeConfig(baseURL!, key);
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } }));
  try {
    expect((await client.listTools()).tools).toHaveLength(12);
    const workflow = await tool(client, "create_workflow", { name: "Greeter over MCP" });
    const broken = await tool(client, "patch_workflow", {
      workflow_id: workflow.id,
      if_match: workflow.version,
      ops: [
        { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
        { operation_type: "add", block_id: "greet", type: "greeter", params: { name: "{{trg.body.name}}" } },
        { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
      ],
    });
    expect(broken).toMatchObject({ ok: false, version: 2 });
    const skip = broken.skipped_items.find((item: { reason_code: string }) => item.reason_code === "block_type_not_registered");
    const repaired = await tool(client, "patch_workflow", {
      workflow_id: workflow.id,
      if_match: broken.version,
      ops: [
        { operation_type: "add", block_id: "greet", type: skip.details.registered[0], params: { name: "{{trg.body.name}}" } },
        { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
      ],
    });
    expect(repaired).toMatchObject({ ok: true, version: 3 });
    const run = await tool(client, "run_workflow", { workflow_id: workflow.id, input: { body: { name: "Mia" } }, wait_seconds: 30 });
    expect(run).toMatchObject({ status: "succeeded", trigger: "mcp", output: { greet: { message: "Hello, Mia!" } } });
  } finally {
    await client.close();
  }
});
