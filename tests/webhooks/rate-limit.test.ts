/**
 * Per-endpoint rate limit of inbound webhooks over HTTP: each endpoint has its own bucket, a 429
 * carries retryAfterMs and Retry-After and starts no run, and requests without the secret do not
 * use up the sender's budget. The app's limit is 6 per minute here.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

const LIMIT = 6;
let app: TestApp;
let owner: TestUser;
let first: { id: string; secret: string };
let second: { id: string; secret: string };

beforeAll(async () => {
  app = await createTestApp({ rateLimitPerMinute: LIMIT });
  owner = await signUp(app); // 1 request of the owner's own bucket
  const wf = await call(app, "POST", "/api/workflows", {
    headers: owner.bearer,
    body: { name: "hook", definition: { blocks: [{ id: "trg", type: "trigger_webhook", params: {} }], edges: [] } },
  });
  expect(wf.status).toBe(201);
  first = (await call(app, "POST", `/api/workflows/${wf.body.id}/webhooks`, { headers: owner.bearer })).body;
  second = (await call(app, "POST", `/api/workflows/${wf.body.id}/webhooks`, { headers: owner.bearer })).body;
});
afterAll(async () => {
  await app?.close();
});

const send = (endpoint: { id: string }, authorization?: string) =>
  call(app, "POST", `/api/webhooks/${endpoint.id}`, { rawBody: "{}", headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) } });

async function runCount(): Promise<number> {
  const [row] = await app.database.sql<{ n: number }[]>`select count(*)::int as n from runs where organization_id = ${owner.organizationId}`;
  return row.n;
}

it("each endpoint gets its own bucket; over it, 429 rate_limited with retryAfterMs and Retry-After, and no run; refused senders use up nothing", async () => {
  // Requests without the secret are refused before the bucket, so they cannot starve the sender.
  for (let i = 0; i < LIMIT * 2; i++) expect((await send(first, "Bearer wrong")).status).toBe(401);

  for (let i = 0; i < LIMIT; i++) {
    const res = await send(first, `Bearer ${first.secret}`);
    expect(res.status, `request ${i + 1}`).toBe(202);
    expect(res.headers.get("ratelimit-limit")).toBe(String(LIMIT));
  }
  const before = await runCount();
  const limited = await send(first, `Bearer ${first.secret}`);
  expect(limited.status).toBe(429);
  expect(limited.body.error).toBe("rate_limited");
  expect(limited.body.retryAfterMs).toBeGreaterThan(0);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(await runCount()).toBe(before);
  expect(before).toBe(LIMIT);

  // Another endpoint of the same workflow and organization is not affected.
  expect((await send(second, `Bearer ${second.secret}`)).status).toBe(202);
  // Nor is the owner's control-plane bucket.
  expect((await call(app, "GET", "/api/me", { headers: owner.bearer })).status).toBe(200);
});
