/**
 * What a connector declares for the runtime (`wait`, `operatorParams`) is checked when the
 * registry is built, so a connector the runtime could not run as declared never starts.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { builtinConnectors, connectorRegistry } from "@/lib/connectors";
import { createRegistry, defineConnector, paramVisibility, type AnyConnector } from "@/lib/engine/connector";

const base = {
  type: "decl_test",
  name: "Declarations test",
  description: "A test connector.",
  category: "test",
  outputs: z.object({}),
};

const action = (params: z.ZodObject, operatorParams: Record<string, () => unknown>): AnyConnector =>
  defineConnector({ ...base, kind: "action", params, operatorParams, run: async () => ({}) });

describe("operator params", () => {
  it.each(["http_request", "llm_chat", "send_email"])("%s declares allow_private_network, a hidden param, as its only operator param", (type) => {
    const connector = connectorRegistry.get(type)!;
    expect(Object.keys(connector.operatorParams ?? {})).toEqual(["allow_private_network"]);
    expect(paramVisibility(connector.params.shape.allow_private_network)).toBe("hidden");
    expect(connector.operatorParams?.allow_private_network?.({ allowPrivateHttp: true })).toBe(true);
    expect(connector.operatorParams?.allow_private_network?.({ allowPrivateHttp: false })).toBe(false);
  });

  it("no other built-in connector has operator params", () => {
    expect(builtinConnectors.filter((c) => c.operatorParams).map((c) => c.type).sort()).toEqual(["http_request", "llm_chat", "send_email"]);
  });

  it("a registry refuses an operator param that is not a hidden param of its connector", () => {
    const hidden = z.boolean().optional().meta({ visibility: "hidden" });
    expect(() => createRegistry([action(z.object({ flag: hidden }), { flag: () => true })])).not.toThrow();
    expect(() => createRegistry([action(z.object({ flag: z.boolean().optional() }), { flag: () => true })])).toThrow(
      /operator param "flag" must be a hidden param/,
    );
    const userParam = z.boolean().optional().meta({ visibility: "user" });
    expect(() => createRegistry([action(z.object({ flag: userParam }), { flag: () => true })])).toThrow(/must be a hidden param/);
    expect(() => createRegistry([action(z.object({ flag: hidden }), { missing: () => true })])).toThrow(/operator param "missing"/);
  });
});

describe("wait declarations", () => {
  const seconds = z.object({ seconds: z.number() });
  const duration = { kind: "duration" as const, seconds: (p: { seconds: number }) => p.seconds };

  it("the built-in waits declare their kinds; no other built-in declares a wait", () => {
    expect(connectorRegistry.get("wait_duration")?.wait?.kind).toBe("duration");
    expect(connectorRegistry.get("wait_for_event")?.wait?.kind).toBe("event");
    expect(builtinConnectors.filter((c) => c.wait).map((c) => c.type)).toEqual(["wait_duration", "wait_for_event", "call_workflow"]);
    expect(connectorRegistry.get("call_workflow")?.wait?.kind).toBe("children");
    const waitDuration = connectorRegistry.get("wait_duration")!.wait;
    expect(waitDuration?.kind === "duration" && waitDuration.seconds({ seconds: 42 })).toBe(42);
    const waitFor = connectorRegistry.get("wait_for_event")!.wait;
    expect(waitFor?.kind === "event" && waitFor.match({ event: "paid", key: "k1", timeout_seconds: 5 })).toEqual({
      event: "paid",
      key: "k1",
      timeoutSeconds: 5,
    });
  });

  it("call_workflow's calls: one child with input (default {}); with items, one per item: the item itself, or input with item and item_index", () => {
    const wait = connectorRegistry.get("call_workflow")!.wait;
    if (wait?.kind !== "children") throw new Error("call_workflow declares no children wait");
    expect(wait.calls({ workflow_id: "wf_a" })).toEqual({ workflowId: "wf_a", inputs: [{}], fanOut: false, concurrency: 1 });
    expect(wait.calls({ workflow_id: "wf_a", input: { x: 1 }, concurrency: 9 })).toEqual({ workflowId: "wf_a", inputs: [{ x: 1 }], fanOut: false, concurrency: 1 });
    expect(wait.calls({ workflow_id: "wf_a", items: [{ n: 1 }, "two"] })).toEqual({ workflowId: "wf_a", inputs: [{ n: 1 }, "two"], fanOut: true, concurrency: 5 });
    expect(wait.calls({ workflow_id: "wf_a", items: ["a", "b"], input: { k: true }, concurrency: 2 })).toEqual({
      workflowId: "wf_a",
      inputs: [
        { k: true, item: "a", item_index: 0 },
        { k: true, item: "b", item_index: 1 },
      ],
      fanOut: true,
      concurrency: 2,
    });
    expect(() => wait.calls({ workflow_id: "wf_a", items: ["a"], input: "text" })).toThrow(expect.objectContaining({ code: "invalid_param", message: expect.stringContaining("input must be an object") }));
  });

  it("a registry refuses a wait that the runtime could not run as declared", () => {
    const ok = defineConnector({ ...base, kind: "wait", params: seconds, wait: duration });
    expect(() => createRegistry([ok])).not.toThrow();
    expect(() => createRegistry([{ ...ok, kind: "action" }])).toThrow(/declares a wait but is not of kind "wait"/);
    expect(() => createRegistry([{ ...ok, wait: undefined }])).toThrow(/of kind "wait" but declares no wait/);
    expect(() => createRegistry([{ ...ok, run: async () => ({}) }])).toThrow(/declares no run/);
    const event = defineConnector({
      ...base,
      kind: "wait",
      params: z.object({ name: z.string() }),
      wait: { kind: "event", match: (p) => ({ event: p.name }) },
    });
    expect(() => createRegistry([event])).toThrow(/must declare the "timeout" handle/);
    expect(() => createRegistry([{ ...event, handles: ["timeout"] }])).not.toThrow();
  });
});
