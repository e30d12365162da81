import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secrets } from "@/db/schema";
import { createControlPlaneApi } from "@/lib/api";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "@/lib/secrets";
import { getSecretValues, upsertSecret } from "@/lib/store/secrets";
import { call as rawCall, createApiKey, createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";
import { secretFormsIn } from "../helpers/secret-forms";
import { readsOfARunUsingSecrets } from "./secret-run-reads";

describe("secret encryption (AES-256-GCM, bound to organization and name)", () => {
  const key = randomBytes(32);
  const at = { organizationId: "org_a", name: "SLACK_TOKEN" };

  it("round-trips, including empty and multi-byte values", () => {
    for (const value of ["xoxb-123", "", "päßwörd 🔐", "x".repeat(65_536)]) {
      expect(decryptSecret(key, at, encryptSecret(key, at, value))).toBe(value);
    }
  });

  it("uses a fresh IV each time, so equal values give different ciphertexts", () => {
    expect(encryptSecret(key, at, "same")).not.toBe(encryptSecret(key, at, "same"));
  });

  it("a tampered ciphertext, tag or IV does not decrypt", () => {
    const stored = Buffer.from(encryptSecret(key, at, "a value worth stealing"), "base64");
    for (const index of [0, 11, 12, 27, 28, stored.length - 1]) {
      const copy = Buffer.from(stored);
      copy[index] ^= 0x01;
      expect(() => decryptSecret(key, at, copy.toString("base64"))).toThrow(SecretDecryptionError);
    }
    expect(() => decryptSecret(key, at, stored.subarray(0, 20).toString("base64"))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, at, "")).toThrow(SecretDecryptionError);
  });

  it("a ciphertext moved to another organization or name, or read with another key, does not decrypt", () => {
    const stored = encryptSecret(key, at, "bound");
    expect(() => decryptSecret(key, { ...at, organizationId: "org_b" }, stored)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, { ...at, name: "OTHER" }, stored)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(randomBytes(32), at, stored)).toThrow(SecretDecryptionError);
  });

  it("the error names the secret, never the value; keys must be 32 bytes", () => {
    const stored = encryptSecret(key, at, "do-not-print-me");
    try {
      decryptSecret(randomBytes(32), at, stored);
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toContain("SLACK_TOKEN");
      expect(String(error)).not.toContain("do-not-print-me");
    }
    expect(() => encryptSecret(randomBytes(16), at, "v")).toThrow(/32 bytes/);
  });
});

describe("/api/secrets", () => {
  let app: TestApp;
  let owner: TestUser;
  let apiKey: Record<string, string>;
  let member: TestUser;
  let admin: TestUser;
  let stranger: TestUser;
  /** Every response body and header any request of this file received, to prove values never leak. */
  const seen: string[] = [];
  /** Values set through the API; none may ever come back. */
  const values: string[] = [];
  const uniqueValue = () => {
    const value = `secret-value-${randomBytes(12).toString("hex")}`;
    values.push(value);
    return value;
  };

  const call: typeof rawCall = async (...args) => {
    const response = await rawCall(...args);
    seen.push(JSON.stringify(response.body) ?? "", JSON.stringify([...response.headers.entries()]));
    return response;
  };

  beforeAll(async () => {
    app = await createTestApp();
    owner = await signUp(app);
    apiKey = (await createApiKey(app, owner)).headers;
    member = await joinOrganization(app, owner, "member");
    admin = await joinOrganization(app, owner, "admin");
    stranger = await signUp(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("an owner creates a secret: 201 with name and dates only", async () => {
    const res = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "SLACK_TOKEN", value: uniqueValue() } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "name", "updatedAt"]);
    expect(res.body.name).toBe("SLACK_TOKEN");
    expect(res.body.createdAt).toBe(res.body.updatedAt);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
  });

  it("setting an existing name replaces the value: 200, createdAt kept, updatedAt moves", async () => {
    const first = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "REPLACED", value: uniqueValue() } });
    expect(first.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "REPLACED", value: uniqueValue() } });
    expect(second.status).toBe(200);
    expect(second.body.createdAt).toBe(first.body.createdAt);
    expect(Date.parse(second.body.updatedAt)).toBeGreaterThan(Date.parse(first.body.updatedAt));
    const [row] = await app.database.db
      .select()
      .from(secrets)
      .where(and(eq(secrets.organizationId, owner.organizationId), eq(secrets.name, "REPLACED")));
    expect(row.createdBy).toBe(`user:${owner.userId}`);
  });

  it("an admin session may set and delete secrets", async () => {
    const set = await call(app, "POST", "/api/secrets", { headers: admin.bearer, body: { name: "ADMIN_SET", value: uniqueValue() } });
    expect(set.status).toBe(201);
    expect((await call(app, "DELETE", "/api/secrets/ADMIN_SET", { headers: admin.bearer })).status).toBe(204);
  });

  it("members and API keys may list names, but setting or deleting is 403 forbidden and changes nothing", async () => {
    const before = await call(app, "GET", "/api/secrets", { headers: owner.bearer });
    for (const headers of [member.bearer, apiKey]) {
      const listed = await call(app, "GET", "/api/secrets", { headers });
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual(before.body);
      const set = await call(app, "POST", "/api/secrets", { headers, body: { name: "SLACK_TOKEN", value: uniqueValue() } });
      expect(set.status).toBe(403);
      expect(set.body.error).toBe("forbidden");
      // Forbidden whatever the body: the role is checked before the body.
      const bad = await call(app, "POST", "/api/secrets", { headers, body: { nope: 1 } });
      expect(bad.status).toBe(403);
      const deleted = await call(app, "DELETE", "/api/secrets/SLACK_TOKEN", { headers });
      expect(deleted.status).toBe(403);
      expect(deleted.body.error).toBe("forbidden");
    }
    expect((await call(app, "GET", "/api/secrets", { headers: owner.bearer })).body).toEqual(before.body);
  });

  it("a cookie session needs a matching Origin to set a secret", async () => {
    const value = uniqueValue();
    const rejected = await call(app, "POST", "/api/secrets", { headers: { cookie: owner.cookie }, body: { name: "COOKIE_SET", value } });
    expect(rejected.status).toBe(403);
    expect(rejected.body.error).toBe("csrf_rejected");
    const ok = await call(app, "POST", "/api/secrets", {
      headers: { cookie: owner.cookie, origin: app.baseUrl },
      body: { name: "COOKIE_SET", value },
    });
    expect(ok.status).toBe(201);
  });

  it("names must match ^[A-Z][A-Z0-9_]{0,63}$, and the 400 says so", async () => {
    const list = await call(app, "GET", "/api/secrets", { headers: owner.bearer });
    for (const name of ["lower", "1ABC", "_A", "A-B", "A B", "É", "", "A".repeat(65), "__PROTO__x"]) {
      const res = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name, value: "v" } });
      expect(res.status, name).toBe(400);
      expect(res.body.error).toBe("invalid_body");
      expect(res.body.message).toContain("^[A-Z][A-Z0-9_]{0,63}$");
      expect(res.body.issues[0].path).toEqual(["name"]);
    }
    const longest = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: `A${"_9".repeat(31)}B`, value: "v" } });
    expect(longest.status).toBe(201);
    expect((await call(app, "DELETE", `/api/secrets/${longest.body.name}`, { headers: owner.bearer })).status).toBe(204);
    expect((await call(app, "GET", "/api/secrets", { headers: owner.bearer })).body).toEqual(list.body);
  });

  it("values are strings of at most 64 KiB in UTF-8", async () => {
    const exact = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "BIG", value: "x".repeat(65_536) } });
    expect(exact.status).toBe(201);
    for (const value of ["x".repeat(65_537), "€".repeat(22_000) /* 66 000 bytes in 22 000 characters */]) {
      const res = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "TOO_BIG", value } });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_body");
      expect(res.body.message).toMatch(/65536 bytes/);
    }
    for (const body of [{ name: "NO_VALUE" }, { name: "NUM", value: 5 }, { name: "NUL", value: null }, { value: "v" }, { name: "X", value: "v", extra: 1 }]) {
      const res = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("invalid_body");
      expect(res.body.issues.length).toBeGreaterThan(0);
    }
    const names = (await call(app, "GET", "/api/secrets?limit=100", { headers: owner.bearer })).body.data.map((s: { name: string }) => s.name);
    expect(names).not.toContain("TOO_BIG");
    expect(names).not.toContain("NUM");
  });

  it("lists names and dates ordered by name, in pages", async () => {
    for (const name of ["PAGE_A", "PAGE_B", "PAGE_C"]) {
      expect((await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name, value: uniqueValue() } })).status).toBe(201);
    }
    const all = await call(app, "GET", "/api/secrets?limit=100", { headers: member.bearer });
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    const names = all.body.data.map((s: { name: string }) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["PAGE_A", "PAGE_B", "PAGE_C", "SLACK_TOKEN"]));
    for (const item of all.body.data) expect(Object.keys(item).sort()).toEqual(["createdAt", "name", "updatedAt"]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: { name: string }[]; nextCursor: string | null } } = await call(
        app,
        "GET",
        `/api/secrets?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { headers: apiKey },
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      pages.push(...page.body.data.map((s) => s.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(names);
  });

  it("delete: 204, then gone; unknown name 404 not_found; malformed name 400", async () => {
    await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "TO_DELETE", value: uniqueValue() } });
    expect((await call(app, "DELETE", "/api/secrets/TO_DELETE", { headers: owner.bearer })).status).toBe(204);
    const names = (await call(app, "GET", "/api/secrets?limit=100", { headers: owner.bearer })).body.data.map((s: { name: string }) => s.name);
    expect(names).not.toContain("TO_DELETE");
    const again = await call(app, "DELETE", "/api/secrets/TO_DELETE", { headers: owner.bearer });
    expect(again.status).toBe(404);
    expect(again.body.error).toBe("not_found");
    const malformed = await call(app, "DELETE", "/api/secrets/not-a-name", { headers: owner.bearer });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe("invalid_params");
  });

  it("another organization sees none of them and gets 404 for their names; its own same-named secret is separate", async () => {
    const theirs = await call(app, "GET", "/api/secrets", { headers: stranger.bearer });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual({ data: [], nextCursor: null });
    const del = await call(app, "DELETE", "/api/secrets/SLACK_TOKEN", { headers: stranger.bearer });
    expect(del.status).toBe(404);
    expect(del.body.error).toBe("not_found");
    const own = await call(app, "POST", "/api/secrets", { headers: stranger.bearer, body: { name: "SLACK_TOKEN", value: uniqueValue() } });
    expect(own.status).toBe(201);
    const mine = await call(app, "GET", "/api/secrets?limit=100", { headers: owner.bearer });
    expect(mine.body.data.map((s: { name: string }) => s.name)).toContain("SLACK_TOKEN");
    expect((await call(app, "DELETE", "/api/secrets/SLACK_TOKEN", { headers: stranger.bearer })).status).toBe(204);
    // The first organization's secret is untouched.
    const after = await call(app, "GET", "/api/secrets?limit=100", { headers: owner.bearer });
    expect(after.body.data.map((s: { name: string }) => s.name)).toContain("SLACK_TOKEN");
  });

  it("no credentials → 401 before anything", async () => {
    expect((await call(app, "GET", "/api/secrets")).status).toBe(401);
    expect((await call(app, "POST", "/api/secrets", { body: { name: "ANON", value: "v" } })).status).toBe(401);
  });

  it("values are stored encrypted: no row holds a value in clear", async () => {
    const rows = await app.database.db.select().from(secrets);
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows);
    for (const value of values) expect(dump).not.toContain(value);
  });

  it("getSecretValues decrypts only the organization's own names; a row copied elsewhere does not decrypt", async () => {
    const key = randomBytes(32);
    const org = `org_store_${randomBytes(4).toString("hex")}`;
    const other = `org_store_${randomBytes(4).toString("hex")}`;
    await upsertSecret(app.database.db, key, org, { name: "API_TOKEN", value: "t0ken", actor: "user:test" });
    await upsertSecret(app.database.db, key, org, { name: "OTHER", value: "o", actor: "user:test" });
    const got = await getSecretValues(app.database.db, key, org, ["API_TOKEN", "MISSING", "API_TOKEN"]);
    expect([...got.entries()]).toEqual([["API_TOKEN", "t0ken"]]);
    expect((await getSecretValues(app.database.db, key, other, ["API_TOKEN"])).size).toBe(0);
    expect((await getSecretValues(app.database.db, key, org, [])).size).toBe(0);

    const [row] = await app.database.db
      .select()
      .from(secrets)
      .where(and(eq(secrets.organizationId, org), eq(secrets.name, "API_TOKEN")));
    await app.database.db.insert(secrets).values({ ...row, organizationId: other });
    await expect(getSecretValues(app.database.db, key, other, ["API_TOKEN"])).rejects.toThrow(SecretDecryptionError);
    await app.database.db.update(secrets).set({ ciphertext: row.ciphertext }).where(and(eq(secrets.organizationId, org), eq(secrets.name, "OTHER")));
    await expect(getSecretValues(app.database.db, key, org, ["OTHER"])).rejects.toThrow(SecretDecryptionError);
    await expect(getSecretValues(app.database.db, randomBytes(32), org, ["API_TOKEN"])).rejects.toThrow(SecretDecryptionError);
  });

  it("setting, replacing and deleting a secret logs its name, never its value", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
    const logged: TestApp = {
      ...app,
      api: createControlPlaneApi({ database: app.database, logger, auth: app.auth, baseUrl: app.baseUrl, secretsKey: randomBytes(32), runtime: app.runtime }),
    };
    const value = uniqueValue();
    expect((await call(logged, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "LOGGED", value } })).status).toBe(201);
    expect((await call(logged, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "LOGGED", value: `${value}-2` } })).status).toBe(200);
    expect((await call(logged, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "lower", value } })).status).toBe(400);
    expect((await call(logged, "DELETE", "/api/secrets/LOGGED", { headers: owner.bearer })).status).toBe(204);
    const log = lines.join("");
    expect(log).toContain("LOGGED");
    expect(log).not.toContain(value);
  });

  it("no response of any route ever contains a secret value", async () => {
    const everyone = [owner.bearer, apiKey, member.bearer, admin.bearer, stranger.bearer];
    const workflow = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "uses secrets" } });
    const reads = ["/api/me", "/api/secrets?limit=100", "/api/keys", "/api/workflows", "/api/connectors", "/api/connectors?detail=full"];
    if (workflow.status === 201) reads.push(`/api/workflows/${workflow.body.id}`, `/api/workflows/${workflow.body.id}/versions`);
    for (const headers of everyone) for (const path of reads) await call(app, "GET", path, { headers });
    await call(app, "GET", "/api/openapi.json");
    await call(app, "GET", "/api/health");
    await call(app, "GET", "/api/auth/get-session", { headers: owner.bearer });
    await call(app, "GET", `/api/secrets/${"SLACK_TOKEN"}`, { headers: owner.bearer });

    // A run whose blocks echo secrets back and fail with one in a URL host, read over real HTTP.
    const used = await readsOfARunUsingSecrets(app, owner, apiKey);
    seen.push(...used.texts.map((t) => t.text));

    expect(values.length).toBeGreaterThan(5);
    expect(seen.length).toBeGreaterThan(50);
    const everything = seen.join("\n");
    for (const value of values) expect(everything).not.toContain(value);
    // Sanity: the recorder does see what routes return.
    expect(everything).toContain("SLACK_TOKEN");
    for (const { what, text } of used.texts) {
      for (const secret of used.secrets) expect(secretFormsIn(text, secret), `${what}: forms of ${JSON.stringify(secret)}`).toEqual([]);
    }
  });
});
