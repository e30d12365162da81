/** Code-defined webhook routes (lib/api/code-webhooks.ts): what may be registered, and when. */
import { describe, expect, it } from "vitest";
import { createCodeWebhookRegistry } from "@/lib/api/code-webhooks";

const handler = () => new Response("ok");

describe("createCodeWebhookRegistry", () => {
  it("matches an exact (method, path); another method of a known path is method_not_allowed with the allowed ones", () => {
    const registry = createCodeWebhookRegistry();
    registry.register({ path: "/github/push", method: "post", handler });
    registry.register({ path: "/github/push", method: "PUT", handler });
    expect(registry.match("POST", "/github/push")).toEqual({ kind: "route", handler });
    expect(registry.match("GET", "/github/push")).toEqual({ kind: "method_not_allowed", allow: ["POST", "PUT"] });
    expect(registry.match("POST", "/github/push/")).toBeNull();
    expect(registry.match("POST", "/github")).toBeNull();
  });

  it("throws on a duplicate (method, path), whatever the case of the method", () => {
    const registry = createCodeWebhookRegistry();
    registry.register({ path: "/a", method: "POST", handler });
    expect(() => registry.register({ path: "/a", method: "post", handler })).toThrow(/already registered/);
  });

  it("refuses paths that do not start with /, contain .., are in the tenant namespace, or are not plain", () => {
    const registry = createCodeWebhookRegistry();
    for (const path of ["a", "", "/", "/a/../b", "/..", "/a..b", "/.", "/a/", "//a", "/a b", "/a?b=1", "/a#b", "/whk_abc", "/whk_aaaaaaaaaaaaaaaaaaaa", "/%2e%2e", `/${"a".repeat(200)}`]) {
      expect(() => registry.register({ path, method: "POST", handler }), path).toThrow();
    }
    expect(() => registry.register({ path: "/hooks/whk_inner", method: "POST", handler })).not.toThrow();
  });

  it("refuses unknown methods and missing handlers", () => {
    const registry = createCodeWebhookRegistry();
    expect(() => registry.register({ path: "/a", method: "TRACE", handler })).toThrow(/method/);
    expect(() => registry.register({ path: "/a", method: "POST", handler: undefined as unknown as typeof handler })).toThrow(/handler/);
  });

  it("is start-up only: after the first match (or seal), register throws", () => {
    const registry = createCodeWebhookRegistry();
    registry.register({ path: "/a", method: "POST", handler });
    registry.match("POST", "/nothing");
    expect(() => registry.register({ path: "/b", method: "POST", handler })).toThrow(/start-up/);
    const sealed = createCodeWebhookRegistry();
    sealed.seal();
    expect(() => sealed.register({ path: "/b", method: "POST", handler })).toThrow(/start-up/);
  });
});
