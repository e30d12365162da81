/**
 * The editor's save path (app/(app)/workflows/[id]/editor/editor-store.ts) against a real control
 * plane: two people's stores and an agent's key on one workflow. Checks what docs/editor.md
 * promises: debounced typing is one version, a 412 keeps both changes, a change that no longer
 * applies is reported as lost, others' changes are picked up with who made them, and undo/redo are
 * saved as edits.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EditorStore, type EditorNotice } from "@/app/(app)/workflows/[id]/editor/editor-store";
import { editorTransport } from "@/app/(app)/workflows/[id]/editor/transport";
import { createApiClient } from "@/lib/api/client";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { createApiKey, createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let owner: TestUser;
let member: TestUser;
let agent: { headers: Record<string, string> };

function clientFor(headers: Record<string, string>) {
  return createApiClient(app.baseUrl, { headers, fetch: (input: RequestInfo | URL, init?: RequestInit) => app.api.request(input, init) });
}

async function newWorkflow(definition: WorkflowDefinition) {
  const response = await clientFor(owner.bearer).api.workflows.$post({ json: { name: "Editor store", definition } });
  expect(response.status).toBe(201);
  return response.json();
}

async function storeFor(user: TestUser, workflowId: string) {
  const client = clientFor(user.bearer);
  const workflow = await (await client.api.workflows[":id"].$get({ param: { id: workflowId } })).json();
  const store = new EditorStore(workflow, editorTransport(client, workflowId, (actor, raw) => actor?.name ?? raw));
  const notices: EditorNotice[] = [];
  store.onNotice((n) => notices.push(n));
  return { store, notices };
}

async function history(workflowId: string) {
  return (await (await clientFor(owner.bearer).api.workflows[":id"].versions.$get({ param: { id: workflowId }, query: {} })).json()).data;
}

const GREETER: WorkflowDefinition = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } },
    { id: "greet", type: "greet", params: { name: "Ada" }, position: { x: 300, y: 0 } },
    { id: "log", type: "log", params: { message: "hi" }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { source: "trg", target: "greet" },
    { source: "greet", target: "log" },
  ],
};

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app, { name: "Owner" });
  member = await joinOrganization(app, owner, "member");
  agent = await createApiKey(app, owner, "repair-bot");
});

afterAll(async () => {
  await app?.close();
});

describe("EditorStore against the patch endpoint", () => {
  test("typing debounced into one update makes one version, with the last value", async () => {
    const wf = await newWorkflow(GREETER);
    const { store } = await storeFor(owner, wf.id);
    for (const name of ["G", "Gr", "Gra", "Grace"]) {
      store.applyOps([{ operation_type: "update", block_id: "greet", params: { name } }], { debounceMs: 10_000, mergeKey: "greet:name" });
    }
    expect(store.getState().status).toBe("pending");
    await store.flush();
    const state = store.getState();
    expect(state.status).toBe("saved");
    expect(state.base.version).toBe(wf.version + 1);
    expect(state.base.definition.blocks.find((b) => b.id === "greet")?.params).toEqual({ name: "Grace" });
    expect((await history(wf.id)).length).toBe(2);
  });

  test("a 412 fetches the other save, says who made it, and keeps both changes", async () => {
    const wf = await newWorkflow(GREETER);
    const a = await storeFor(owner, wf.id);
    const b = await storeFor(member, wf.id);
    a.store.applyOps([{ operation_type: "update", block_id: "greet", params: { name: "From A" } }]);
    await a.store.flush();
    b.store.applyOps([{ operation_type: "update", block_id: "log", params: { message: "From B" } }]);
    await b.store.flush();

    const state = b.store.getState();
    expect(state.status).toBe("saved");
    expect(state.base.version).toBe(wf.version + 2);
    const blocks = new Map(state.base.definition.blocks.map((x) => [x.id, x.params]));
    expect(blocks.get("greet")).toEqual({ name: "From A" });
    expect(blocks.get("log")).toEqual({ message: "From B" });
    expect(b.notices.map((n) => n.kind)).toEqual(["conflict"]);
    expect(b.notices[0].message).toContain("Owner");
  });

  test("a change whose block was removed elsewhere is reported as lost, and the rest is kept", async () => {
    const wf = await newWorkflow(GREETER);
    const a = await storeFor(owner, wf.id);
    const b = await storeFor(member, wf.id);
    a.store.applyOps([{ operation_type: "remove", block_id: "log" }]);
    await a.store.flush();
    b.store.applyOps([
      { operation_type: "update", block_id: "log", params: { message: "lost" } },
      { operation_type: "update", block_id: "greet", params: { name: "kept" } },
    ]);
    await b.store.flush();

    const state = b.store.getState();
    expect(state.base.definition.blocks.map((x) => x.id)).toEqual(["trg", "greet"]);
    expect(state.base.definition.blocks.find((x) => x.id === "greet")?.params).toEqual({ name: "kept" });
    const lost = b.notices.find((n) => n.kind === "lost");
    expect(lost?.details?.join("\n")).toContain("log");
    expect(state.issues.get("log")?.[0].code).toBe("block_not_found");
  });

  test("an agent's patch is picked up by checkRemote with the key's name and the blocks it touched", async () => {
    const wf = await newWorkflow(GREETER);
    const { store } = await storeFor(owner, wf.id);
    const patched = await clientFor(agent.headers).api.workflows[":id"].operations.$post({
      param: { id: wf.id },
      json: { ops: [{ operation_type: "update", block_id: "greet", params: { name: "Agent" } }] },
    });
    expect(patched.status).toBe(200);
    await store.checkRemote();
    const state = store.getState();
    expect(state.base.version).toBe(wf.version + 1);
    expect(state.local.blocks.find((x) => x.id === "greet")?.params).toEqual({ name: "Agent" });
    expect(state.remote?.blockIds).toEqual(["greet"]);
    expect(state.remote?.by).toBe("repair-bot");
  });

  test("a remote change arriving under an unsaved local edit keeps the local edit on top", async () => {
    const wf = await newWorkflow(GREETER);
    const { store } = await storeFor(owner, wf.id);
    store.applyOps([{ operation_type: "update", block_id: "log", params: { message: "mine" } }], { debounceMs: 60_000 });
    await clientFor(agent.headers).api.workflows[":id"].operations.$post({
      param: { id: wf.id },
      json: { ops: [{ operation_type: "update", block_id: "greet", params: { name: "Agent" } }] },
    });
    await store.checkRemote();
    const shown = new Map(store.getState().local.blocks.map((x) => [x.id, x.params]));
    expect(shown.get("greet")).toEqual({ name: "Agent" });
    expect(shown.get("log")).toEqual({ message: "mine" });
    await store.flush();
    expect(store.getState().base.version).toBe(wf.version + 2);
    expect(store.getState().base.definition.blocks.find((x) => x.id === "log")?.params).toEqual({ message: "mine" });
  });

  test("undo and redo are saved as edits", async () => {
    const wf = await newWorkflow(GREETER);
    const { store } = await storeFor(owner, wf.id);
    store.applyOps([{ operation_type: "remove", block_id: "log" }]);
    await store.flush();
    expect(store.getState().base.definition.blocks.map((x) => x.id)).toEqual(["trg", "greet"]);
    store.undo();
    await store.flush();
    const restored = store.getState().base.definition;
    expect(restored.blocks.map((x) => x.id).sort()).toEqual(["greet", "log", "trg"]);
    expect(restored.edges).toContainEqual({ source: "greet", target: "log" });
    expect(store.getState().canRedo).toBe(true);
    store.redo();
    await store.flush();
    expect(store.getState().base.definition.blocks.map((x) => x.id)).toEqual(["trg", "greet"]);
    expect(store.getState().base.version).toBe(wf.version + 3);
  });

  test("restore saves the old version as a new one and can be undone", async () => {
    const wf = await newWorkflow(GREETER);
    const { store } = await storeFor(owner, wf.id);
    store.applyOps([{ operation_type: "remove", block_id: "greet" }]);
    await store.flush();
    await store.restore(wf.version);
    expect(store.getState().base.version).toBe(wf.version + 2);
    expect(store.getState().base.definition.blocks.map((x) => x.id).sort()).toEqual(["greet", "log", "trg"]);
    store.undo();
    await store.flush();
    expect(store.getState().base.definition.blocks.map((x) => x.id).sort()).toEqual(["log", "trg"]);
  });
});

describe("EditorStore and layout folding", () => {
  test("two drags by one person are two saves and one history entry", async () => {
    const wf = await newWorkflow(GREETER);
    const { store } = await storeFor(owner, wf.id);
    store.applyOps([{ operation_type: "update", block_id: "log", position: { x: 640, y: 200 } }]);
    await store.flush();
    store.applyOps([{ operation_type: "update", block_id: "greet", position: { x: 320, y: 120 } }]);
    await store.flush();
    expect(store.getState().base.version).toBe(wf.version + 2);
    const entries = await history(wf.id);
    expect(entries.map((e) => e.version)).toEqual([wf.version + 2, wf.version]);
    expect(entries[0]).toMatchObject({ folded: 2, summary: "moved 2 blocks" });
  });
});
