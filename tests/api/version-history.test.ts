/**
 * The history panel's view of a workflow over HTTP (docs/patch-endpoint.md, "History"): one
 * actor's position-only saves within the folding window share one entry (the version still goes
 * up by one per save), anything else gets an entry of its own, and each listed entry says who
 * saved it and what it did.
 *
 * The app's window is 60 s so "within the window" never depends on how fast the machine is; the
 * tests that cross it move the entry's saved time back in the database instead of sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createAppWithAgent, createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";

const WINDOW_MS = 60_000;

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let agentKeyId: string;

beforeAll(async () => {
  ({ app, owner, agent, agentKeyId } = await createAppWithAgent({ layoutFoldMs: WINDOW_MS }));
});
afterAll(async () => {
  await app?.close();
});

/** trg (manual trigger) → a (log), and b (log) on its own, each with a position. */
const definition = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } },
    { id: "a", type: "log", params: { message: "a" }, position: { x: 200, y: 0 } },
    { id: "b", type: "log", params: { message: "b" }, position: { x: 400, y: 0 } },
  ],
  edges: [{ source: "trg", target: "a" }],
};

interface Entry {
  version: number;
  actor: string;
  actorInfo: { actor: string; kind: string; name: string | null };
  source: string;
  opCount: number;
  summary: string;
  folded: number;
  createdAt: string;
}

async function create(headers: Record<string, string> = owner.bearer, target: TestApp = app): Promise<string> {
  const res = await call(target, "POST", "/api/workflows", { headers, body: { definition } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Saves `ops` on top of `version` (If-Match) and expects version + 1. */
async function save(id: string, version: number, ops: unknown[], headers: Record<string, string> = owner.bearer, target: TestApp = app) {
  const res = await call(target, "POST", `/api/workflows/${id}/operations`, { headers: { ...headers, "if-match": String(version) }, body: { ops } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toMatchObject({ saved: true, version: version + 1 });
  return res.body;
}

const move = (block_id: string, x: number, y = 0) => ({ operation_type: "update", block_id, position: { x, y } });

async function history(id: string, query = "?limit=100", headers: Record<string, string> = owner.bearer, target: TestApp = app): Promise<Entry[]> {
  const res = await call(target, "GET", `/api/workflows/${id}/versions${query}`, { headers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** [version, source, folded] of each entry, newest first. */
async function shape(id: string): Promise<[number, string, number][]> {
  return (await history(id)).map((e) => [e.version, e.source, e.folded]);
}

/** Moves entry `version`'s saved time `ms` into the past, as if it had been saved that long ago. */
async function backdate(id: string, version: number, ms: number): Promise<void> {
  await app.database.sql`
    UPDATE workflow_versions SET created_at = created_at - make_interval(secs => ${ms / 1000})
    WHERE workflow_id = ${id} AND version = ${version}`;
}

describe("layout folding", () => {
  it("two position-only saves by one person within the window share one entry, at the later version", async () => {
    const id = await create();
    await save(id, 1, [move("a", 210), move("b", 410)]);
    const second = await save(id, 2, [move("a", 220, 5), move("trg", 10)]);
    expect(await shape(id)).toEqual([[3, "edit", 2], [1, "create", 1]]);

    const entry = await call(app, "GET", `/api/workflows/${id}/versions/3`, { headers: owner.bearer });
    expect(entry.status).toBe(200);
    expect(entry.body.definition).toEqual(second.workflow.definition);
    expect(entry.body.ops).toEqual([move("a", 220, 5), move("b", 410), move("trg", 10)]);
    const folded = await call(app, "GET", `/api/workflows/${id}/versions/2`, { headers: owner.bearer });
    expect(folded.status).toBe(404);
    expect(folded.body.error).toBe("not_found");
    const [head] = await history(id);
    expect(head).toMatchObject({ opCount: 3, summary: "moved 3 blocks" });
  });

  it("the version still goes up by one per save, so If-Match stays exact", async () => {
    const id = await create();
    await save(id, 1, [move("a", 1)]);
    await save(id, 2, [move("a", 2)]);
    const stale = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: { ...owner.bearer, "if-match": "2" }, body: { ops: [move("a", 3)] } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: "version_mismatch", current: 3 });
    await save(id, 3, [move("b", 4)]);
    expect((await call(app, "GET", `/api/workflows/${id}`, { headers: owner.bearer })).body.version).toBe(4);
    expect(await shape(id)).toEqual([[4, "edit", 3], [1, "create", 1]]);
  });

  it("a fold moves the entry's time to its latest save, so a burst folds for as long as it goes on", async () => {
    const id = await create();
    await save(id, 1, [move("a", 1)]);
    await backdate(id, 2, WINDOW_MS - 5_000);
    const [before] = await history(id);
    await save(id, 2, [move("a", 2)]);
    const [after] = await history(id);
    expect(after).toMatchObject({ version: 3, folded: 2 });
    expect(Date.parse(after.createdAt) - Date.parse(before.createdAt)).toBeGreaterThanOrEqual(WINDOW_MS - 5_000);
  });

  it("a save after the window gets its own entry; one just inside it folds", async () => {
    const id = await create();
    await save(id, 1, [move("a", 1)]);
    await backdate(id, 2, WINDOW_MS + 1_000);
    await save(id, 2, [move("a", 2)]);
    expect(await shape(id)).toEqual([[3, "edit", 1], [2, "edit", 1], [1, "create", 1]]);
    await backdate(id, 3, WINDOW_MS - 1_000);
    await save(id, 3, [move("a", 3)]);
    expect(await shape(id)).toEqual([[4, "edit", 2], [2, "edit", 1], [1, "create", 1]]);
  });

  it("an edit that is not only moves, in between or mixed in, breaks the fold", async () => {
    const id = await create();
    await save(id, 1, [move("a", 1)]);
    await save(id, 2, [{ operation_type: "update", block_id: "a", params: { message: "changed" } }]);
    await save(id, 3, [move("a", 2)]);
    await save(id, 4, [move("b", 2), { operation_type: "update", block_id: "b", name: "Second" }]);
    await save(id, 5, [move("b", 3)]);
    await save(id, 6, [move("b", 4), { operation_type: "connect", block_id: "a", target_block_id: "b" }]);
    expect(await shape(id)).toEqual([
      [7, "edit", 1],
      [6, "edit", 1],
      [5, "edit", 1],
      [4, "edit", 1],
      [3, "edit", 1],
      [2, "edit", 1],
      [1, "create", 1],
    ]);
  });

  it("another actor's save breaks the fold: it is per actor", async () => {
    const id = await create();
    const member = await joinOrganization(app, owner, "member");
    await save(id, 1, [move("a", 1)]);
    await save(id, 2, [move("a", 2)], member.bearer);
    await save(id, 3, [move("a", 3)], agent);
    await save(id, 4, [move("a", 4)]);
    const entries = await history(id);
    expect(entries.map((e) => [e.version, e.actor, e.folded])).toEqual([
      [5, `user:${owner.userId}`, 1],
      [4, `api_key:${agentKeyId}`, 1],
      [3, `user:${member.userId}`, 1],
      [2, `user:${owner.userId}`, 1],
      [1, `user:${owner.userId}`, 1],
    ]);
  });

  it("an API key's position-only saves fold the same way", async () => {
    const id = await create(agent);
    await save(id, 1, [move("a", 1)], agent);
    await save(id, 2, [move("b", 1)], agent);
    await save(id, 3, [move("a", 2)], agent);
    const entries = await history(id, "?limit=100", agent);
    expect(entries.map((e) => [e.version, e.source, e.folded])).toEqual([[4, "edit", 3], [1, "create", 1]]);
    expect(entries[0]).toMatchObject({ actorInfo: { actor: `api_key:${agentKeyId}`, kind: "api_key", name: "agent" }, summary: "moved 2 blocks" });
  });

  it("create and restore entries never fold, and nothing folds into them", async () => {
    const id = await create();
    await save(id, 1, [move("a", 1)]);
    // Version 1 differs from version 2 only in a's position: the restore's ops are moves too.
    const restored = await call(app, "POST", `/api/workflows/${id}/restore`, { headers: { ...owner.bearer, "if-match": "2" }, body: { version: 1 } });
    expect(restored.body).toMatchObject({ saved: true, version: 3 });
    const ops = (await call(app, "GET", `/api/workflows/${id}/versions/3`, { headers: owner.bearer })).body.ops;
    expect(ops).toEqual([move("a", 200)]);
    await save(id, 3, [move("a", 2)]);
    expect(await shape(id)).toEqual([[4, "edit", 1], [3, "restore:1", 1], [2, "edit", 1], [1, "create", 1]]);
  });

  it("concurrent position-only saves without If-Match lose no move and keep history in step with the workflow", async () => {
    const id = await create(agent);
    const blocks = Array.from({ length: 8 }, (_, n) => ({ id: `m${n}`, type: "log", params: { message: String(n) } }));
    await save(id, 1, blocks.map((b) => ({ operation_type: "add", block_id: b.id, type: b.type, params: b.params })), agent);
    const results = await Promise.all(
      blocks.map((b, n) => call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: [move(b.id, n + 1)] } })),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const workflow = (await call(app, "GET", `/api/workflows/${id}`, { headers: agent })).body;
    expect(workflow.version).toBe(10);
    expect(workflow.definition.blocks.filter((b: { id: string }) => b.id.startsWith("m")).map((b: { position: unknown }) => b.position)).toEqual(
      blocks.map((_, n) => ({ x: n + 1, y: 0 })),
    );
    expect((await history(id, "?limit=100", agent)).map((e) => [e.version, e.folded])).toEqual([[10, 8], [2, 1], [1, 1]]);
    const head = (await call(app, "GET", `/api/workflows/${id}/versions/10`, { headers: agent })).body;
    expect(head.definition).toEqual(workflow.definition);
    expect(new Set(head.ops.map((op: { block_id: string }) => op.block_id))).toEqual(new Set(blocks.map((b) => b.id)));
  });

  it("a window of 0 (WEFT_LAYOUT_FOLD_MS=0) never folds", async () => {
    const off = await createTestApp({ layoutFoldMs: 0 });
    try {
      const user = await signUp(off);
      const id = await create(user.bearer, off);
      await save(id, 1, [move("a", 1)], user.bearer, off);
      await save(id, 2, [move("a", 2)], user.bearer, off);
      expect((await history(id, "", user.bearer, off)).map((e) => [e.version, e.folded])).toEqual([[3, 1], [2, 1], [1, 1]]);
    } finally {
      await off.close();
    }
  });
});

describe("what each entry says", () => {
  it("names who saved it (actorInfo) and says what the ops did (summary)", async () => {
    const id = await create();
    await save(
      id,
      1,
      [
        { operation_type: "add", block_id: "greet", type: "greet", params: {} },
        { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
        { operation_type: "update", block_id: "greet", params: { name: "Ada" } },
      ],
      agent,
    );
    await save(id, 2, [move("a", 1), move("greet", 2)]);
    const me = (await call(app, "GET", "/api/me", { headers: owner.bearer })).body;
    const entries = await history(id);
    expect(entries).toEqual([
      {
        version: 3,
        actor: `user:${owner.userId}`,
        actorInfo: { actor: `user:${owner.userId}`, kind: "user", name: me.user.name },
        source: "edit",
        opCount: 2,
        summary: "moved 2 blocks",
        folded: 1,
        createdAt: expect.any(String),
      },
      {
        version: 2,
        actor: `api_key:${agentKeyId}`,
        actorInfo: { actor: `api_key:${agentKeyId}`, kind: "api_key", name: "agent" },
        source: "edit",
        opCount: 3,
        summary: "added greet (greet), connected trg → greet, set params of greet: name",
        folded: 1,
        createdAt: expect.any(String),
      },
      {
        version: 1,
        actor: `user:${owner.userId}`,
        actorInfo: { actor: `user:${owner.userId}`, kind: "user", name: me.user.name },
        source: "create",
        opCount: 4,
        summary: "added trg (trigger_manual), added a (log), added b (log), connected trg → a",
        folded: 1,
        createdAt: expect.any(String),
      },
    ]);
  });

  it("?limit=1 is the head version: an agent's patch shows there with its kind and its key's name", async () => {
    const id = await create();
    const key = await createApiKey(app, owner, "Layout bot");
    const [before] = await history(id, "?limit=1");
    expect(before).toMatchObject({ version: 1, actorInfo: { kind: "user" } });
    await save(id, 1, [{ operation_type: "update", block_id: "a", params: { message: "from the agent" } }], key.headers);
    const res = await call(app, "GET", `/api/workflows/${id}/versions?limit=1`, { headers: owner.bearer });
    expect(res.body.data).toHaveLength(1);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    expect(res.body.data[0]).toMatchObject({
      version: 2,
      actor: `api_key:${key.id}`,
      actorInfo: { actor: `api_key:${key.id}`, kind: "api_key", name: "Layout bot" },
      summary: "set params of a: message",
    });
  });

  it("entries saved before summaries were stored are summarized from their ops", async () => {
    const id = await create();
    await save(id, 1, [{ operation_type: "remove", block_id: "b" }]);
    await app.database.sql`UPDATE workflow_versions SET summary = NULL WHERE workflow_id = ${id}`;
    expect((await history(id)).map((e) => e.summary)).toEqual(["removed b", "added trg (trigger_manual), added a (log), added b (log), connected trg → a"]);
  });

  it("never shows a name from another organization, even when the actor id is one of its users or keys", async () => {
    const stranger = await signUp(app, { name: "Mallory Stranger" });
    const strangerKey = await createApiKey(app, stranger, "stranger key");
    const id = await create();
    await save(id, 1, [move("a", 1)]);
    // Histories never hold another organization's actors through the API; forge them to prove the lookup is scoped.
    await app.database.sql`UPDATE workflow_versions SET actor = ${`user:${stranger.userId}`} WHERE workflow_id = ${id} AND version = 1`;
    await app.database.sql`UPDATE workflow_versions SET actor = ${`api_key:${strangerKey.id}`} WHERE workflow_id = ${id} AND version = 2`;
    const entries = await history(id);
    expect(JSON.stringify(entries)).not.toContain("Mallory");
    expect(JSON.stringify(entries)).not.toContain("stranger key");
    expect(entries.map((e) => e.actorInfo)).toEqual([
      { actor: `api_key:${strangerKey.id}`, kind: "api_key", name: null },
      { actor: `user:${stranger.userId}`, kind: "user", name: null },
    ]);
  });

  it("the OpenAPI document lists actorInfo (the ActorSummary component), summary and folded", async () => {
    const doc = (await call(app, "GET", "/api/openapi.json")).body;
    const entry = doc.components.schemas.WorkflowVersionSummary;
    expect(entry.required).toEqual(expect.arrayContaining(["version", "actor", "actorInfo", "source", "opCount", "summary", "folded", "createdAt"]));
    expect(entry.properties.actorInfo).toEqual({ $ref: "#/components/schemas/ActorSummary" });
    expect(entry.properties.summary.type).toBe("string");
    expect(entry.properties.folded.type).toBe("integer");
  });
});
