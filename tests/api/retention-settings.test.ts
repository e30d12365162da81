/**
 * `GET/PUT /api/settings/retention` (docs/runs.md, "Retention"): any member reads how long its
 * organization keeps finished runs; owners and admins change it, in whole days from 1 to 3650,
 * or back to the instance default with null. Each organization has its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlaneApi } from "@/lib/api";
import { call, createApiKey, createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";

let app: TestApp;
let owner: TestUser;

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
});
afterAll(async () => {
  await app?.close();
});

const PATH = "/api/settings/retention";

describe("retention settings", () => {
  it("an organization that never chose follows the instance default (30 days unless WEFT_RETENTION_DAYS says otherwise)", async () => {
    const res = await call(app, "GET", PATH, { headers: owner.bearer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retentionDays: 30, defaultRetentionDays: 30, inherited: true, updatedAt: null, updatedBy: null });
  });

  it("an owner sets it; every member and API key of the organization reads it; null goes back to the default", async () => {
    const set = await call(app, "PUT", PATH, { headers: owner.bearer, body: { retentionDays: 7 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ retentionDays: 7, defaultRetentionDays: 30, inherited: false, updatedBy: `user:${owner.userId}` });
    expect(Date.parse(set.body.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const member = await joinOrganization(app, owner, "member");
    const key = await createApiKey(app, owner, "reader");
    for (const headers of [member.bearer, key.headers]) {
      expect((await call(app, "GET", PATH, { headers })).body).toMatchObject({ retentionDays: 7, inherited: false });
    }

    const reset = await call(app, "PUT", PATH, { headers: owner.bearer, body: { retentionDays: null } });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ retentionDays: 30, inherited: true, updatedBy: `user:${owner.userId}` });
  });

  it("an admin may change it; a member or an API key gets 403 forbidden and changes nothing", async () => {
    const admin = await joinOrganization(app, owner, "admin");
    expect((await call(app, "PUT", PATH, { headers: admin.bearer, body: { retentionDays: 90 } })).body).toMatchObject({ retentionDays: 90 });
    const member = await joinOrganization(app, owner, "member");
    const key = await createApiKey(app, owner, "writer");
    for (const headers of [member.bearer, key.headers]) {
      const refused = await call(app, "PUT", PATH, { headers, body: { retentionDays: 1 } });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe("forbidden");
    }
    expect((await call(app, "GET", PATH, { headers: owner.bearer })).body.retentionDays).toBe(90);
  });

  it("a value that is not a whole number of days from 1 to 3650 (or null) is 400 invalid_body naming the field, and changes nothing", async () => {
    await call(app, "PUT", PATH, { headers: owner.bearer, body: { retentionDays: 14 } });
    const bad: unknown[] = [{ retentionDays: 0 }, { retentionDays: -3 }, { retentionDays: 3651 }, { retentionDays: 1.5 }, { retentionDays: "30" }, {}, { retentionDays: 30, extra: true }, []];
    for (const body of bad) {
      const res = await call(app, "PUT", PATH, { headers: owner.bearer, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("invalid_body");
      expect(res.body.issues.length).toBeGreaterThan(0);
    }
    expect((await call(app, "PUT", PATH, { headers: owner.bearer, body: { retentionDays: 0 } })).body.issues[0]).toMatchObject({ path: ["retentionDays"] });
    expect((await call(app, "PUT", PATH, { rawBody: "{", headers: { ...owner.bearer, "content-type": "application/json" } })).status).toBe(400);
    expect((await call(app, "GET", PATH, { headers: owner.bearer })).body.retentionDays).toBe(14);
    for (const days of [1, 3650]) expect((await call(app, "PUT", PATH, { headers: owner.bearer, body: { retentionDays: days } })).status).toBe(200);
  });

  it("each organization has its own: one's change is not another's", async () => {
    const other = await signUp(app);
    await call(app, "PUT", PATH, { headers: owner.bearer, body: { retentionDays: 3 } });
    expect((await call(app, "GET", PATH, { headers: other.bearer })).body).toMatchObject({ retentionDays: 30, inherited: true });
    await call(app, "PUT", PATH, { headers: other.bearer, body: { retentionDays: 60 } });
    expect((await call(app, "GET", PATH, { headers: owner.bearer })).body.retentionDays).toBe(3);
  });

  it("shows the instance default the control plane was built with", async () => {
    const api = createControlPlaneApi({
      database: app.database,
      schema: app.database.schema,
      logger: app.logger,
      auth: app.auth,
      baseUrl: app.baseUrl,
      secretsKey: app.secretsKey,
      runtime: app.runtime,
      retentionDays: 45,
    });
    const other = await signUp(app);
    const res = await api.request(PATH, { headers: other.bearer });
    expect(await res.json()).toMatchObject({ retentionDays: 45, defaultRetentionDays: 45, inherited: true });
  });
});
