import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";

describe("rate limit per (organization, principal)", () => {
  let app: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    app = await createTestApp({ rateLimitPerMinute: 5 });
    owner = await signUp(app); // signUp itself spends one of the owner's 5 on GET /api/me
  });
  afterAll(async () => {
    await app?.close();
  });

  it("a key gets 5 requests with RateLimit-* headers, then 429 rate_limited with retryAfterMs and Retry-After", async () => {
    const key = await createApiKey(app, owner, "limited");
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(app, "GET", "/api/secrets", { headers: key.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("5");
      expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
      remaining.push(res.headers.get("ratelimit-remaining") ?? "");
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);

    const limited = await call(app, "GET", "/api/secrets", { headers: key.headers });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe("rate_limited");
    expect(limited.body.retryAfterMs).toBeGreaterThan(0);
    expect(limited.body.retryAfterMs).toBeLessThanOrEqual(12_000); // 5/min: one token per 12 s
    const retryAfter = limited.headers.get("retry-after");
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(Number(retryAfter) * 1000).toBeGreaterThanOrEqual(limited.body.retryAfterMs);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");

    // Every route behind the limiter shares the bucket, writes included.
    const write = await call(app, "POST", "/api/workflows", { headers: key.headers, body: {} });
    expect(write.status).toBe(429);
  });

  it("a second key of the same organization has its own bucket", async () => {
    const first = await createApiKey(app, owner, "first");
    const second = await createApiKey(app, owner, "second");
    for (let i = 0; i < 5; i++) expect((await call(app, "GET", "/api/me", { headers: first.headers })).status).toBe(200);
    expect((await call(app, "GET", "/api/me", { headers: first.headers })).status).toBe(429);
    const other = await call(app, "GET", "/api/me", { headers: second.headers });
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit-remaining")).toBe("4");
  });

  it("a session user has its own bucket, separate from the org's keys and from other users", async () => {
    const user = await signUp(app); // spends 1 (GET /api/me)
    const key = await createApiKey(app, user, "user's key"); // spends 1 (POST /api/keys)
    for (let i = 0; i < 5; i++) await call(app, "GET", "/api/me", { headers: key.headers });
    expect((await call(app, "GET", "/api/me", { headers: key.headers })).status).toBe(429);
    const session = await call(app, "GET", "/api/me", { headers: user.bearer });
    expect(session.status).toBe(200);
    expect(session.headers.get("ratelimit-remaining")).toBe("2");
    await call(app, "GET", "/api/me", { headers: user.bearer });
    await call(app, "GET", "/api/me", { headers: user.bearer });
    expect((await call(app, "GET", "/api/me", { headers: user.bearer })).status).toBe(429);
    // The same person by cookie is the same principal, so the same (empty) bucket.
    expect((await call(app, "GET", "/api/me", { headers: { cookie: user.cookie } })).status).toBe(429);
    // Another user is untouched.
    const other = await signUp(app);
    expect((await call(app, "GET", "/api/me", { headers: other.bearer })).status).toBe(200);
  });

  it("limited responses that are errors carry the headers too", async () => {
    const user = await signUp(app);
    const key = await createApiKey(app, user, "errors");
    const forbidden = await call(app, "DELETE", "/api/secrets/NOPE", { headers: key.headers });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("ratelimit-limit")).toBe("5");
    const missing = await call(app, "GET", "/api/workflows/wf_doesnotexist", { headers: key.headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("ratelimit-remaining")).toBe("3");
  });

  it("/api/health is never limited (100 calls, no RateLimit headers)", async () => {
    for (let i = 0; i < 100; i++) {
      const res = await call(app, "GET", "/api/health");
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBeNull();
    }
  });

  it("unauthenticated requests get 401 without touching a bucket", async () => {
    const user = await signUp(app); // spends 1
    const revoked = await createApiKey(app, user, "revoked"); // spends 1
    expect((await call(app, "DELETE", `/api/keys/${revoked.id}`, { headers: user.bearer })).status).toBe(204); // spends 1
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer nonsense" },
      { authorization: "Basic Zm9vOmJhcg==" },
      { "x-api-key": "weft_notarealkey" },
      revoked.headers,
      { authorization: `Bearer ${revoked.key}` },
      { cookie: "better-auth.session_token=forged.value" },
    ];
    for (let round = 0; round < 10; round++) {
      for (const headers of attempts) {
        const res = await call(app, "GET", "/api/secrets", { headers });
        expect(res.status).toBe(401);
        expect(res.body.error).toBe("unauthorized");
        expect(res.headers.get("ratelimit-limit")).toBeNull();
      }
    }
    // The user's bucket is where its own requests left it.
    const after = await call(app, "GET", "/api/me", { headers: user.bearer });
    expect(after.status).toBe(200);
    expect(after.headers.get("ratelimit-remaining")).toBe("1");
  });

  it("open routes (OpenAPI document, better-auth) are not limited by the control plane", async () => {
    for (let i = 0; i < 10; i++) {
      const doc = await call(app, "GET", "/api/openapi.json");
      expect(doc.status).toBe(200);
      expect(doc.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});

describe.each(["memory", "postgres"] as const)("one principal in two organizations (%s store)", (store) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ rateLimitStore: store, rateLimitPerMinute: 5 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("a user with a bucket in each organization: exhausted in A, the same session is still served in B, and A stays limited", async () => {
    const ada = await signUp(app); // spends 1 of Ada's 5 in her organization (GET /api/me)
    const bob = await signUp(app);
    const [orgA, orgB] = [ada.organizationId, bob.organizationId];
    // Ada joins Bob's organization; /api/auth is not behind the control plane's limit.
    const invited = await call(app, "POST", "/api/auth/organization/invite-member", { headers: bob.bearer, body: { email: ada.email, role: "member", organizationId: orgB } });
    expect(invited.status).toBe(200);
    expect((await call(app, "POST", "/api/auth/organization/accept-invitation", { headers: ada.bearer, body: { invitationId: invited.body.id } })).status).toBe(200);
    const activate = async (organizationId: string) =>
      expect((await call(app, "POST", "/api/auth/organization/set-active", { headers: ada.bearer, body: { organizationId } })).status).toBe(200);
    const me = async () => {
      const res = await call(app, "GET", "/api/me", { headers: ada.bearer });
      return { status: res.status, organization: res.body.organization?.id, remaining: res.headers.get("ratelimit-remaining") };
    };

    await activate(orgA);
    const inA = [];
    for (let i = 0; i < 5; i++) inA.push(await me());
    expect(inA.map((r) => r.status)).toEqual([200, 200, 200, 200, 429]);
    expect(inA[0].organization).toBe(orgA);

    await activate(orgB);
    expect(await me()).toEqual({ status: 200, organization: orgB, remaining: "4" });
    await activate(orgA);
    expect((await me()).status).toBe(429);
    await activate(orgB);
    expect(await me()).toMatchObject({ status: 200, organization: orgB });
  });
});

describe("signed-in users and API keys have budgets of their own", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ rateLimitPerMinute: 3, sessionRateLimitPerMinute: 8 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("a session gets the session budget while an API key of the same organization gets the key budget", async () => {
    const user = await signUp(app); // spends 1 of the session's 8 (GET /api/me)
    const key = await createApiKey(app, user, "agent"); // spends 1 more (POST /api/keys by session)
    const keyStatuses: number[] = [];
    for (let i = 0; i < 4; i++) keyStatuses.push((await call(app, "GET", "/api/me", { headers: key.headers })).status);
    expect(keyStatuses).toEqual([200, 200, 200, 429]);

    const first = await call(app, "GET", "/api/me", { headers: user.bearer });
    expect(first.headers.get("ratelimit-limit")).toBe("8");
    expect(first.headers.get("ratelimit-remaining")).toBe("5");
    const sessionStatuses: number[] = [];
    for (let i = 0; i < 6; i++) sessionStatuses.push((await call(app, "GET", "/api/me", { headers: { cookie: user.cookie } })).status);
    expect(sessionStatuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
