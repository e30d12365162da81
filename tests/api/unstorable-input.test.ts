/**
 * Input Postgres cannot store, or too deep to handle (README, "Limits"): a NUL or a lone surrogate
 * in any JSON string, `%00` in a path id or query filter, JSON nested deeper than 64 levels. Each
 * is a 400 with a stable code that changes nothing — never a 500, and never a 503 that tells the
 * sender to retry what can never succeed. Also: `input: null` starts a run (as `{}`), and only an
 * unreachable database is a 503 `run_not_started`.
 */
import { createServer } from "node:net";
import postgres from "postgres";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunQueue } from "@/lib/runtime/queue";
import { startRun } from "@/lib/runs/start";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { quickstart } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let workflowId: string;
let endpoint: { id: string; secret: string };

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  const created = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "hook", definition: quickstart } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  workflowId = created.body.id;
  const hook = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  endpoint = hook.body;
});
afterAll(async () => {
  await app?.close();
});

/** Every row of Weft's tables and the keys, as one text: equal snapshots mean nothing changed. */
async function snapshot(): Promise<string> {
  const tables = ["workflows", "workflow_versions", "runs", "events", "schedules", "webhook_endpoints", "secrets", "apikey"];
  const parts: string[] = [];
  for (const table of tables) {
    const [row] = await app.database.sql`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${app.database.sql(table)} t`;
    parts.push(`${table}:${row.n}:${row.h}`);
  }
  return parts.join(" ");
}

/** A value nested `levels` arrays deep, as JSON text (JSON.stringify itself would overflow). */
const deepJson = (levels: number, inner = "1") => "[".repeat(levels) + inner + "]".repeat(levels);

/** Sends the request and expects a 400 with `code` that changed nothing. */
async function refused(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> },
  code: string,
) {
  const before = await snapshot();
  const headers = { ...owner.bearer, ...(options.rawBody !== undefined ? { "content-type": "application/json" } : {}), ...options.headers };
  const res = await call(app, method, path, { ...options, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toBe(code);
  expect(res.headers.get("retry-after")).toBeNull();
  expect(await snapshot()).toBe(before);
  return res;
}

const NUL = "a\u0000b";
const LONE = "a\ud800b";

describe("a NUL in a JSON string → 400 invalid_body naming where, nothing changes", () => {
  it("workflow name and description", async () => {
    const res = await refused("POST", "/api/workflows", { body: { name: NUL, definition: quickstart } }, "invalid_body");
    expect(res.body.issues).toEqual([expect.objectContaining({ path: ["name"], code: "nul_character" })]);
    await refused("POST", "/api/workflows", { body: { name: "ok", description: NUL } }, "invalid_body");
    await refused("PATCH", `/api/workflows/${workflowId}`, { body: { description: NUL } }, "invalid_body");
  });

  it("block names, params, variables, keys, PUT definition and operations", async () => {
    const named = { ...quickstart, blocks: [quickstart.blocks[0], { ...quickstart.blocks[1], name: NUL }] };
    await refused("POST", "/api/workflows", { body: { name: "ok", definition: named } }, "invalid_body");
    const params = { ...quickstart, blocks: [quickstart.blocks[0], { ...quickstart.blocks[1], params: { name: NUL } }] };
    const res = await refused("PUT", `/api/workflows/${workflowId}/definition`, { body: { definition: params } }, "invalid_body");
    expect(res.body.issues[0].path).toEqual(["definition", "blocks", "1", "params", "name"]);
    await refused("PUT", `/api/workflows/${workflowId}/definition`, { body: { definition: { ...quickstart, variables: { v: NUL } } } }, "invalid_body");
    const key = await refused("PUT", `/api/workflows/${workflowId}/definition`, { body: { definition: { ...quickstart, variables: { [NUL]: 1 } } } }, "invalid_body");
    expect(key.body.issues[0].path).toEqual(["definition", "variables", NUL]);
    await refused(
      "POST",
      `/api/workflows/${workflowId}/operations`,
      { body: { ops: [{ operation_type: "add", block_id: "g2", type: "greet", params: { name: NUL } }] } },
      "invalid_body",
    );
  });

  it("run input: 400, not 503 run_not_started", async () => {
    const res = await refused("POST", `/api/workflows/${workflowId}/run`, { body: { input: { name: NUL } } }, "invalid_body");
    expect(res.body.issues[0]).toMatchObject({ path: ["input", "name"], code: "nul_character" });
  });

  it("event data, schedule input and key names", async () => {
    const event = await refused("POST", "/api/events", { body: { event: "e", key: "k", data: { note: NUL } } }, "invalid_body");
    expect(event.body.issues[0]).toMatchObject({ path: ["data", "note"], code: "nul_character" });
    const schedule = await refused("POST", "/api/schedules", { body: { workflowId, cron: "0 * * * *", input: { x: NUL } } }, "invalid_body");
    expect(schedule.body.issues[0]).toMatchObject({ path: ["input", "x"], code: "nul_character" });
    const key = await refused("POST", "/api/keys", { body: { name: NUL } }, "invalid_body");
    expect(key.body.issues[0]).toMatchObject({ path: ["name"], code: "nul_character" });
  });

  it("a raw \\u0000 escape, as a sender writes it", async () => {
    const res = await refused("POST", `/api/workflows/${workflowId}/run`, { rawBody: '{"input":{"list":["x","\\u0000"]}}' }, "invalid_body");
    expect(res.body.issues[0].path).toEqual(["input", "list", "1"]);
  });
});

describe("a lone surrogate in a JSON string → 400 invalid_body", () => {
  it("in a workflow name, run input (as a key) and event data", async () => {
    const res = await refused("POST", "/api/workflows", { body: { name: LONE } }, "invalid_body");
    expect(res.body.issues[0]).toMatchObject({ path: ["name"], code: "lone_surrogate" });
    await refused("POST", `/api/workflows/${workflowId}/run`, { rawBody: '{"input":{"\\udc00x":1}}' }, "invalid_body");
    await refused("POST", "/api/events", { body: { event: "e", key: "k", data: [LONE] } }, "invalid_body");
  });

  it("a well-formed pair is fine", async () => {
    const ok = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "emoji \ud83d\ude00" } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.name).toBe("emoji \ud83d\ude00");
  });
});

describe("%00 in a path id or query filter", () => {
  it("a path id → 400 invalid_params", async () => {
    await refused("GET", "/api/workflows/wf%00", {}, "invalid_params");
    await refused("DELETE", "/api/workflows/%00", {}, "invalid_params");
    await refused("GET", "/api/runs/run_%00", {}, "invalid_params");
    await refused("DELETE", "/api/keys/%00", {}, "invalid_params");
  });

  it("a query filter → 400 invalid_query", async () => {
    const res = await refused("GET", "/api/runs?workflowId=wf%00", {}, "invalid_query");
    expect(res.body.issues[0].path).toEqual(["workflowId"]);
    await refused("GET", "/api/runs?triggeredBy=%00", {}, "invalid_query");
    await refused("GET", "/api/workflows?q%00=1", {}, "invalid_query");
  });
});

describe("JSON deeper than 64 levels → 400 invalid_body", () => {
  it("run input 10,000 deep; 64 deep is accepted", async () => {
    const res = await refused("POST", `/api/workflows/${workflowId}/run`, { rawBody: `{"input":${deepJson(10_000)}}` }, "invalid_body");
    expect(res.body).toMatchObject({ maxDepth: 64, issues: [expect.objectContaining({ code: "too_deep" })] });
    await refused("POST", `/api/workflows/${workflowId}/run`, { rawBody: `{"input":${deepJson(64)}}` }, "invalid_body");
    const ok = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: owner.bearer, body: { input: JSON.parse(deepJson(63)) } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
  });

  it("event data and schedule input 5,000 deep", async () => {
    await refused("POST", "/api/events", { rawBody: `{"event":"e","key":"k","data":${deepJson(5_000)}}` }, "invalid_body");
    await refused("POST", "/api/schedules", { rawBody: `{"workflowId":"${workflowId}","cron":"0 * * * *","input":${deepJson(5_000, "{}")}}` }, "invalid_body");
  });
});

describe("inbound webhooks", () => {
  const send = (rawBody: string, contentType = "application/json", query = "") =>
    call(app, "POST", `/api/webhooks/${endpoint.id}${query}`, {
      headers: { authorization: `Bearer ${endpoint.secret}`, "content-type": contentType },
      rawBody,
    });

  async function webhookRefused(rawBody: string, code: string, query = "") {
    const before = await snapshot();
    const res = await send(rawBody, "application/json", query);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toBe(code);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(await snapshot()).toBe(before);
    return res;
  }

  it("a JSON body with a NUL or a lone surrogate → 400 invalid_body, not 503", async () => {
    const res = await webhookRefused('{"name":"\\u0000"}', "invalid_body");
    expect(res.body.issues[0].path).toEqual(["body", "name"]);
    await webhookRefused('{"name":"\\ud800"}', "invalid_body");
  });

  it("a JSON body 10,000 deep → 400 invalid_body", async () => {
    await webhookRefused(deepJson(10_000), "invalid_body");
  });

  it("%00 in the query → 400 invalid_query", async () => {
    await webhookRefused('{"name":"Ada"}', "invalid_query", "?x=%00");
  });

  it("a text body with a NUL is stored with U+FFFD in its place", async () => {
    const res = await send("a\u0000b", "text/plain");
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const run = await app.runtime.getRun(owner.organizationId, res.body.runId);
    expect((run?.input as { body: unknown }).body).toBe("a\ufffdb");
  });
});

describe("input null", () => {
  it("POST …/run with input null starts a run with input {}", async () => {
    const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: owner.bearer, body: { input: null } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const run = await app.runtime.getRun(owner.organizationId, res.body.runId);
    expect(run?.input).toEqual({});
  });

  it("a schedule with input null fires a run with input {}", async () => {
    const created = await call(app, "POST", "/api/schedules", { headers: owner.bearer, body: { workflowId, cron: "0 * * * *", input: null } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await app.database.sql`UPDATE schedules SET next_fire_at = now() - interval '1 minute' WHERE id = ${created.body.id}`;
    const tick = await call(app, "POST", "/api/admin/tick", { headers: owner.bearer });
    expect(tick.status, JSON.stringify(tick.body)).toBe(200);
    expect(tick.body.failed).toEqual([]);
    const started = tick.body.started.find((s: { scheduleId: string }) => s.scheduleId === created.body.id);
    expect(started).toBeDefined();
    const run = await app.runtime.getRun(owner.organizationId, started.runId);
    expect(run?.input).toEqual({});
  });
});

describe("an unavailable database", () => {
  it("is still run_not_started (retry later), and nothing is stored", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const closed = postgres(`postgres://weft:weft@127.0.0.1:${port}/weft`, { max: 1, connect_timeout: 5 });
    try {
      const before = await snapshot();
      const queue = createRunQueue(closed, pino({ level: "silent" }), app.database.schema);
      const outcome = await startRun(
        { db: app.database.db, registry: app.registry, runtime: queue },
        { organizationId: owner.organizationId, id: `user:${owner.userId}`, kind: "user" },
        { workflow: workflowId, input: { name: "Ada" }, trigger: "manual" },
      );
      expect(outcome).toMatchObject({ ok: false, failure: { code: "run_not_started" } });
      expect(await snapshot()).toBe(before);
    } finally {
      await closed.end({ timeout: 1 });
    }
  });
});
