/**
 * The MCP server end to end (issue 13): the SDK's own client, over real HTTP, initializes, lists
 * the tools, builds the README's quickstart workflow from a broken first batch, repairs it from
 * the skipped items alone, validates it, runs it with a wait, and reads the output and the logs.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SKIP_CODES, VALIDATION_CODES } from "@/lib/engine/ops";
import { call, type AppWithAgent } from "../helpers/api";
import { callTool, readJsonResource, startMcpSession, type McpSession } from "../helpers/mcp";

const TOOLS = [
  "list_connectors",
  "list_workflows",
  "get_workflow",
  "create_workflow",
  "patch_workflow",
  "validate_workflow",
  "run_workflow",
  "get_run",
  "get_run_logs",
  "send_event",
  "cancel_run",
  "list_runs",
];

let session: McpSession;
let setup: AppWithAgent;
let client: Client;

beforeAll(async () => {
  session = await startMcpSession();
  ({ setup, client } = session);
});

afterAll(async () => {
  await session?.close();
});

describe("an MCP client with an organization API key", () => {
  it("initializes against Weft: server name, version and instructions that name the repair loop", () => {
    expect(client.getServerVersion()).toMatchObject({ name: "weft" });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {} });
    expect(client.getInstructions()).toContain("patch_workflow");
  });

  it("lists every tool, each with a description for a model and a JSON schema for its input", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(150);
      expect(tool.inputSchema.type, tool.name).toBe("object");
    }
    const patch = tools.find((tool) => tool.name === "patch_workflow")!;
    expect(Object.keys(patch.inputSchema.properties ?? {}).sort()).toEqual(["atomic", "dry_run", "if_match", "ops", "workflow_id"]);
    expect(patch.inputSchema.required?.sort()).toEqual(["ops", "workflow_id"]);
    // What each skip code and validation error means, and how to fix it, is in the description.
    for (const code of [...SKIP_CODES, ...VALIDATION_CODES]) expect(patch.description).toContain(`${code}:`);
    const run = tools.find((tool) => tool.name === "run_workflow")!;
    expect(Object.keys(run.inputSchema.properties ?? {}).sort()).toEqual(["idempotency_key", "input", "wait_seconds", "workflow_id"]);
  });

  it("builds the quickstart from a broken batch, repairs it from the skips, runs it and reads the output", async () => {
    const catalog = await callTool(client, "list_connectors");
    expect(catalog.isError).toBe(false);
    expect(catalog.body.connectors.map((c: { type: string }) => c.type)).toEqual(expect.arrayContaining(["trigger_webhook", "greet"]));
    const greetEntry = await callTool(client, "list_connectors", { type: "greet" });
    expect(greetEntry.body).toMatchObject({ type: "greet", params: [expect.objectContaining({ name: "name", required: true })] });

    const created = await callTool(client, "create_workflow", { name: "Greeter" });
    expect(created.isError).toBe(false);
    expect(created.body).toMatchObject({ name: "Greeter", version: 1, definition: { blocks: [], edges: [] } });
    const workflowId: string = created.body.id;

    // The model's first try: a connect before its blocks exist, and a block type that does not exist.
    const broken = await callTool(client, "patch_workflow", {
      workflow_id: workflowId,
      if_match: 1,
      ops: [
        { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
        { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
        { operation_type: "add", block_id: "greet", type: "greeter", params: { name: "{{trg.body.name}}" } },
      ],
    });
    expect(broken.isError).toBe(false);
    expect(broken.body).toMatchObject({ ok: false, saved: true, version: 2 });
    expect(broken.body.summary).toContain("skipped 2");
    const skips = broken.body.skipped_items as { index: number; reason_code: string; hint: string; details?: { registered?: string[] } }[];
    expect(skips.map((s) => [s.index, s.reason_code]).sort()).toEqual([
      [0, "invalid_edge_target"],
      [2, "block_type_not_registered"],
    ]);
    expect(broken.structured).toEqual(broken.body);

    // Repair from the skips alone: the registered type nearest to "greeter", then the connect again.
    const typeSkip = skips.find((s) => s.reason_code === "block_type_not_registered")!;
    const nearest = typeSkip.details!.registered![0];
    expect(nearest).toBe("greet");
    const repair = [
      { operation_type: "add", block_id: "greet", type: nearest, params: { name: "{{trg.body.name}}" } },
      { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
    ];
    const tried = await callTool(client, "patch_workflow", { workflow_id: workflowId, if_match: 2, ops: repair, dry_run: true });
    expect(tried.body).toMatchObject({ ok: true, saved: false, version: 2, skipped_items: [], validation_errors: [] });
    const repaired = await callTool(client, "patch_workflow", { workflow_id: workflowId, if_match: 2, ops: repair, atomic: true });
    expect(repaired.body).toMatchObject({ ok: true, saved: true, version: 3, skipped_items: [], validation_errors: [] });

    const validation = await callTool(client, "validate_workflow", { workflow_id: workflowId });
    expect(validation.body).toEqual({ ok: true, version: 3, validation_errors: [], summary: expect.stringContaining("valid") });

    const run = await callTool(client, "run_workflow", { workflow_id: workflowId, input: { body: { name: "Ada" } }, wait_seconds: 20 });
    expect(run.isError).toBe(false);
    expect(run.body).toMatchObject({
      status: "succeeded",
      trigger: "mcp",
      triggeredBy: `api_key:${setup.agentKeyId}`,
      workflowVersion: 3,
      output: { greet: { message: "Hello, Ada!" } },
    });

    const logs = await callTool(client, "get_run_logs", { run_id: run.body.id });
    expect(logs.body.data.map((entry: { blockId: string; status: string }) => [entry.blockId, entry.status])).toEqual([
      ["trg", "succeeded"],
      ["greet", "succeeded"],
    ]);
    expect(logs.body.data[1].input).toEqual({ name: "Ada" });

    const mcpRuns = await callTool(client, "list_runs", { trigger: "mcp" });
    expect(mcpRuns.body.data.map((r: { id: string }) => r.id)).toEqual([run.body.id]);
    const apiRuns = await callTool(client, "list_runs", { trigger: "api" });
    expect(apiRuns.body.data).toEqual([]);

    // One data path: the HTTP API reads what the tools wrote.
    const overHttp = await call(setup.app, "GET", `/api/runs/${run.body.id}`, { headers: setup.agent });
    expect(overHttp.body).toMatchObject({ trigger: "mcp", status: "succeeded" });
    const workflow = await callTool(client, "get_workflow", { workflow_id: workflowId });
    const workflowOverHttp = await call(setup.app, "GET", `/api/workflows/${workflowId}`, { headers: setup.agent });
    expect(workflow.body).toEqual(workflowOverHttp.body);
  });

  it("serves the catalog and each workflow's definition as resources", async () => {
    const created = await callTool(client, "create_workflow", {
      name: "As a resource",
      definition: { blocks: [{ id: "trg", type: "trigger_manual" }], edges: [] },
    });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(["weft://connectors", "weft://connectors/greet", `weft://workflows/${created.body.id}`]));
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(["weft://connectors/{type}", "weft://workflows/{workflow_id}"]);

    const catalog = await readJsonResource(client, "weft://connectors");
    expect(catalog.body.connectors.length).toBeGreaterThan(5);
    const greet = await readJsonResource(client, "weft://connectors/greet");
    expect(greet.body).toMatchObject({ type: "greet", paramsSchema: expect.any(Object) });
    const workflow = await readJsonResource(client, `weft://workflows/${created.body.id}`);
    expect(workflow.mimeType).toBe("application/json");
    expect(workflow.body).toMatchObject({ id: created.body.id, version: 1, definition: { blocks: [{ id: "trg" }] } });
    await expect(client.readResource({ uri: "weft://workflows/wf_nothere" })).rejects.toThrow(/No such workflow/);
  });
});
