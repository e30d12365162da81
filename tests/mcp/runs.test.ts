/**
 * The MCP run tools over real HTTP: a run parked in wait_for_event is returned as soon as it parks,
 * send_event resumes it (to the run, or by key), cancel_run stops one, and every failure is an
 * `isError` answer carrying the HTTP API's stable error code.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, startMcpSession, type McpSession } from "../helpers/mcp";

let session: McpSession;
let client: Client;

beforeAll(async () => {
  session = await startMcpSession();
  ({ client } = session);
});

afterAll(async () => {
  await session?.close();
});

/** trigger_manual → wait_for_event (`approved`, with `key` if given) → transform of the event's note. */
async function approvalWorkflow(key?: string): Promise<string> {
  const created = await callTool(client, "create_workflow", {
    name: "Approval",
    definition: {
      blocks: [
        { id: "trg", type: "trigger_manual" },
        { id: "wait", type: "wait_for_event", params: { event: "approved", ...(key ? { key } : {}) } },
        { id: "done", type: "transform", params: { value: "{{wait.data.note}}" } },
      ],
      edges: [
        { source: "trg", target: "wait" },
        { source: "wait", target: "done" },
      ],
    },
  });
  if (created.isError) throw new Error(JSON.stringify(created.body));
  return created.body.id;
}

describe("runs through MCP", () => {
  it("run_workflow returns once the run parks in a wait; send_event to the run resumes it; get_run waits for the end", async () => {
    const workflowId = await approvalWorkflow();
    const parked = await callTool(client, "run_workflow", { workflow_id: workflowId, wait_seconds: 30 });
    expect(parked.body).toMatchObject({ status: "waiting", trigger: "mcp", waitingOn: { blockId: "wait", kind: "event", event: "approved" } });

    const sent = await callTool(client, "send_event", { run_id: parked.body.id, event: "approved", data: { note: "ship it" } });
    expect(sent.isError).toBe(false);
    expect(sent.body).toMatchObject({ eventId: expect.any(String), delivered: true });

    const finished = await callTool(client, "get_run", { run_id: parked.body.id, wait_seconds: 30 });
    expect(finished.body).toMatchObject({ status: "succeeded", output: { done: { value: "ship it" } } });
  });

  it("send_event with a key wakes the organization's runs waiting with that key", async () => {
    const workflowId = await approvalWorkflow("order-7");
    const parked = await callTool(client, "run_workflow", { workflow_id: workflowId, wait_seconds: 30 });
    expect(parked.body.status).toBe("waiting");
    const sent = await callTool(client, "send_event", { key: "order-7", event: "approved", data: { note: "by key" } });
    expect(sent.body).toMatchObject({ deliveredTo: [parked.body.id] });
    const finished = await callTool(client, "get_run", { run_id: parked.body.id, wait_seconds: 30 });
    expect(finished.body).toMatchObject({ status: "succeeded", output: { done: { value: "by key" } } });
  });

  it("cancel_run cancels a waiting run; a second cancel returns it as it is; a finished run is run_finished", async () => {
    const workflowId = await approvalWorkflow();
    const parked = await callTool(client, "run_workflow", { workflow_id: workflowId, wait_seconds: 30 });
    expect(parked.body.status).toBe("waiting");
    const canceled = await callTool(client, "cancel_run", { run_id: parked.body.id });
    expect(canceled).toMatchObject({ isError: false, body: { id: parked.body.id, status: "canceled" } });
    const again = await callTool(client, "cancel_run", { run_id: parked.body.id });
    expect(again.body.status).toBe("canceled");
    const listed = await callTool(client, "list_runs", { workflow_id: workflowId, status: "canceled" });
    expect(listed.body.data.map((run: { id: string }) => run.id)).toEqual([parked.body.id]);

    const done = await callTool(client, "create_workflow", { name: "Done", definition: { blocks: [{ id: "trg", type: "trigger_manual" }], edges: [] } });
    const finished = await callTool(client, "run_workflow", { workflow_id: done.body.id, wait_seconds: 30 });
    expect(finished.body.status).toBe("succeeded");
    const refused = await callTool(client, "cancel_run", { run_id: finished.body.id });
    expect(refused).toMatchObject({ isError: true, body: { error: "run_finished", message: expect.any(String) } });
  });

  it("run_workflow on a workflow with validation errors is workflow_invalid, with the errors, and starts nothing", async () => {
    const created = await callTool(client, "create_workflow", {
      name: "Nameless greeter",
      definition: { blocks: [{ id: "trg", type: "trigger_manual" }, { id: "greet", type: "greet" }], edges: [{ source: "trg", target: "greet" }] },
    });
    expect(created.body.validation_errors).toEqual([expect.objectContaining({ code: "missing_required_param", block_id: "greet", field: "name" })]);
    const validation = await callTool(client, "validate_workflow", { workflow_id: created.body.id });
    expect(validation.body).toMatchObject({ ok: false, version: 1, validation_errors: [expect.objectContaining({ code: "missing_required_param" })] });

    const refused = await callTool(client, "run_workflow", { workflow_id: created.body.id, wait_seconds: 5 });
    expect(refused.isError).toBe(true);
    expect(refused.body).toMatchObject({ error: "workflow_invalid", validation_errors: [expect.objectContaining({ field: "name" })] });
    const runs = await callTool(client, "list_runs", { workflow_id: created.body.id });
    expect(runs.body.data).toEqual([]);
  });

  it("a stale if_match is version_mismatch with the current version, and changes nothing", async () => {
    const created = await callTool(client, "create_workflow", { name: "Guarded" });
    await callTool(client, "patch_workflow", { workflow_id: created.body.id, ops: [{ operation_type: "add", block_id: "trg", type: "trigger_manual" }] });
    const stale = await callTool(client, "patch_workflow", {
      workflow_id: created.body.id,
      if_match: 1,
      ops: [{ operation_type: "remove", block_id: "trg" }],
    });
    expect(stale).toMatchObject({ isError: true, body: { error: "version_mismatch", current: 2 } });
    const read = await callTool(client, "get_workflow", { workflow_id: created.body.id });
    expect(read.body).toMatchObject({ version: 2, definition: { blocks: [{ id: "trg" }] } });
  });

  it("create_workflow with a definition that would be skipped is invalid_definition, and creates nothing", async () => {
    const before = await callTool(client, "list_workflows", { limit: 100 });
    const refused = await callTool(client, "create_workflow", {
      name: "Broken",
      definition: { blocks: [{ id: "trg", type: "trigger_manul" }], edges: [] },
    });
    expect(refused.isError).toBe(true);
    expect(refused.body).toMatchObject({
      error: "invalid_definition",
      skipped_items: [expect.objectContaining({ reason_code: "block_type_not_registered" })],
      summary: expect.stringContaining("Nothing created"),
    });
    const after = await callTool(client, "list_workflows", { limit: 100 });
    expect(after.body.data.length).toBe(before.body.data.length);
  });

  it("bad arguments are invalid_arguments naming each one; unknown ids are not_found; unknown tools are unknown_tool", async () => {
    const badOps = await callTool(client, "patch_workflow", { workflow_id: "wf_x", ops: "add a block", colour: "red" });
    expect(badOps.isError).toBe(true);
    expect(badOps.body).toMatchObject({ error: "invalid_arguments", message: expect.stringContaining("patch_workflow") });
    expect(badOps.body.issues.map((issue: { path: string[] }) => issue.path.join("."))).toEqual(expect.arrayContaining(["ops", ""]));

    const both = await callTool(client, "send_event", { event: "approved", run_id: "run_x", key: "k" });
    expect(both.body).toMatchObject({ error: "invalid_arguments", issues: [expect.objectContaining({ path: ["run_id"] })] });
    const tooLong = await callTool(client, "get_run", { run_id: "run_x", wait_seconds: 31 });
    expect(tooLong.body).toMatchObject({ error: "invalid_arguments", issues: [expect.objectContaining({ path: ["wait_seconds"] })] });

    for (const [tool, args] of [
      ["get_workflow", { workflow_id: "wf_nothere" }],
      ["patch_workflow", { workflow_id: "wf_nothere", ops: [] }],
      ["validate_workflow", { workflow_id: "wf_nothere" }],
      ["run_workflow", { workflow_id: "wf_nothere" }],
      ["get_run", { run_id: "run_nothere" }],
      ["get_run_logs", { run_id: "run_nothere" }],
      ["cancel_run", { run_id: "run_nothere" }],
      ["send_event", { run_id: "run_nothere", event: "approved" }],
      ["list_connectors", { type: "greeter" }],
    ] as const) {
      const answer = await callTool(client, tool, args);
      expect(answer, tool).toMatchObject({ isError: true, body: { error: "not_found", message: expect.any(String) } });
    }
    const badCursor = await callTool(client, "list_runs", { cursor: "nope" });
    expect(badCursor.body).toMatchObject({ error: "invalid_cursor" });

    const unknown = await callTool(client, "delete_everything");
    expect(unknown).toMatchObject({ isError: true, body: { error: "unknown_tool", message: expect.stringContaining("patch_workflow") } });
  });
});

describe("call_workflow through the MCP tools", () => {
  it("validate_workflow reports a workflow_id the organization does not have; get_run shows a parent's children and list_runs filters by parent_run_id", async () => {
    const child = await callTool(client, "create_workflow", {
      name: "Child",
      definition: { blocks: [{ id: "trg", type: "trigger_manual" }, { id: "greet", type: "greet", params: { name: "{{trg.name}}" } }], edges: [{ source: "trg", target: "greet" }] },
    });
    const parent = await callTool(client, "create_workflow", {
      name: "Parent",
      definition: {
        blocks: [{ id: "trg", type: "trigger_manual" }, { id: "call", type: "call_workflow", params: { workflow_id: "wf_nosuchworkflow000000", input: { name: "Mo" } } }],
        edges: [{ source: "trg", target: "call" }],
      },
    });
    const invalid = await callTool(client, "validate_workflow", { workflow_id: parent.body.id });
    expect(invalid.body).toMatchObject({ ok: false, validation_errors: [{ code: "unknown_workflow", block_id: "call", details: { workflows: expect.arrayContaining([{ id: child.body.id, name: "Child" }]) } }] });

    const patched = await callTool(client, "patch_workflow", {
      workflow_id: parent.body.id,
      ops: [{ operation_type: "update", block_id: "call", params: { workflow_id: child.body.id } }],
    });
    expect(patched.body).toMatchObject({ ok: true });
    const run = await callTool(client, "run_workflow", { workflow_id: parent.body.id, wait_seconds: 20 });
    expect(run.body).toMatchObject({ status: "succeeded", parentRunId: null, output: { call: { status: "succeeded", output: { greet: { message: "Hello, Mo!" } } } } });
    const read = await callTool(client, "get_run", { run_id: run.body.id });
    const childRunId = run.body.output.call.runId;
    expect(read.body.children).toEqual([{ runId: childRunId, workflowId: child.body.id, status: "succeeded", blockId: "call", itemIndex: 0 }]);
    const listed = await callTool(client, "list_runs", { parent_run_id: run.body.id });
    expect(listed.body.data).toMatchObject([{ id: childRunId, parentRunId: run.body.id, trigger: "workflow" }]);
  });
});
