/**
 * `/api/keys` (docs/architecture.md, "Tenancy and auth"): organization API keys — shown once, listed without key material,
 * revoked at once, managed only by owner/admin sessions, invisible to other organizations.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { call, createApiKey, createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let owner: TestUser;
let other: TestUser;

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  other = await signUp(app);
});

afterAll(async () => {
  await app?.close();
});

describe("create", () => {
  test("creating a key returns 201 with the key once; it is prefixed weft_ and works at once", async () => {
    const created = await call(app, "POST", "/api/keys", { headers: owner.bearer, body: { name: "agent" } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "agent",
      key: expect.stringMatching(/^weft_[A-Za-z0-9]{64}$/),
      prefix: "weft_",
      start: created.body.key.slice(0, 6),
      createdAt: expect.any(String),
      expiresAt: null,
    });
    expect(Math.abs(Date.parse(created.body.createdAt) - Date.now())).toBeLessThan(60_000);
    const me = await call(app, "GET", "/api/me", { headers: { "x-api-key": created.body.key } });
    expect(me.status).toBe(200);
    expect(me.body.organization.id).toBe(owner.organizationId);
  });

  test("the key is stored hashed: the database never holds the key itself", async () => {
    const created = await createApiKey(app, owner, "hashed");
    const rows = await app.database.sql`select key, reference_id, config_id from apikey where id = ${created.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0].key).not.toContain(created.key.slice(5));
    expect(rows[0].reference_id).toBe(owner.organizationId);
    expect(rows[0].config_id).toBe("org-keys");
  });

  test("expiresInDays sets expiresAt that many days ahead", async () => {
    const created = await call(app, "POST", "/api/keys", { headers: owner.bearer, body: { name: "week", expiresInDays: 7 } });
    expect(created.status).toBe(201);
    const ahead = Date.parse(created.body.expiresAt) - Date.now();
    expect(ahead).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(ahead).toBeLessThan(7 * 86_400_000 + 60_000);
  });

  test("bad bodies get 400 invalid_body and create nothing", async () => {
    const before = (await call(app, "GET", "/api/keys", { headers: owner.bearer })).body.data.length;
    const bodies: unknown[] = [
      {},
      { name: "" },
      { name: "x".repeat(33) },
      { name: 42 },
      { name: "ok", expiresInDays: 0 },
      { name: "ok", expiresInDays: 366 },
      { name: "ok", expiresInDays: 1.5 },
      { name: "ok", prefix: "evil_" },
      { name: "ok", organizationId: other.organizationId },
      [],
      null,
    ];
    for (const body of bodies) {
      const response = await call(app, "POST", "/api/keys", { headers: owner.bearer, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error).toBe("invalid_body");
    }
    const malformed = await call(app, "POST", "/api/keys", { headers: { ...owner.bearer, "content-type": "application/json" }, rawBody: "{not json" });
    expect(malformed.status).toBe(400);
    expect((await call(app, "GET", "/api/keys", { headers: owner.bearer })).body.data.length).toBe(before);
  });

  test("a key cannot mint keys, list them or revoke them (403 forbidden)", async () => {
    const created = await createApiKey(app, owner, "no minting");
    const mint = await call(app, "POST", "/api/keys", { headers: created.headers, body: { name: "child" } });
    expect(mint.status).toBe(403);
    expect(mint.body.error).toBe("forbidden");
    const mintBearer = await call(app, "POST", "/api/keys", { headers: { authorization: `Bearer ${created.key}` }, body: { name: "child" } });
    expect(mintBearer.status).toBe(403);
    expect((await call(app, "GET", "/api/keys", { headers: created.headers })).status).toBe(403);
    expect((await call(app, "DELETE", `/api/keys/${created.id}`, { headers: created.headers })).status).toBe(403);
    expect((await call(app, "GET", "/api/me", { headers: created.headers })).status).toBe(200);
  });

  test("better-auth's raw api-key routes are not exposed; /api/keys is the only way in", async () => {
    const raw = await call(app, "POST", "/api/auth/api-key/create", {
      headers: owner.bearer,
      body: { configId: "org-keys", organizationId: owner.organizationId, prefix: "other_" },
    });
    expect(raw.status).toBe(404);
    expect((await call(app, "GET", `/api/auth/api-key/list?organizationId=${owner.organizationId}`, { headers: owner.bearer })).status).toBe(404);
  });
});

describe("list", () => {
  test("listing shows names, prefixes and dates but never key material", async () => {
    const created = await createApiKey(app, owner, "listed");
    await call(app, "GET", "/api/me", { headers: created.headers });
    const list = await call(app, "GET", "/api/keys", { headers: owner.bearer });
    expect(list.status).toBe(200);
    const item = list.body.data.find((k: { id: string }) => k.id === created.id);
    expect(Object.keys(item).sort()).toEqual(["createdAt", "createdBy", "expiresAt", "id", "lastUsedAt", "name", "prefix", "start"]);
    expect(item).toMatchObject({ name: "listed", prefix: "weft_", start: created.key.slice(0, 6), expiresAt: null });
    expect(item.lastUsedAt).toEqual(expect.any(String));
    const text = JSON.stringify(list.body);
    for (const k of list.body.data) expect(k).not.toHaveProperty("key");
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(6));
  });

  test("the list pages newest first with an opaque cursor; a bad cursor is 400 invalid_cursor", async () => {
    const fresh = await createTestApp();
    try {
      const user = await signUp(fresh);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await createApiKey(fresh, user, `k${i}`)).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
        const page = await call(fresh, "GET", `/api/keys${query}`, { headers: user.bearer });
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((k: { id: string }) => k.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      // Every key exactly once, newest first (keys made in the same millisecond tie-break by id).
      expect(seen).toHaveLength(ids.length);
      expect(new Set(seen)).toEqual(new Set(ids));
      const all = (await call(fresh, "GET", "/api/keys", { headers: user.bearer })).body.data;
      expect(all.map((k: { id: string }) => k.id)).toEqual(seen);
      const times = all.map((k: { createdAt: string }) => Date.parse(k.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      for (const [query, code] of [
        ["?cursor=garbage!", "invalid_cursor"],
        ["?cursor=eyJ0IjoxfQ", "invalid_cursor"],
        ["?limit=0", "invalid_query"],
        ["?limit=101", "invalid_query"],
        ["?limit=-1", "invalid_query"],
        ["?unknown=1", "invalid_query"],
      ]) {
        const bad = await call(fresh, "GET", `/api/keys${query}`, { headers: user.bearer });
        expect(bad.status, query).toBe(400);
        expect(bad.body.error, query).toBe(code);
      }
    } finally {
      await fresh.close();
    }
  });

  test("each organization lists only its own keys", async () => {
    const mine = await createApiKey(app, owner, "mine");
    const theirs = await createApiKey(app, other, "theirs");
    const ownerIds = (await call(app, "GET", "/api/keys?limit=100", { headers: owner.bearer })).body.data.map((k: { id: string }) => k.id);
    const otherIds = (await call(app, "GET", "/api/keys?limit=100", { headers: other.bearer })).body.data.map((k: { id: string }) => k.id);
    expect(ownerIds).toContain(mine.id);
    expect(ownerIds).not.toContain(theirs.id);
    expect(otherIds).toEqual([theirs.id]);
  });
});

describe("creator", () => {
  test("the list names the user who created each key: the owner's keys and an admin's keys alike", async () => {
    const fresh = await createTestApp();
    try {
      const founder = await signUp(fresh, { name: "Ada Founder" });
      const admin = await joinOrganization(fresh, founder, "admin");
      const adminName = (await call(fresh, "GET", "/api/me", { headers: admin.bearer })).body.user.name;
      const byFounder = await createApiKey(fresh, founder, "founder's");
      const byAdmin = await createApiKey(fresh, admin, "admin's");
      for (const viewer of [founder, admin]) {
        const list = await call(fresh, "GET", "/api/keys", { headers: viewer.bearer });
        expect(list.status).toBe(200);
        const byId = new Map(list.body.data.map((k: { id: string; createdBy: unknown }) => [k.id, k.createdBy]));
        expect(byId.get(byFounder.id)).toEqual({ id: founder.userId, name: "Ada Founder" });
        expect(byId.get(byAdmin.id)).toEqual({ id: admin.userId, name: adminName });
      }
    } finally {
      await fresh.close();
    }
  });

  test("a key whose creator no longer exists lists createdBy null, and keeps working", async () => {
    const fresh = await createTestApp();
    try {
      const founder = await signUp(fresh);
      const admin = await joinOrganization(fresh, founder, "admin");
      const orphan = await createApiKey(fresh, admin, "orphan");
      await fresh.database.sql`delete from "user" where id = ${admin.userId}`;
      const list = await call(fresh, "GET", "/api/keys", { headers: founder.bearer });
      expect(list.status).toBe(200);
      expect(list.body.data.find((k: { id: string }) => k.id === orphan.id).createdBy).toBeNull();
      expect((await call(fresh, "GET", "/api/me", { headers: orphan.headers })).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  test("the creator cannot be set by the caller: a createdBy or metadata in the body is 400 invalid_body", async () => {
    for (const body of [{ name: "forged", createdBy: other.userId }, { name: "forged", metadata: { createdBy: `user:${other.userId}` } }]) {
      const response = await call(app, "POST", "/api/keys", { headers: owner.bearer, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error).toBe("invalid_body");
    }
    const created = await createApiKey(app, owner, "honest");
    const list = await call(app, "GET", "/api/keys?limit=100", { headers: owner.bearer });
    expect(list.body.data.find((k: { id: string }) => k.id === created.id).createdBy).toEqual({ id: owner.userId, name: expect.any(String) });
  });
});

describe("revoke", () => {
  test("a revoked key gets 401 at once, however it is sent, even right after being used", async () => {
    const created = await createApiKey(app, owner, "to revoke");
    expect((await call(app, "GET", "/api/me", { headers: created.headers })).status).toBe(200);
    const revoked = await call(app, "DELETE", `/api/keys/${created.id}`, { headers: owner.bearer });
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeNull();
    for (const headers of [created.headers, { authorization: `Bearer ${created.key}` }]) {
      const response = await call(app, "GET", "/api/me", { headers });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe("unauthorized");
    }
    const list = await call(app, "GET", "/api/keys?limit=100", { headers: owner.bearer });
    expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(created.id);
    const again = await call(app, "DELETE", `/api/keys/${created.id}`, { headers: owner.bearer });
    expect(again.status).toBe(404);
    expect(again.body.error).toBe("not_found");
  });

  test("a key revoked while its first verification is in flight is refused by the next request (not cached)", async () => {
    const created = await createApiKey(app, owner, "revoked mid-verification");
    // Hold the first verification after better-auth has read the key as valid, revoke it then,
    // and only then let the verification finish: the interleaving that used to cache a dead key.
    const api = app.auth.api as { verifyApiKey: (...args: unknown[]) => Promise<unknown> };
    const original = api.verifyApiKey;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let readValid!: () => void;
    const hasRead = new Promise<void>((resolve) => (readValid = resolve));
    let held = false;
    api.verifyApiKey = async (...args: unknown[]) => {
      const result = await original(...args);
      if (!held) {
        held = true;
        readValid();
        await gate;
      }
      return result;
    };
    try {
      const inFlight = call(app, "GET", "/api/me", { headers: created.headers });
      await hasRead;
      const revoked = await call(app, "DELETE", `/api/keys/${created.id}`, { headers: owner.bearer });
      expect(revoked.status).toBe(204);
      release();
      await inFlight;
    } finally {
      api.verifyApiKey = original;
    }
    for (const headers of [created.headers, { authorization: `Bearer ${created.key}` }]) {
      const response = await call(app, "GET", "/api/me", { headers });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe("unauthorized");
    }
    const write = await call(app, "POST", "/api/workflows", { headers: created.headers, body: { name: "after revoke" } });
    expect(write.status).toBe(401);
  });

  test("another organization's key id is 404 not_found, and the key keeps working", async () => {
    const theirs = await createApiKey(app, other, "not yours");
    const response = await call(app, "DELETE", `/api/keys/${theirs.id}`, { headers: owner.bearer });
    expect(response.status).toBe(404);
    expect(response.body.error).toBe("not_found");
    expect((await call(app, "GET", "/api/me", { headers: theirs.headers })).status).toBe(200);
    expect((await call(app, "DELETE", "/api/keys/does-not-exist", { headers: owner.bearer })).status).toBe(404);
  });
});
