/**
 * Forged list cursors (issue 12, defect 6): a cursor is base64url JSON that a client can write by
 * hand. Whatever it decodes to, every list route answers 400 `invalid_cursor` (never a Postgres
 * date or text error as a 500), and a real cursor still pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createAppWithAgent, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let workflowId: string;
let runId: string;

const forge = (position: unknown) => Buffer.from(JSON.stringify(position), "utf8").toString("base64url");

const createdAtForgeries = [
  { t: "0000-01-01T00:00:00Z", id: "wf_aaaaaaaaaaaaaaaaaaaa" },
  { t: "-271821-04-20T00:00:00Z", id: "x" },
  { t: "+275760-09-13T00:00:00Z", id: "x" },
  { t: "99999-01-01T00:00:00Z", id: "x" },
  { t: "1969-12-31T23:59:59Z", id: "x" },
  { t: "2024-13-01T00:00:00Z", id: "x" },
  { t: "2024-01-01T00:00:00+99:99", id: "x" },
  { t: "2024-01-01T00:00:00Z", id: "a\u0000b" },
  { t: "2024-01-01T00:00:00Z", id: "\ud800" },
  { t: "2024-01-01T00:00:00Z", id: "x".repeat(150) },
  { t: "2024-01-01T00:00:00Z", id: "" },
  { t: "2024-01-01T00:00:00Z", id: 5 },
];

beforeAll(async () => {
  ({ app, owner, agent } = await createAppWithAgent());
  const created = await call(app, "POST", "/api/workflows", {
    headers: agent,
    body: {
      name: "paged",
      definition: {
        blocks: [
          { id: "trg", type: "trigger_manual", params: {} },
          { id: "greet", type: "greet", params: { name: "Ada" } },
        ],
        edges: [{ source: "trg", target: "greet" }],
      },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  workflowId = created.body.id;
  const run = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: agent, body: { input: {} } });
  expect(run.status, JSON.stringify(run.body)).toBeLessThan(300);
  runId = run.body.id;
});
afterAll(async () => {
  await app?.close();
});

async function expectInvalid(path: string, headers: Record<string, string>, cursor: string, param = "cursor") {
  const res = await call(app, "GET", `${path}${path.includes("?") ? "&" : "?"}${param}=${cursor}`, { headers });
  expect({ path, cursor: Buffer.from(cursor, "base64url").toString("utf8"), status: res.status, body: res.body }).toMatchObject({
    status: 400,
    body: { error: "invalid_cursor" },
  });
}

describe("forged cursors are 400 invalid_cursor on every list route", () => {
  it("created-at lists: workflows, runs, a workflow's runs, schedules, webhook endpoints, keys", async () => {
    const routes: [string, Record<string, string>][] = [
      ["/api/workflows", agent],
      ["/api/runs", agent],
      [`/api/runs?workflowId=${workflowId}`, agent],
      ["/api/schedules", agent],
      [`/api/workflows/${workflowId}/webhooks`, agent],
      ["/api/keys", owner.bearer],
    ];
    for (const [path, headers] of routes) {
      for (const position of createdAtForgeries) await expectInvalid(path, headers, forge(position));
    }
  });

  it("versions: version numbers out of int range", async () => {
    for (const v of [0, -1, 2_147_483_648, 1e300, 1.5, "1"]) await expectInvalid(`/api/workflows/${workflowId}/versions`, agent, forge({ v }));
  });

  it("run logs: positions out of bigint/safe range", async () => {
    for (const l of [-1, 2 ** 63, 1e300, 1.5, "1"]) await expectInvalid(`/api/runs/${runId}/logs`, agent, forge({ l }), "after");
  });

  it("secrets: names the secrets API would refuse", async () => {
    for (const n of ["a\u0000", "\ud800", "lower", "A".repeat(65), 7]) await expectInvalid("/api/secrets", owner.bearer, forge({ n }));
  });

  it("a genuine cursor still pages", async () => {
    const second = await call(app, "POST", "/api/workflows", { headers: agent, body: { name: "second" } });
    expect(second.status).toBe(201);
    const first = await call(app, "GET", "/api/workflows?limit=1", { headers: agent });
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await call(app, "GET", `/api/workflows?limit=1&cursor=${first.body.nextCursor}`, { headers: agent });
    expect(next.status).toBe(200);
    expect(next.body.data).toHaveLength(1);
    // Pages on, not in place: the two pages are the two workflows, newest first.
    expect([first.body.data[0].id, next.body.data[0].id]).toEqual([second.body.id, workflowId]);
  });
});
