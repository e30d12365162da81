import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestContext } from "@/lib/api/middleware";
import type { AppEnv } from "@/lib/api/context";
import { createLogger } from "@/lib/log";
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

describe("the request id", () => {
  it("a well-formed x-request-id from the client comes back on answers and errors alike; a malformed one is replaced", async () => {
    const id = { "x-request-id": "trace-42.a_b" };
    expect((await call(app, "GET", "/api/health", { headers: id })).headers.get("x-request-id")).toBe("trace-42.a_b");
    const unauthorized = await call(app, "POST", "/api/nope", { headers: id });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("x-request-id")).toBe("trace-42.a_b");
    const user = await signUp(app);
    const missing = await call(app, "GET", "/api/workflows/wf_missing", { headers: { ...user.bearer, ...id } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toBe("trace-42.a_b");
    const replaced = (await call(app, "GET", "/api/health", { headers: { "x-request-id": "no spaces!" } })).headers.get("x-request-id");
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a Response a handler builds itself carries the request id too, once", async () => {
    const probe = new Hono<AppEnv>();
    probe.use("*", requestContext(createLogger("silent")));
    probe.get("/raw", () => new Response("raw", { headers: { "content-type": "text/plain" } }));
    probe.get("/json", (c) => c.json({ ok: true }));
    for (const path of ["/raw", "/json"]) {
      const res = await probe.request(path, { headers: { "x-request-id": "probe-1" } });
      expect(res.headers.get("x-request-id"), path).toBe("probe-1");
      expect(await res.text(), path).toBe(path === "/raw" ? "raw" : '{"ok":true}');
    }
  });
});
