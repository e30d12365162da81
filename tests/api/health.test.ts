import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createControlPlaneApi, type ControlPlaneApi } from "@/lib/api";
import pkg from "@/package.json";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
let api: ControlPlaneApi;
beforeAll(async () => {
  t = await createTestDatabase();
  api = createControlPlaneApi({ database: t, logger: pino({ level: "silent" }) });
});
afterAll(async () => {
  await t?.drop();
});

describe("health and errors", () => {
  it("GET /api/health answers 200 with the status and the package version", async () => {
    const res = await api.request("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", version: pkg.version });
  });

  it("an unknown route is a JSON 404 with a stable code", async () => {
    const res = await api.request("/api/nope", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });

  it("two instances share no state", async () => {
    const other = createControlPlaneApi({ database: t, logger: pino({ level: "silent" }) });
    expect(other).not.toBe(api);
    expect((await other.request("/api/health")).status).toBe(200);
  });
});
