/**
 * The organization-aware validation of call_workflow (docs/patch-endpoint.md, "Validation errors"):
 * a literal `workflow_id` must name one of the caller's organization's workflows. Checked by the
 * patch endpoint, workflow creation, PUT definition and run start; a templated id is left to run
 * time. Another organization's workflow is as unknown as one that never existed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
  other = await signUp(app);
});
afterAll(async () => {
  await app?.close();
});

const trigger = { id: "trg", type: "trigger_manual", params: {} };
const greeter = { blocks: [trigger, { id: "greet", type: "greet", params: { name: "x" } }], edges: [{ source: "trg", target: "greet" }] };

async function createWorkflow(headers: Record<string, string>, body: Record<string, unknown>): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await call(app, "POST", "/api/workflows", { headers, body });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, body: res.body };
}

/** Patches `workflowId` to trg → call (call_workflow naming `target`); returns the response body. */
async function pointAt(workflowId: string, target: string) {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/operations`, {
    headers: user.bearer,
    body: {
      ops: [
        { operation_type: "add", block_id: "call", type: "call_workflow", params: { workflow_id: target } },
        { operation_type: "connect", block_id: "trg", target_block_id: "call" },
      ],
    },
  });
  expect(res.status).toBe(200);
  return res.body;
}

describe("call_workflow's workflow_id", () => {
  it("naming no workflow of the organization is unknown_workflow, with the organization's workflows and the nearest id as data; the edit is still saved", async () => {
    const target = await createWorkflow(user.bearer, { name: "Target", definition: greeter });
    const caller = await createWorkflow(user.bearer, { name: "Caller", definition: { blocks: [trigger], edges: [] } });
    const typo = `${target.id.slice(0, -1)}${target.id.endsWith("a") ? "b" : "a"}`;
    const body = await pointAt(caller.id, typo);
    expect(body).toMatchObject({ ok: false, saved: true });
    expect(body.validation_errors).toHaveLength(1);
    const [error] = body.validation_errors;
    expect(error).toMatchObject({ code: "unknown_workflow", block_id: "call", block_type: "call_workflow", field: "workflow_id", value: typo });
    expect(error.error).toContain("which this organization does not have");
    expect(error.details.workflows).toEqual(expect.arrayContaining([{ id: target.id, name: "Target" }, { id: caller.id, name: "Caller" }]));
    expect(error.details.closest).toEqual([target.id]);
    expect(error.details.suggested_ops).toEqual([{ operation_type: "update", block_id: "call", params: { workflow_id: target.id } }]);
    expect(error.hint).toContain(target.id);
    expect(body.summary).toContain("unknown_workflow");

    // Sending the suggested op fixes it.
    const fixed = await call(app, "POST", `/api/workflows/${caller.id}/operations`, { headers: user.bearer, body: { ops: error.details.suggested_ops } });
    expect(fixed.body).toMatchObject({ ok: true, validation_errors: [] });
  });

  it("naming another organization's workflow is unknown_workflow too, and a run is refused with 422 workflow_invalid, storing nothing", async () => {
    const theirs = await createWorkflow(other.bearer, { name: "Theirs", definition: greeter });
    const caller = await createWorkflow(user.bearer, { name: "Reaching caller", definition: { blocks: [trigger], edges: [] } });
    const body = await pointAt(caller.id, theirs.id);
    expect(body.validation_errors).toMatchObject([{ code: "unknown_workflow", value: theirs.id }]);
    // Their workflow's name is not revealed.
    expect(JSON.stringify(body)).not.toContain("Theirs");
    const run = await call(app, "POST", `/api/workflows/${caller.id}/run`, { headers: user.bearer, body: {} });
    expect(run.status).toBe(422);
    expect(run.body).toMatchObject({ error: "workflow_invalid", validation_errors: [{ code: "unknown_workflow", block_id: "call" }] });
    const stored = await app.database.sql`SELECT id FROM runs WHERE workflow_id = ${caller.id}`;
    expect(stored).toHaveLength(0);
  });

  it("a workflow of the organization (itself included) or a template passes; deleting the called workflow makes its caller invalid", async () => {
    const target = await createWorkflow(user.bearer, { name: "Soon deleted", definition: greeter });
    const caller = await createWorkflow(user.bearer, { name: "Valid caller", definition: { blocks: [trigger], edges: [] } });
    expect((await pointAt(caller.id, target.id)).validation_errors).toEqual([]);
    const self = await createWorkflow(user.bearer, { name: "Self caller", definition: { blocks: [trigger], edges: [] } });
    expect((await pointAt(self.id, self.id)).validation_errors).toEqual([]);
    const templated = await createWorkflow(user.bearer, { name: "Templated caller", definition: { blocks: [trigger], edges: [] } });
    expect((await pointAt(templated.id, "{{trg.workflow}}")).validation_errors).toEqual([]);

    expect((await call(app, "DELETE", `/api/workflows/${target.id}`, { headers: user.bearer })).status).toBe(204);
    const run = await call(app, "POST", `/api/workflows/${caller.id}/run`, { headers: user.bearer, body: {} });
    expect(run.status).toBe(422);
    expect(run.body.validation_errors).toMatchObject([{ code: "unknown_workflow", value: target.id }]);
  });

  it("creating a workflow, or putting a whole definition, that names an unknown workflow reports unknown_workflow", async () => {
    const definition = {
      blocks: [trigger, { id: "call", type: "call_workflow", params: { workflow_id: "wf_nosuchworkflow000000" } }],
      edges: [{ source: "trg", target: "call" }],
    };
    const created = await createWorkflow(user.bearer, { name: "Created caller", definition });
    expect(created.body.validation_errors).toMatchObject([{ code: "unknown_workflow", value: "wf_nosuchworkflow000000" }]);
    const put = await call(app, "PUT", `/api/workflows/${created.id}/definition`, { headers: user.bearer, body: { definition } });
    expect(put.status).toBe(200);
    expect(put.body.validation_errors).toMatchObject([{ code: "unknown_workflow" }]);
  });

  it("bad call_workflow params are validation errors with a hint, never a 500", async () => {
    const caller = await createWorkflow(user.bearer, { name: "Bad params", definition: { blocks: [trigger], edges: [] } });
    const res = await call(app, "POST", `/api/workflows/${caller.id}/operations`, {
      headers: user.bearer,
      body: { ops: [{ operation_type: "add", block_id: "call", type: "call_workflow", params: { workflow_id: 7, items: "not a list", concurrency: 99 } }] },
    });
    expect(res.status).toBe(200);
    const codes = res.body.validation_errors.map((e: { code: string; field?: string }) => `${e.code}:${e.field}`);
    expect(codes).toEqual(expect.arrayContaining(["invalid_param:workflow_id", "invalid_param:items", "invalid_param:concurrency"]));
    for (const error of res.body.validation_errors) expect(error.hint).toBeTruthy();
  });
});

describe("the runs list's parentRunId filter", () => {
  it("takes a run id of the caller's organization, and answers an empty page (never another organization's runs) for any other", async () => {
    const res = await call(app, "GET", "/api/runs?parentRunId=run_doesnotexist0000000", { headers: user.bearer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
    const bad = await call(app, "GET", `/api/runs?parentRunId=${"x".repeat(201)}`, { headers: user.bearer });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_query");
  });
});
