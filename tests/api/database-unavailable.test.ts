/**
 * When the database cannot be reached or refuses to serve (docs/architecture.md, "Errors and
 * lists"), every request that needs it answers 503 `database_unavailable` with `Retry-After`, at
 * once: not a 500, and not a 401 that would tell a client its valid credentials are wrong (nor a
 * 401 or 404 to a webhook sender holding a valid secret); a run start the database refuses is 503
 * `run_not_started`, with nothing stored. The fault suite (`npm run test:faults`) does the same
 * with a real PostgreSQL stopped under load.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { createControlPlaneApi, type ControlPlaneApi } from "@/lib/api";
import { createAuth } from "@/lib/auth";
import { openRuntime } from "@/lib/runtime";
import type { Runtime } from "@/lib/runtime/types";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

const authSecret = randomBytes(32).toString("base64url");
let app: TestApp;
let owner: TestUser;
let key: Record<string, string>;
/** trigger_webhook → greet: a workflow that validates, so only the database can refuse its run. */
const greeter = {
  blocks: [
    { id: "trg", type: "trigger_webhook", params: {} },
    { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
  ],
  edges: [{ source: "trg", target: "greet" }],
};
/** The same kind of control plane, pointed at a port nothing listens on. */
let down: { api: ControlPlaneApi; database: DatabaseHandle; runtime: Runtime };

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  app = await createTestApp({ authSecret });
  owner = await signUp(app);
  key = (await createApiKey(app, owner)).headers;
  const url = `postgres://weft:weft@127.0.0.1:${await closedPort()}/weft`;
  const logger = pino({ level: "silent" });
  const database = openDatabase(url, { max: 2 });
  const runtime = openRuntime({ databaseUrl: url, logger });
  const auth = createAuth({ db: database.db, baseUrl: app.baseUrl, secret: authSecret, signup: "open", rateLimit: false, logger });
  const api = createControlPlaneApi({ database, logger, auth, baseUrl: app.baseUrl, secretsKey: app.secretsKey, runtime });
  down = { api, database, runtime };
});
afterAll(async () => {
  await down?.runtime.close();
  await down?.database.close();
  await app?.close();
});

/** A workflow of the owner's (on the reachable database) that a webhook or a schedule can start. */
async function workflow(): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers: key, body: { name: "reachable", definition: greeter } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** A webhook endpoint (id and secret) for a new workflow, on the reachable database. */
async function webhookEndpoint(): Promise<{ id: string; secret: string }> {
  const res = await call(app, "POST", `/api/workflows/${await workflow()}/webhooks`, { headers: key });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function downCall(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const started = Date.now();
  const response = await down.api.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get("retry-after"), ms: Date.now() - started };
}

describe("with the database unreachable", () => {
  it("a valid API key gets 503 database_unavailable with Retry-After, not 401", async () => {
    const res = await downCall("GET", "/api/workflows", key);
    expect(res).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
    console.log(`[database-unavailable] API key request answered in ${res.ms} ms`);
  });

  it("a valid session token gets 503 database_unavailable, not 401", async () => {
    const res = await downCall("GET", "/api/me", owner.bearer);
    expect(res).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
  });

  it("writes get 503 database_unavailable: a workflow create, a run start", async () => {
    const create = await downCall("POST", "/api/workflows", key, { name: "x" });
    expect(create).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
    // The workflow cannot even be loaded; a failed enqueue would be the run start's own run_not_started.
    const run = await downCall("POST", "/api/workflows/wf_anything/run", key, {});
    expect(run).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
  });

  it("an inbound webhook with its endpoint's valid secret gets 503 database_unavailable with Retry-After, not 404 or 401", async () => {
    const endpoint = await webhookEndpoint();
    const res = await downCall("POST", `/api/webhooks/${endpoint.id}`, { authorization: `Bearer ${endpoint.secret}` }, { name: "Ada" });
    expect(res).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
  });

  it("schedules: create, list and read get 503 database_unavailable with Retry-After", async () => {
    const workflowId = await workflow();
    const create = await downCall("POST", "/api/schedules", key, { workflowId, cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin" });
    expect(create).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
    expect(await downCall("GET", "/api/schedules", key)).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
    expect(await downCall("GET", "/api/schedules/sch_anything", key)).toMatchObject({ status: 503, body: { error: "database_unavailable" }, retryAfter: "1" });
  });

  it("what needs no database still answers: /health 200, no credentials 401", async () => {
    expect((await downCall("GET", "/api/health", {})).status).toBe(200);
    expect(await downCall("GET", "/api/workflows", {})).toMatchObject({ status: 401, body: { error: "unauthorized" } });
  });
});

describe("with the database answering an availability SQLSTATE", () => {
  /** Runs `request` while inserts into `table` (default `workflows`) fail with `code` (a trigger). */
  async function whileInsertsFail<T>(code: string, request: () => Promise<T>, table = "workflows"): Promise<T> {
    const sql = app.database.sql;
    await sql.unsafe(`CREATE OR REPLACE FUNCTION weft_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = TG_ARGV[0]; END $$`);
    await sql.unsafe(`CREATE TRIGGER weft_test_refuse BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION weft_test_refuse('${code}')`);
    try {
      return await request();
    } finally {
      await sql.unsafe(`DROP TRIGGER weft_test_refuse ON ${table}`);
    }
  }

  for (const [code, meaning] of [["57P01", "admin shutdown"], ["08006", "connection failure"], ["53300", "too many connections"], ["40001", "serialization failure"], ["57014", "statement timeout"]]) {
    it(`${code} (${meaning}) through drizzle is 503 database_unavailable with Retry-After, and its message is not leaked`, async () => {
      const res = await whileInsertsFail(code, () => call(app, "POST", "/api/workflows", { headers: key, body: { name: "refused" } }));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: "database_unavailable" });
      expect(res.headers.get("retry-after")).toBe("1");
      expect(JSON.stringify(res.body)).not.toContain("refused by the test");
    });
  }

  it("a schedule create the database refuses (57P01) is 503 database_unavailable with Retry-After, and stores no schedule", async () => {
    const workflowId = await workflow();
    const res = await whileInsertsFail("57P01", () => call(app, "POST", "/api/schedules", { headers: key, body: { workflowId, cron: "@daily" } }), "schedules");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: "database_unavailable" });
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await app.database.sql`SELECT id FROM schedules WHERE workflow_id = ${workflowId}`).toHaveLength(0);
  });

  it("an inbound webhook whose run the database refuses (40001) is 503 run_not_started with Retry-After, and stores no run", async () => {
    const endpoint = await webhookEndpoint();
    const res = await whileInsertsFail(
      "40001",
      () => call(app, "POST", `/api/webhooks/${endpoint.id}`, { headers: { authorization: `Bearer ${endpoint.secret}` }, body: { name: "Ada" } }),
      "runs",
    );
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: "run_not_started" });
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await app.database.sql`SELECT id FROM runs WHERE organization_id = ${owner.organizationId}`).toHaveLength(0);
    // Sent again once the database takes runs: it starts.
    const again = await call(app, "POST", `/api/webhooks/${endpoint.id}`, { headers: { authorization: `Bearer ${endpoint.secret}` }, body: { name: "Ada" } });
    expect(again.status).toBe(202);
  });

  it("any other database error is still a 500 internal_error (a bug), not a 503", async () => {
    const res = await whileInsertsFail("XX000", () => call(app, "POST", "/api/workflows", { headers: key, body: { name: "refused" } }));
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ error: "internal_error" });
    expect(res.headers.get("retry-after")).toBeNull();
  });
});
