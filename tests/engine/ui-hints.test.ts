/**
 * Editor hints on connector params: every built-in param declares one, the full catalog shows
 * them (label, widget, options of selects), the summary stays without them, hidden params never
 * leak one, and params without a hint get a derived label and widget.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalogEntryFull, catalogEntrySummary, labelFromName } from "@/lib/engine/catalog";
import { createRegistry, defineConnector, PARAM_WIDGETS, paramUi, paramVisibility, ui } from "@/lib/engine/connector";
import { builtinConnectors, connectorRegistry } from "@/lib/connectors";

function testConnector(params: z.ZodObject) {
  return defineConnector({ type: "ui_test", name: "UI test", description: "A test connector.", category: "test", kind: "action", params, outputs: z.object({}) });
}

describe("ui hints in the full catalog", () => {
  it("every visible param of every built-in connector declares a hint and shows a label and a known widget", () => {
    let count = 0;
    for (const connector of builtinConnectors) {
      const shape = connector.params.shape as Record<string, z.ZodType>;
      for (const param of catalogEntryFull(connector).params) {
        const where = `${connector.type}.${param.name}`;
        expect(paramUi(shape[param.name]), where).toBeDefined();
        expect(param.ui.label, where).toMatch(/\S/);
        expect(PARAM_WIDGETS, where).toContain(param.ui.widget);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(20);
  });

  it("shows the declared hints of http_request, with advanced params marked", () => {
    const params = Object.fromEntries(catalogEntryFull(connectorRegistry.get("http_request")!).params.map((p) => [p.name, p.ui]));
    expect(params).toEqual({
      method: { label: "Method", widget: "select", options: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] },
      url: { label: "URL", widget: "text", placeholder: expect.stringMatching(/^https:\/\//) },
      headers: { label: "Headers", widget: "key_value" },
      query: { label: "Query parameters", widget: "key_value" },
      auth: { label: "Authentication", widget: "json", placeholder: expect.stringContaining("{{secrets.API_TOKEN}}") },
      body: { label: "Body", widget: "json", placeholder: expect.any(String) },
      body_type: { label: "Body type", widget: "select", options: ["json", "form", "text"], advanced: true },
      response_type: { label: "Response type", widget: "select", options: ["auto", "json", "text"], advanced: true },
      timeout_ms: { label: "Timeout (ms)", widget: "number", placeholder: "30000", advanced: true },
      retries: { label: "Retries", widget: "number", placeholder: "0", advanced: true },
      max_response_bytes: { label: "Max response bytes", widget: "number", placeholder: "5242880", advanced: true },
      fail_on_status: { label: "Fail on a non-2xx status", widget: "boolean", advanced: true },
    });
    const waitForEvent = catalogEntryFull(connectorRegistry.get("wait_for_event")!).params;
    expect(waitForEvent.find((p) => p.name === "timeout_seconds")?.ui.advanced).toBe(true);
    expect(waitForEvent.find((p) => p.name === "event")?.ui.advanced).toBeUndefined();
    expect(catalogEntryFull(connectorRegistry.get("log")!).params.find((p) => p.name === "message")?.ui.widget).toBe("textarea");
  });

  it("every select lists exactly its enum's values as options", () => {
    let selects = 0;
    for (const connector of builtinConnectors) {
      const entry = catalogEntryFull(connector);
      const properties = entry.paramsSchema.properties as Record<string, { enum?: unknown[] }>;
      for (const param of entry.params) {
        if (param.ui.widget !== "select") {
          expect(param.ui.options, `${connector.type}.${param.name}`).toBeUndefined();
          continue;
        }
        selects++;
        expect(properties[param.name].enum, `${connector.type}.${param.name}`).toBeDefined();
        expect(param.ui.options).toEqual(properties[param.name].enum);
      }
    }
    expect(selects).toBe(6); // http_request.method, body_type, response_type, send_email.tls, condition.op, log.level
  });

  it("keeps hints out of the summary catalog and out of the params JSON schema", () => {
    for (const connector of builtinConnectors) {
      const summary = catalogEntrySummary(connector);
      expect(summary.params.every((p) => typeof p === "string"), connector.type).toBe(true);
      expect(JSON.stringify(summary), connector.type).not.toMatch(/"ui"|"label"|"widget"/);
      expect(JSON.stringify(catalogEntryFull(connector).paramsSchema), connector.type).not.toMatch(/"ui"|"widget"/);
    }
    expect(catalogEntrySummary(connectorRegistry.get("greet")!)).toEqual({
      type: "greet",
      name: "Greet",
      kind: "action",
      description: "Builds a greeting for a name.",
      params: ["name*: string"],
      outputs: ["message"],
      handles: ["error"],
    });
  });

  it("never shows the hint of a hidden param", () => {
    const connector = testConnector(
      z.object({
        shown: z.string().meta(ui({ label: "Shown label" })),
        operator_token: z.string().optional().meta({ visibility: "hidden", ...ui({ label: "Zebra-operator-label", placeholder: "zebra-placeholder" }) }),
      }),
    );
    expect(paramVisibility(connector.params.shape.operator_token)).toBe("hidden");
    const text = JSON.stringify([catalogEntryFull(connector), catalogEntrySummary(connector)]);
    expect(text).toContain("Shown label");
    expect(text).not.toMatch(/zebra|operator_token/i);
  });
});

describe("derived hints", () => {
  it("a param without a hint gets a label from its name and a widget from its zod type", () => {
    const connector = testConnector(
      z.object({
        timeout_ms: z.number().int().optional(),
        mode: z.enum(["fast", "safe"]).default("safe"),
        enabled: z.boolean().optional(),
        title: z.string(),
        headers: z.record(z.string(), z.string()).optional(),
        mixed: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        payload: z.object({ a: z.string() }),
        anything: z.unknown(),
        items: z.array(z.string()),
        receivedAt: z.string().nullable(),
      }),
    );
    const uiOf = Object.fromEntries(catalogEntryFull(connector).params.map((p) => [p.name, p.ui]));
    expect(uiOf).toEqual({
      timeout_ms: { label: "Timeout ms", widget: "number" },
      mode: { label: "Mode", widget: "select", options: ["fast", "safe"] },
      enabled: { label: "Enabled", widget: "boolean" },
      title: { label: "Title", widget: "text" },
      headers: { label: "Headers", widget: "key_value" },
      mixed: { label: "Mixed", widget: "json" },
      payload: { label: "Payload", widget: "json" },
      anything: { label: "Anything", widget: "json" },
      items: { label: "Items", widget: "json" },
      receivedAt: { label: "Received at", widget: "text" },
    });
  });

  it("a hint without a widget keeps its label and gets the derived widget; a code hint keeps its language", () => {
    const connector = testConnector(
      z.object({
        level: z.enum(["a", "b"]).describe("Level").meta(ui({ label: "Log level", advanced: true })),
        script: z.string().meta(ui({ label: "Script", widget: "code", language: "javascript" })),
        token: z.string().meta(ui({ label: "API token", widget: "secret", placeholder: "{{secrets.TOKEN}}" })),
      }),
    );
    const [level, script, token] = catalogEntryFull(connector).params;
    expect(level).toMatchObject({ description: "Level", ui: { label: "Log level", widget: "select", options: ["a", "b"], advanced: true } });
    expect(script.ui).toEqual({ label: "Script", widget: "code", language: "javascript" });
    expect(token.ui).toEqual({ label: "API token", widget: "secret", placeholder: "{{secrets.TOKEN}}" });
  });

  it("labelFromName turns snake_case and camelCase into a sentence-case label", () => {
    expect(labelFromName("timeout_ms")).toBe("Timeout ms");
    expect(labelFromName("fail_on_status")).toBe("Fail on status");
    expect(labelFromName("receivedAt")).toBe("Received at");
    expect(labelFromName("x")).toBe("X");
  });
});

describe("ui hints are checked at start-up", () => {
  const bad: [string, z.ZodObject, RegExp][] = [
    ["select on a non-enum", z.object({ a: z.string().meta(ui({ label: "A", widget: "select" })) }), /select widget needs a z.enum/],
    ["empty label", z.object({ a: z.string().meta(ui({ label: " " })) }), /needs a label/],
    // Hand-written `.meta({ ui })` (not through `ui()`) is not type-checked against ParamUi: the registry checks it.
    ["code without a language", z.object({ a: z.string().meta({ ui: { label: "A", widget: "code" } }) }), /code widget needs a language/],
    ["unknown widget", z.object({ a: z.string().meta({ ui: { label: "A", widget: "slider" } }) }), /unknown widget "slider"/],
    ["language off a code widget", z.object({ a: z.string().meta({ ui: { label: "A", widget: "text", language: "json" } }) }), /only a code widget/],
  ];
  for (const [what, params, error] of bad) {
    it(`refuses a registry with a param hint: ${what}`, () => {
      expect(() => createRegistry([testConnector(params)])).toThrow(error);
    });
  }

  it("accepts the built-in connectors and a select on an optional enum", () => {
    expect(() => createRegistry(builtinConnectors)).not.toThrow();
    expect(() => createRegistry([testConnector(z.object({ a: z.enum(["x"]).optional().meta(ui({ label: "A", widget: "select" })) }))])).not.toThrow();
  });
});
