import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalogEntryFull, catalogEntrySummary } from "@/lib/engine/catalog";
import { blockHandles, createRegistry, defineConnector, paramVisibility } from "@/lib/engine/connector";
import { builtinConnectors, connectorRegistry } from "@/lib/connectors";

const BUILTINS = [
  "trigger_manual",
  "trigger_webhook",
  "trigger_schedule",
  "http_request",
  "respond_webhook",
  "send_email",
  "llm_chat",
  "condition",
  "switch",
  "transform",
  "code",
  "log",
  "wait_duration",
  "wait_for_event",
  "call_workflow",
  "greet",
];

describe("connector registry and catalog", () => {
  it("registers every built-in connector of the design", () => {
    expect(connectorRegistry.types().sort()).toEqual([...BUILTINS].sort());
  });

  it("never shows a hidden param in the full or summary catalog", () => {
    const http = connectorRegistry.get("http_request")!;
    expect(paramVisibility(http.params.shape.allow_private_network)).toBe("hidden");
    for (const connector of builtinConnectors) {
      const text = JSON.stringify([catalogEntryFull(connector), catalogEntrySummary(connector)]);
      expect(text).not.toContain("allow_private_network");
    }
    expect(catalogEntryFull(http).params.map((p) => p.name)).toEqual([
      "method",
      "url",
      "headers",
      "query",
      "auth",
      "body",
      "body_type",
      "response_type",
      "timeout_ms",
      "retries",
      "max_response_bytes",
      "fail_on_status",
    ]);
  });

  it("marks required params and their types in the summary", () => {
    const summary = catalogEntrySummary(connectorRegistry.get("http_request")!);
    expect(summary.params).toContain("url*: string");
    expect(summary.params).toContain("timeout_ms: number");
    expect(summary.params.find((p) => p.startsWith("method*"))).toMatch(/^method\*: enum\(GET\|POST/);
    expect(summary.description).not.toContain("\n");
    expect(summary.outputs).toEqual(["status", "headers", "body"]);
  });

  it("lists handles: branches for logic blocks, error for actions and waits, timeout for wait_for_event", () => {
    expect(blockHandles(connectorRegistry.get("condition")!)).toEqual(["true", "false"]);
    expect(blockHandles(connectorRegistry.get("greet")!)).toEqual(["error"]);
    expect(blockHandles(connectorRegistry.get("wait_for_event")!)).toEqual(["timeout", "error"]);
    expect(blockHandles(connectorRegistry.get("trigger_manual")!)).toEqual([]);
    const sw = connectorRegistry.get("switch")!;
    expect(blockHandles(sw, { cases: [{ handle: "eu", equals: "eu" }, { handle: "us", equals: "us" }] })).toEqual(["default", "eu", "us"]);
    expect(catalogEntryFull(sw).dynamicHandles).toContain("cases");
  });

  it("gives a JSON schema of the settable params", () => {
    const full = catalogEntryFull(connectorRegistry.get("greet")!);
    expect(full.paramsSchema).toMatchObject({ type: "object", required: ["name"], properties: { name: { type: "string" } } });
    expect(full.openOutputs).toBe(false);
    expect(catalogEntryFull(connectorRegistry.get("trigger_manual")!).openOutputs).toBe(true);
  });

  it("marks a param that takes no templates (code's code) with templates: false, outside its JSON schema", () => {
    const full = catalogEntryFull(connectorRegistry.get("code")!);
    expect(full.params.map((p) => [p.name, p.templates])).toEqual([
      ["code", false],
      ["input", undefined],
      ["timeoutMs", undefined],
      ["memoryMb", undefined],
    ]);
    expect(full.params[0].ui).toMatchObject({ widget: "code", language: "javascript" });
    expect((full.paramsSchema.properties as Record<string, object>).code).not.toHaveProperty("templates");
    expect(catalogEntrySummary(connectorRegistry.get("code")!)).toMatchObject({
      params: ["code*: string", "input: any", "timeoutMs: number", "memoryMb: number"],
      outputs: ["value"],
      handles: ["error"],
    });
  });

  it("shows user params with their visibility and refuses bad registries at start-up", () => {
    const custom = defineConnector({
      type: "custom_thing",
      name: "Custom",
      description: "A test connector. It has a user param.",
      category: "test",
      kind: "action",
      params: z.object({ a: z.string(), owner: z.string().optional().meta({ visibility: "user" }) }),
      outputs: z.object({}),
    });
    const entry = catalogEntryFull(custom);
    expect(entry.params.map((p) => [p.name, p.visibility])).toEqual([
      ["a", "llm"],
      ["owner", "user"],
    ]);
    expect(catalogEntrySummary(custom).description).toBe("A test connector.");
    expect(() => createRegistry([custom, custom])).toThrow(/registered twice/);
    expect(() => createRegistry([{ ...custom, type: "Bad Type" }])).toThrow(/snake_case/);
    expect(() => createRegistry([{ ...custom, params: z.object({ constructor: z.string() }) }])).toThrow(/forbidden/);
  });
});

describe("call_workflow in the catalog", () => {
  it("marks workflow_id as a reference to a workflow of the organization, describes every param, and keeps the tag out of the JSON schema", () => {
    const entry = catalogEntryFull(connectorRegistry.get("call_workflow")!);
    expect(entry.kind).toBe("wait");
    expect(entry.params.map((p) => p.name)).toEqual(["workflow_id", "input", "items", "concurrency"]);
    expect(entry.params.find((p) => p.name === "workflow_id")).toMatchObject({ required: true, references: "workflow", ui: { label: "Workflow", widget: "text", placeholder: "wf_…" } });
    expect(entry.params.filter((p) => p.name !== "workflow_id").every((p) => p.references === undefined && !p.required)).toBe(true);
    for (const param of entry.params) expect(param.description?.length ?? 0).toBeGreaterThan(40);
    expect(entry.params.find((p) => p.name === "concurrency")?.ui).toMatchObject({ widget: "number", advanced: true });
    expect(JSON.stringify(entry.paramsSchema)).not.toContain("references");
    expect(entry.outputs.map((o) => o.name)).toEqual(["runId", "status", "output", "results"]);
    expect(entry.handles).toEqual(["error"]);
    // The summary's one line is the first sentence, whole.
    expect(catalogEntrySummary(connectorRegistry.get("call_workflow")!).description).toBe(
      "Runs another workflow of this organization as a child run and waits for it; its output is the child run's output, read as {{<thisBlockId>.output.<childBlockId>.<field>}}.",
    );
  });
});
