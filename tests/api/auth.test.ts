/**
 * Authentication and tenancy (docs/architecture.md, "Tenancy and auth"): the three ways in, fail-closed resolution, CSRF on
 * cookie mutations, the personal organization at sign-up, sign-up modes and better-auth's own
 * limiter — all through HTTP against a real database.
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLIENT_ADDRESS_HEADER, createAuth } from "@/lib/auth";
import { call, createApiKey, createTestApp, sessionCookie, signUp, type TestApp, type TestUser } from "../helpers/api";

const PASSWORD = "correct horse battery staple";

let app: TestApp;
let owner: TestUser;
let key: { id: string; key: string; headers: Record<string, string> };

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app, { name: "Ada Lovelace" });
  key = await createApiKey(app, owner, "auth tests");
});

afterAll(async () => {
  await app?.close();
});

function expectUnauthorized(response: { status: number; body: { error?: string } }): void {
  expect(response.status).toBe(401);
  expect(response.body.error).toBe("unauthorized");
}

describe("fail closed", () => {
  test("a request with no credential gets 401 unauthorized, on reads and writes", async () => {
    expectUnauthorized(await call(app, "GET", "/api/me"));
    expectUnauthorized(await call(app, "GET", "/api/keys"));
    expectUnauthorized(await call(app, "POST", "/api/keys", { body: { name: "x" } }));
    expectUnauthorized(await call(app, "GET", "/api/no-such-route"));
  });

  test("garbage API keys get 401, whether sent as Bearer or x-api-key", async () => {
    const garbage = ["weft_garbage", `weft_${"A".repeat(64)}`, "not-a-weft-key", `${key.key}x`, key.key.slice(0, -1), "weft_" + "x".repeat(5000)];
    for (const value of garbage) {
      expectUnauthorized(await call(app, "GET", "/api/me", { headers: { authorization: `Bearer ${value}` } }));
      expectUnauthorized(await call(app, "GET", "/api/me", { headers: { "x-api-key": value } }));
    }
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: { "x-api-key": "" } }));
  });

  test("a malformed Authorization header gets 401 even when another valid credential is sent", async () => {
    for (const authorization of ["Basic x", "Bearer", "Bearer ", "Bearer a b", `Token ${key.key}`, key.key, "", `Basic ${Buffer.from("a:b").toString("base64")}`]) {
      expectUnauthorized(await call(app, "GET", "/api/me", { headers: { authorization } }));
      // Authorization alone decides: a valid x-api-key or cookie beside it does not rescue it.
      expectUnauthorized(await call(app, "GET", "/api/me", { headers: { authorization, ...key.headers, cookie: owner.cookie } }));
    }
  });

  test("a bad session token gets 401: unknown, tampered, or the raw unsigned session id", async () => {
    const [id, signature] = owner.token.split(".");
    for (const token of ["nope", `${id}.${"A".repeat(signature.length)}`, id, `${randomBytes(24).toString("base64url")}.${signature}`]) {
      expectUnauthorized(await call(app, "GET", "/api/me", { headers: { authorization: `Bearer ${token}` } }));
    }
    const unsigned = await call(app, "GET", "/api/me", { headers: { authorization: `Bearer ${id}` } });
    expect(unsigned.body.message).toContain("set-auth-token");
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: { cookie: "better-auth.session_token=forged.value" } }));
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: { cookie: "unrelated=1" } }));
  });

  test("an expired API key gets 401", async () => {
    const created = await call(app, "POST", "/api/keys", { headers: owner.bearer, body: { name: "short-lived", expiresInDays: 1 } });
    expect(created.status).toBe(201);
    await app.database.sql`update apikey set expires_at = now() - interval '1 minute' where id = ${created.body.id}`;
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: { "x-api-key": created.body.key } }));
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: { authorization: `Bearer ${created.body.key}` } }));
  });

  test("a disabled API key gets 401", async () => {
    const created = await createApiKey(app, owner, "to disable");
    await app.database.sql`update apikey set enabled = false where id = ${created.id}`;
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: created.headers }));
  });

  test("an expired session gets 401", async () => {
    const user = await signUp(app);
    await app.database.sql`update session set expires_at = now() - interval '1 minute' where user_id = ${user.userId}`;
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: user.bearer }));
    expectUnauthorized(await call(app, "GET", "/api/me", { headers: { cookie: user.cookie } }));
  });

  test("open routes answer without credentials", async () => {
    expect((await call(app, "GET", "/api/health")).status).toBe(200);
    expect((await call(app, "GET", "/api/openapi.json")).status).toBe(200);
  });
});

describe("three ways in", () => {
  test("an API key works as `Authorization: Bearer weft_…` with the scheme in any case", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const me = await call(app, "GET", "/api/me", { headers: { authorization: `${scheme} ${key.key}` } });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        user: null,
        organization: { id: owner.organizationId, name: expect.any(String), slug: expect.any(String) },
        role: "member",
        authMode: "api_key",
      });
    }
  });

  test("an API key works as x-api-key and acts as a member of its organization", async () => {
    const me = await call(app, "GET", "/api/me", { headers: key.headers });
    expect(me.status).toBe(200);
    expect(me.body.organization.id).toBe(owner.organizationId);
    expect(me.body.role).toBe("member");
    expect(me.body.authMode).toBe("api_key");
  });

  test("a session token works as a bearer token, scheme in any case", async () => {
    for (const scheme of ["Bearer", "bearer", "BeArEr"]) {
      const me = await call(app, "GET", "/api/me", { headers: { authorization: `${scheme} ${owner.token}` } });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        user: { id: owner.userId, email: owner.email, name: "Ada Lovelace" },
        organization: { id: owner.organizationId, name: expect.any(String), slug: expect.any(String) },
        role: "owner",
        authMode: "session",
      });
    }
  });

  test("a session cookie works for reads without an Origin", async () => {
    const me = await call(app, "GET", "/api/me", { headers: { cookie: owner.cookie } });
    expect(me.status).toBe(200);
    expect(me.body.authMode).toBe("session");
    expect(me.body.user.id).toBe(owner.userId);
  });

  test("signing in again gives a new session already in the user's organization", async () => {
    const response = await app.api.request("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: owner.email, password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    const token = response.headers.get("set-auth-token");
    expect(token).toBeTruthy();
    expect(token).not.toBe(owner.token);
    const me = await call(app, "GET", "/api/me", { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.body.organization.id).toBe(owner.organizationId);
    expect(me.body.role).toBe("owner");
    const viaCookie = await call(app, "GET", "/api/me", { headers: { cookie: sessionCookie(response.headers) } });
    expect(viaCookie.status).toBe(200);
  });
});

describe("CSRF on cookie-authenticated mutations", () => {
  test("a cookie mutation with Origin equal to the app's URL passes", async () => {
    const created = await call(app, "POST", "/api/keys", { headers: { cookie: owner.cookie, origin: app.baseUrl }, body: { name: "from browser" } });
    expect(created.status).toBe(201);
    const revoked = await call(app, "DELETE", `/api/keys/${created.body.id}`, { headers: { cookie: owner.cookie, origin: app.baseUrl } });
    expect(revoked.status).toBe(204);
  });

  test("a cookie mutation with a wrong or missing Origin gets 403 csrf_rejected and changes nothing", async () => {
    const before = await call(app, "GET", "/api/keys", { headers: owner.bearer });
    for (const origin of ["https://evil.example", "http://localhost:3001", `${app.baseUrl}.evil.example`, "null", undefined]) {
      const headers: Record<string, string> = { cookie: owner.cookie };
      if (origin !== undefined) headers.origin = origin;
      const response = await call(app, "POST", "/api/keys", { headers, body: { name: "csrf" } });
      expect(response.status).toBe(403);
      expect(response.body.error).toBe("csrf_rejected");
      const deleted = await call(app, "DELETE", `/api/keys/${key.id}`, { headers });
      expect(deleted.status).toBe(403);
      expect(deleted.body.error).toBe("csrf_rejected");
    }
    const after = await call(app, "GET", "/api/keys", { headers: owner.bearer });
    expect(after.body.data.map((k: { id: string }) => k.id)).toEqual(before.body.data.map((k: { id: string }) => k.id));
    expect((await call(app, "GET", "/api/me", { headers: key.headers })).status).toBe(200);
  });

  test("bearer-token mutations need no Origin", async () => {
    const created = await call(app, "POST", "/api/keys", { headers: { ...owner.bearer, origin: "https://elsewhere.example" }, body: { name: "bearer" } });
    expect(created.status).toBe(201);
    expect((await call(app, "DELETE", `/api/keys/${created.body.id}`, { headers: owner.bearer })).status).toBe(204);
  });

  test("API-key mutations are not subject to the Origin check (only to roles)", async () => {
    const response = await call(app, "POST", "/api/keys", { headers: { ...key.headers, origin: "https://elsewhere.example" }, body: { name: "k" } });
    expect(response.status).toBe(403);
    expect(response.body.error).toBe("forbidden");
  });
});

describe("tenancy at sign-up", () => {
  test("sign-up creates a personal organization with the user as owner, active at once", async () => {
    const user = await signUp(app, { name: "Grace Hopper" });
    const me = await call(app, "GET", "/api/me", { headers: user.bearer });
    expect(me.status).toBe(200);
    expect(me.body.role).toBe("owner");
    expect(me.body.organization.name).toBe("Grace Hopper's organization");
    expect(me.body.organization.slug).toMatch(/^grace-hopper-[0-9a-f]{8}$/);
    expect(me.body.organization.id).not.toBe(owner.organizationId);
    const members = await app.database.sql`select role from member where organization_id = ${me.body.organization.id}`;
    expect(members).toEqual([{ role: "owner" }]);
    // Usable at once: an owner can mint a key for the new organization.
    const created = await createApiKey(app, user);
    expect((await call(app, "GET", "/api/me", { headers: created.headers })).body.organization.id).toBe(user.organizationId);
  });

  test("a session with no active organization gets 401 no_active_organization", async () => {
    const user = await signUp(app);
    await app.database.sql`update session set active_organization_id = null where user_id = ${user.userId}`;
    for (const headers of [user.bearer, { cookie: user.cookie }]) {
      const me = await call(app, "GET", "/api/me", { headers });
      expect(me.status).toBe(401);
      expect(me.body.error).toBe("no_active_organization");
    }
  });

  test("a session whose active organization the user is not a member of gets 401 no_active_organization", async () => {
    const user = await signUp(app);
    await app.database.sql`update session set active_organization_id = ${owner.organizationId} where user_id = ${user.userId}`;
    const me = await call(app, "GET", "/api/me", { headers: user.bearer });
    expect(me.status).toBe(401);
    expect(me.body.error).toBe("no_active_organization");
  });
});

describe("sign-up modes", () => {
  async function rawSignUp(target: TestApp, email: string) {
    return call(target, "POST", "/api/auth/sign-up/email", { body: { email, name: "Someone", password: PASSWORD } });
  }

  test("closed: the first user can claim the instance, everyone after is refused with 403", async () => {
    const closed = await createTestApp({ signup: "closed" });
    try {
      const first = await signUp(closed);
      const refused = await rawSignUp(closed, "second@example.com");
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("signup_closed");
      expect(await closed.database.sql`select 1 from "user" where email = 'second@example.com'`).toHaveLength(0);
      // Existing users still sign in.
      const signIn = await call(closed, "POST", "/api/auth/sign-in/email", { body: { email: first.email, password: PASSWORD } });
      expect(signIn.status).toBe(200);
    } finally {
      await closed.close();
    }
  });

  test("invite: only an email with a pending, unexpired invitation can sign up", async () => {
    const invite = await createTestApp({ signup: "invite" });
    try {
      const first = await signUp(invite); // the first user claims the instance
      const stranger = await rawSignUp(invite, "stranger@example.com");
      expect(stranger.status).toBe(403);
      expect(stranger.body.code).toBe("invitation_required");

      const invited = await call(invite, "POST", "/api/auth/organization/invite-member", {
        headers: first.bearer,
        body: { email: "Invited@Example.com", role: "member" },
      });
      expect(invited.status).toBe(200);
      const joined = await signUp(invite, { email: "invited@example.com" });
      const accepted = await call(invite, "POST", "/api/auth/organization/accept-invitation", {
        headers: joined.bearer,
        body: { invitationId: invited.body.id },
      });
      expect(accepted.status).toBe(200);
      const me = await call(invite, "GET", "/api/me", { headers: joined.bearer });
      expect(me.body.organization.id).toBe(first.organizationId);
      expect(me.body.role).toBe("member");

      // An expired invitation does not open the door.
      const late = await call(invite, "POST", "/api/auth/organization/invite-member", {
        headers: first.bearer,
        body: { email: "late@example.com", role: "member" },
      });
      await invite.database.sql`update invitation set expires_at = now() - interval '1 minute' where id = ${late.body.id}`;
      const refused = await rawSignUp(invite, "late@example.com");
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("invitation_required");
    } finally {
      await invite.close();
    }
  });

  test("open (the default): anyone can sign up", async () => {
    const response = await rawSignUp(app, `open-${randomBytes(4).toString("hex")}@example.com`);
    expect(response.status).toBe(200);
  });
});

// better-auth alone, keyed by the header the API door sets (tests/api/auth-rate-limit.test.ts goes through the door).
test("better-auth's own limiter throttles sign-in attempts per client IP when on", async () => {
  const auth = createAuth({ db: app.database.db, baseUrl: app.baseUrl, secret: randomBytes(32).toString("base64url"), rateLimit: true, logger: pino({ level: "silent" }) });
  const attempt = (ip: string) =>
    auth.handler(
      new Request(`${app.baseUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", [CLIENT_ADDRESS_HEADER]: ip },
        body: JSON.stringify({ email: owner.email, password: "wrong password!" }),
      }),
    );
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await attempt("203.0.113.7")).status);
  expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
  expect(statuses[10]).toBe(429);
  expect((await attempt("203.0.113.8")).status).toBe(401); // another client is not affected
});
