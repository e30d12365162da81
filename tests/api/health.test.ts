import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "@/package.json";
import { call, createTestApp, signUp, type TestApp } from "../helpers/api";

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe("health and unknown routes", () => {
  it("GET /api/health answers 200 with the status and the package version, without credentials", async () => {
    const res = await call(app, "GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", version: pkg.version });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("an unknown route answers 401 without credentials (nothing is revealed) and a JSON 404 with them", async () => {
    expect((await call(app, "POST", "/api/nope")).body).toMatchObject({ error: "unauthorized" });
    const user = await signUp(app);
    const res = await call(app, "GET", "/api/nope", { headers: user.bearer });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "not_found" });
  });
});
