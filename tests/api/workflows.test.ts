/**
 * The workflow resource over HTTP (docs/patch-endpoint.md): create, list, read, rename, soft delete,
 * PUT definition, history and restore, and bad input that must get a stable 4xx and change nothing.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_OPS } from "@/lib/api/schemas";
import { call, createAppWithAgent, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let agentKeyId: string;

beforeAll(async () => {
  ({ app, owner, agent, agentKeyId } = await createAppWithAgent());
});
afterAll(async () => {
  await app?.close();
});

/** A definition that uses every part of the model: trigger, branch handle, retry, disabled block, variables. */
const fullDefinition = {
  blocks: [
    { id: "trg", type: "trigger_webhook", name: "Incoming lead", params: {}, position: { x: 0, y: 0 } },
    { id: "check", type: "condition", params: { left: "{{trg.body.score}}", op: "gte", right: 50 }, position: { x: 200, y: 0 } },
    {
      id: "notify",
      type: "http_request",
      params: { method: "POST", url: "https://hooks.example.com/x", body: { text: "Lead {{trg.body.email}}" } },
      retry: { maxAttempts: 3, backoff: { initialMs: 500, factor: 2, maxMs: 10000 } },
    },
    { id: "hello", type: "greet", params: { name: "{{vars.region}}" }, enabled: false },
  ],
  edges: [
    { source: "trg", target: "check" },
    { source: "check", target: "notify", sourceHandle: "true" },
    { source: "check", target: "hello", sourceHandle: "false" },
  ],
  variables: { region: "eu" },
};

async function create(body: unknown = {}, headers: Record<string, string> = agent) {
  const res = await call(app, "POST", "/api/workflows", { headers, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function read(id: string) {
  return call(app, "GET", `/api/workflows/${id}`, { headers: agent });
}

describe("workflow CRUD", () => {
  it("POST without a body creates version 1 with an empty definition, returned at top level", async () => {
    const res = await call(app, "POST", "/api/workflows", { headers: agent });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: expect.any(String), description: "", version: 1, definition: { blocks: [], edges: [] } });
    expect(res.body.id).toMatch(/^wf_/);
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();
    expect(Date.parse(res.body.updatedAt)).not.toBeNaN();
    const back = await read(res.body.id);
    expect(back.status).toBe(200);
    const { validation_errors: _ignored, ...resource } = res.body;
    expect(back.body).toEqual(resource);
  });

  it("an initial definition is stored through the patch path; validation errors are reported, not blocking", async () => {
    const body = await create({
      name: "Leads",
      description: "Score and notify",
      definition: { blocks: [{ id: "trg", type: "trigger_manual", params: {} }, { id: "greet", type: "greet", params: {} }], edges: [{ source: "trg", target: "greet" }] },
    });
    expect(body).toMatchObject({ name: "Leads", description: "Score and notify", version: 1 });
    expect(body.definition.blocks.map((b: { id: string }) => b.id)).toEqual(["trg", "greet"]);
    expect(body.definition.edges).toEqual([{ source: "trg", target: "greet" }]);
    expect(body.validation_errors).toEqual([expect.objectContaining({ code: "missing_required_param", block_id: "greet", field: "name" })]);
    const versions = await call(app, "GET", `/api/workflows/${body.id}/versions`, { headers: agent });
    expect(versions.body.data).toEqual([
      expect.objectContaining({ version: 1, source: "create", actor: `api_key:${agentKeyId}`, opCount: 3 }),
    ]);
  });

  it("an initial definition with any part that would be skipped creates nothing (400 invalid_definition)", async () => {
    const before = await call(app, "GET", "/api/workflows?limit=100", { headers: agent });
    const res = await call(app, "POST", "/api/workflows", {
      headers: agent,
      body: { name: "Broken", definition: { blocks: [{ id: "trg", type: "trigger_manual" }, { id: "x", type: "no_such_type" }], edges: [] } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_definition");
    expect(res.body.skipped_items).toEqual([expect.objectContaining({ reason_code: "block_type_not_registered", block_id: "x" })]);
    expect(res.body.summary).toContain("Nothing created");
    const after = await call(app, "GET", "/api/workflows?limit=100", { headers: agent });
    expect(after.body.data.map((w: { id: string }) => w.id)).toEqual(before.body.data.map((w: { id: string }) => w.id));
  });

  it("the list is newest first, paginates with an opaque cursor, and shows each workflow once", async () => {
    const user = await signUp(app);
    const created: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 5; i++) created.push(await create({ name: `wf ${i}` }, user.bearer));
    // Newest first; two created in the same millisecond are ordered by id (descending).
    const expected = [...created]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : -1))
      .map((w) => w.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await call(app, "GET", `/api/workflows${query}`, { headers: user.bearer });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((w: { id: string }) => w.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(5);
  });

  it("PATCH renames and re-describes without changing the version, and honours If-Match", async () => {
    const wf = await create({ name: "Old" });
    const renamed = await call(app, "PATCH", `/api/workflows/${wf.id}`, { headers: { ...agent, "if-match": "1" }, body: { name: "New", description: "d" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: wf.id, name: "New", description: "d", version: 1 });

    await call(app, "POST", `/api/workflows/${wf.id}/operations`, { headers: agent, body: { ops: [{ operation_type: "add", block_id: "t", type: "trigger_manual" }] } });
    const stale = await call(app, "PATCH", `/api/workflows/${wf.id}`, { headers: { ...agent, "if-match": "1" }, body: { name: "Lost" } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: "version_mismatch", current: 2 });
    expect((await read(wf.id)).body).toMatchObject({ name: "New", version: 2 });

    const empty = await call(app, "PATCH", `/api/workflows/${wf.id}`, { headers: agent, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe("invalid_body");
  });

  it("DELETE is soft: 204, then 404 on every workflow route, and the workflow leaves the list", async () => {
    const wf = await create({ name: "Doomed" });
    const stale = await call(app, "DELETE", `/api/workflows/${wf.id}`, { headers: { ...agent, "if-match": "7" } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: "version_mismatch", current: 1 });
    expect((await read(wf.id)).status).toBe(200);

    const deleted = await call(app, "DELETE", `/api/workflows/${wf.id}`, { headers: { ...agent, "if-match": "1" } });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();

    const base = `/api/workflows/${wf.id}`;
    const attempts = [
      call(app, "GET", base, { headers: agent }),
      call(app, "PATCH", base, { headers: agent, body: { name: "Back" } }),
      call(app, "DELETE", base, { headers: agent }),
      call(app, "POST", `${base}/operations`, { headers: agent, body: { ops: [] } }),
      call(app, "PUT", `${base}/definition`, { headers: agent, body: { definition: { blocks: [], edges: [] } } }),
      call(app, "GET", `${base}/versions`, { headers: agent }),
      call(app, "GET", `${base}/versions/1`, { headers: agent }),
      call(app, "POST", `${base}/restore`, { headers: agent, body: { version: 1 } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
    const list = await call(app, "GET", "/api/workflows?limit=100", { headers: agent });
    expect(list.body.data.some((w: { id: string }) => w.id === wf.id)).toBe(false);
  });

  it("an unknown workflow id is 404 not_found", async () => {
    const res = await read("wf_doesnotexist000000");
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });
});

describe("PUT /api/workflows/:id/definition", () => {
  it("reproduces the posted definition, saves one version, and a repeat changes nothing", async () => {
    const wf = await create({ name: "Round trip" });
    const put = await call(app, "PUT", `/api/workflows/${wf.id}/definition`, { headers: agent, body: { definition: fullDefinition } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ok: true, saved: true, version: 2, skipped_items: [], validation_errors: [] });
    expect(put.body.workflow.definition).toEqual(fullDefinition);
    expect((await read(wf.id)).body.definition).toEqual(fullDefinition);

    const again = await call(app, "PUT", `/api/workflows/${wf.id}/definition`, { headers: { ...agent, "if-match": "2" }, body: { definition: fullDefinition } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ok: true, saved: false, version: 2 });
  });

  it("turns a new definition into edits: removed blocks, changed params and edges, all in one new version", async () => {
    const wf = await create({ definition: fullDefinition });
    const next = {
      blocks: [
        { id: "trg", type: "trigger_webhook", name: "Incoming lead", params: {}, position: { x: 10, y: 0 } },
        { id: "check", type: "condition", params: { left: "{{trg.body.score}}", op: "lt", right: 10 } },
        { id: "hello", type: "greet", params: { name: "{{trg.body.name}}" } },
      ],
      edges: [
        { source: "trg", target: "check" },
        { source: "check", target: "hello", sourceHandle: "true" },
      ],
    };
    const put = await call(app, "PUT", `/api/workflows/${wf.id}/definition`, { headers: { ...agent, "if-match": "1" }, body: { definition: next } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ok: true, saved: true, version: 2 });
    expect(put.body.workflow.definition).toEqual(next);
    const history = await call(app, "GET", `/api/workflows/${wf.id}/versions/2`, { headers: agent });
    const kinds = history.body.ops.map((op: { operation_type: string }) => op.operation_type);
    expect(kinds).toEqual(expect.arrayContaining(["remove", "update", "connect", "disconnect", "set_variables"]));
  });

  it("problems inside blocks and edges come back as skipped items (200), not as a 400", async () => {
    const wf = await create({});
    const put = await call(app, "PUT", `/api/workflows/${wf.id}/definition`, {
      headers: agent,
      body: {
        definition: {
          blocks: [
            { id: "trg", type: "trigger_manual", params: {} },
            { id: "9bad", type: "log", params: { message: "x" } },
            { id: "g", type: "greet", params: { name: "Ada" }, position: "left" },
          ],
          edges: [{ source: "trg", target: "ghost" }],
        },
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.ok).toBe(false);
    expect(put.body.saved).toBe(true);
    expect(put.body.skipped_items.map((s: { reason_code: string }) => s.reason_code).sort()).toEqual(["invalid_block_id", "invalid_edge_target", "invalid_op"]);
    expect(put.body.workflow.definition.blocks.map((b: { id: string }) => b.id)).toEqual(["trg"]);
  });

  it("a definition of the wrong outer shape is 400 invalid_body and changes nothing", async () => {
    const wf = await create({ definition: fullDefinition });
    const bodies = [
      { definition: "nope" },
      { definition: { blocks: {} , edges: [] } },
      { definition: { blocks: [] } },
      { definition: { blocks: [null], edges: [] } },
      { definition: { blocks: [{ id: "a", type: "log", params: "x" }], edges: [] } },
      { definition: { blocks: [{ id: "a", type: "log", colour: "red" }], edges: [] } },
      { definition: { blocks: [], edges: [], extra: 1 } },
      { definition: { blocks: [], edges: [], variables: [] } },
      { definition: fullDefinition, unknown: true },
      {},
    ];
    for (const body of bodies) {
      const res = await call(app, "PUT", `/api/workflows/${wf.id}/definition`, { headers: agent, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("invalid_body");
      expect(res.body.issues.length).toBeGreaterThan(0);
    }
    expect((await read(wf.id)).body).toMatchObject({ version: 1, definition: fullDefinition });
  });
});

describe("version history and restore", () => {
  async function threeVersions() {
    const wf = await create({ definition: { blocks: [{ id: "trg", type: "trigger_manual", params: {} }], edges: [] } });
    const patch = (ops: unknown[]) => call(app, "POST", `/api/workflows/${wf.id}/operations`, { headers: agent, body: { ops } });
    await patch([{ operation_type: "add", block_id: "a", type: "greet", params: { name: "Ada" } }, { operation_type: "connect", block_id: "trg", target_block_id: "a" }]);
    await patch([{ operation_type: "remove", block_id: "a" }, { operation_type: "add", block_id: "b", type: "log", params: { message: "hi" } }]);
    return wf.id as string;
  }

  it("lists versions newest first with actor, source and op count, and pages through them", async () => {
    const id = await threeVersions();
    const all = await call(app, "GET", `/api/workflows/${id}/versions`, { headers: agent });
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.data).toEqual([
      expect.objectContaining({ version: 3, source: "edit", actor: `api_key:${agentKeyId}`, opCount: 2 }),
      expect.objectContaining({ version: 2, source: "edit", opCount: 2 }),
      expect.objectContaining({ version: 1, source: "create", opCount: 1 }),
    ]);
    expect(all.body.data[0]).not.toHaveProperty("definition");

    const first = await call(app, "GET", `/api/workflows/${id}/versions?limit=2`, { headers: agent });
    expect(first.body.data.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const second = await call(app, "GET", `/api/workflows/${id}/versions?limit=2&cursor=${first.body.nextCursor}`, { headers: agent });
    expect(second.body.data.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("one version reads back its definition and the normalized ops that produced it; an unknown one is 404", async () => {
    const id = await threeVersions();
    const v2 = await call(app, "GET", `/api/workflows/${id}/versions/2`, { headers: agent });
    expect(v2.status).toBe(200);
    expect(v2.body.definition.blocks.map((b: { id: string }) => b.id)).toEqual(["trg", "a"]);
    expect(v2.body.ops).toEqual([
      { operation_type: "add", block_id: "a", type: "greet", params: { name: "Ada" } },
      { operation_type: "connect", block_id: "trg", target_block_id: "a" },
    ]);
    for (const version of ["4", "99999"]) {
      const missing = await call(app, "GET", `/api/workflows/${id}/versions/${version}`, { headers: agent });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe("not_found");
    }
  });

  it("restore saves an older definition as a new version with source restore:<n>", async () => {
    const id = await threeVersions();
    const v2 = (await call(app, "GET", `/api/workflows/${id}/versions/2`, { headers: agent })).body.definition;
    const restored = await call(app, "POST", `/api/workflows/${id}/restore`, { headers: { ...agent, "if-match": "3" }, body: { version: 2 } });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ ok: true, saved: true, version: 4 });
    expect(restored.body.workflow.definition).toEqual(v2);
    expect((await read(id)).body.definition).toEqual(v2);
    const history = await call(app, "GET", `/api/workflows/${id}/versions?limit=1`, { headers: owner.bearer });
    expect(history.body.data[0]).toMatchObject({ version: 4, source: "restore:2", actor: `api_key:${agentKeyId}` });
  });

  it("restore honours If-Match, and an unknown version is 404 version_not_found; neither changes anything", async () => {
    const id = await threeVersions();
    const stale = await call(app, "POST", `/api/workflows/${id}/restore`, { headers: { ...agent, "if-match": "2" }, body: { version: 1 } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: "version_mismatch", current: 3 });
    const unknown = await call(app, "POST", `/api/workflows/${id}/restore`, { headers: agent, body: { version: 42 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("version_not_found");
    expect((await read(id)).body.version).toBe(3);
  });
});

describe("bad input gets a stable 4xx and changes nothing", () => {
  it("malformed JSON, wrong content type, unknown fields and wrong types on every write route", async () => {
    const wf = await create({ name: "Target", definition: fullDefinition });
    const base = `/api/workflows/${wf.id}`;
    const cases: { method: string; path: string; raw?: string; body?: unknown; type?: string; status: number; error: string }[] = [
      { method: "POST", path: "/api/workflows", raw: "{not json", status: 400, error: "invalid_body" },
      { method: "POST", path: "/api/workflows", body: { name: "x", owner: "me" }, status: 400, error: "invalid_body" },
      { method: "POST", path: "/api/workflows", body: { name: 5 }, status: 400, error: "invalid_body" },
      { method: "POST", path: "/api/workflows", body: { name: "" }, status: 400, error: "invalid_body" },
      { method: "POST", path: "/api/workflows", body: ["x"], status: 400, error: "invalid_body" },
      { method: "POST", path: "/api/workflows", raw: "name=x", type: "application/x-www-form-urlencoded", status: 415, error: "unsupported_media_type" },
      { method: "PATCH", path: base, raw: "{", status: 400, error: "invalid_body" },
      { method: "PATCH", path: base, body: { name: "x", version: 3 }, status: 400, error: "invalid_body" },
      { method: "PATCH", path: base, body: { description: 7 }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/operations`, raw: "[", status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/operations`, body: { ops: {} }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/operations`, body: { op: [] }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/operations`, body: [{ operation_type: "remove", block_id: "trg" }], status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/operations`, body: { ops: [], dry_run: "yes" }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/operations`, raw: JSON.stringify({ ops: [] }), type: "text/plain", status: 415, error: "unsupported_media_type" },
      { method: "PUT", path: `${base}/definition`, raw: "null", status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/restore`, body: { version: "1" }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/restore`, body: { version: 0 }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/restore`, body: { version: 1e12 }, status: 400, error: "invalid_body" },
      { method: "POST", path: `${base}/restore`, body: { version: 1.5 }, status: 400, error: "invalid_body" },
    ];
    for (const c of cases) {
      const headers: Record<string, string> = { ...agent };
      if (c.raw !== undefined) headers["content-type"] = c.type ?? "application/json";
      const res = await call(app, c.method, c.path, { headers, body: c.body, rawBody: c.raw });
      expect(res.status, `${c.method} ${c.path} ${c.raw ?? JSON.stringify(c.body)}`).toBe(c.status);
      expect(res.body.error).toBe(c.error);
    }
    expect((await read(wf.id)).body).toMatchObject({ name: "Target", version: 1, definition: fullDefinition });
  });

  it("more than 1000 ops is 400 invalid_body; exactly 1000 is accepted", async () => {
    const wf = await create({});
    const op = { operation_type: "set_variables", variables: { a: 1 } };
    const tooMany = await call(app, "POST", `/api/workflows/${wf.id}/operations`, { headers: agent, body: { ops: Array(1001).fill(op) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toBe("invalid_body");
    expect((await read(wf.id)).body.version).toBe(1);
    const enough = await call(app, "POST", `/api/workflows/${wf.id}/operations`, { headers: agent, body: { ops: Array(1000).fill(op) } });
    expect(enough.status).toBe(200);
    expect(enough.body.version).toBe(2);
    // The limit is where a user looks for it: the README's patch endpoint paragraph.
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(`at most ${MAX_OPS.toLocaleString("en-US")} ops`);
  });

  it("negative, zero, huge, fractional and non-numeric limits and bad cursors are 400s on both lists", async () => {
    const wf = await create({});
    for (const path of ["/api/workflows", `/api/workflows/${wf.id}/versions`]) {
      for (const query of ["limit=-1", "limit=0", "limit=101", "limit=1e9", "limit=2.5", "limit=abc", "limit=", "limit=1&limit=2", "foo=bar"]) {
        const res = await call(app, "GET", `${path}?${query}`, { headers: agent });
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.body.error).toBe("invalid_query");
      }
      const foreign = Buffer.from(JSON.stringify({ o: 3 })).toString("base64url");
      for (const cursor of ["garbage!", "bm90LWpzb24", foreign, "x".repeat(600)]) {
        const res = await call(app, "GET", `${path}?cursor=${cursor}`, { headers: agent });
        expect(res.status, `${path} cursor ${cursor}`).toBe(400);
        expect(["invalid_cursor", "invalid_query"]).toContain(res.body.error);
      }
    }
  });

  it("a cursor from one list is refused by the other", async () => {
    const user = await signUp(app);
    const a = await create({}, user.bearer);
    await create({}, user.bearer);
    const page = await call(app, "GET", "/api/workflows?limit=1", { headers: user.bearer });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const res = await call(app, "GET", `/api/workflows/${a.id}/versions?cursor=${page.body.nextCursor}`, { headers: user.bearer });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_cursor");
  });

  it("deeply nested values anywhere in a definition or an op never produce a 500", async () => {
    const wf = await create({});
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const requests: [string, string, string][] = [
      ["PUT", "/definition", `{"definition":{"blocks":[],"edges":[{"source":${deep},"target":"a"}]}}`],
      ["PUT", "/definition", `{"definition":{"blocks":[{"id":${deep},"type":"log"}],"edges":[]}}`],
      ["PUT", "/definition", `{"definition":{"blocks":[{"id":"a","type":"log","position":${deep}}],"edges":[]}}`],
      ["PUT", "/definition", `{"definition":{"blocks":[{"id":"a","type":"log","params":{"message":${deep}}}],"edges":[]}}`],
      ["PUT", "/definition", `{"definition":{"blocks":[],"edges":[],"variables":{"x":${deep}}}}`],
      ["POST", "/operations", `{"ops":[{"operation_type":"add","block_id":"a","type":"log","params":{"message":${deep}}}]}`],
      ["POST", "/operations", `{"ops":[{"operation_type":"add","block_id":${deep},"type":"log"}]}`],
      ["POST", "/operations", `{"ops":[{"operation_type":"set_variables","variables":{"v":${deep}}}]}`],
      ["POST", "/operations", `{"ops":[${deep}]}`],
    ];
    for (const [method, suffix, raw] of requests) {
      const res = await call(app, method, `/api/workflows/${wf.id}${suffix}`, { headers: { ...agent, "content-type": "application/json" }, rawBody: raw });
      expect([200, 400], raw.slice(0, 80)).toContain(res.status);
      if (res.status === 200) expect(res.body.saved, raw.slice(0, 80)).toBe(false);
    }
    const created = await call(app, "POST", "/api/workflows", {
      headers: { ...agent, "content-type": "application/json" },
      rawBody: `{"definition":{"blocks":[{"id":"a","type":"log","params":{"message":${deep}}}],"edges":[]}}`,
    });
    expect(created.status).toBe(400);
    expect((await read(wf.id)).body.version).toBe(1);
  });

  it("a malformed version in the path is 400 invalid_params", async () => {
    const wf = await create({});
    for (const version of ["abc", "0", "-1", "1.5", "99999999999"]) {
      const res = await call(app, "GET", `/api/workflows/${wf.id}/versions/${version}`, { headers: agent });
      expect(res.status, version).toBe(400);
      expect(res.body.error).toBe("invalid_params");
    }
  });
});
