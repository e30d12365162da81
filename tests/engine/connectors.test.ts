import { describe, expect, it } from "vitest";
import type { ConnectorContext } from "@/lib/engine/connector";
import { compare } from "@/lib/connectors/condition";
import { connectorRegistry } from "@/lib/connectors";

function context(): ConnectorContext & { lines: [string, string][] } {
  const lines: [string, string][] = [];
  return { runId: "run_1", blockId: "b", organizationId: "org", signal: new AbortController().signal, lines, log: (level, message) => lines.push([level, message]) };
}

async function run(type: string, params: Record<string, unknown>) {
  const connector = connectorRegistry.get(type)!;
  const ctx = context();
  const output = await connector.run!(ctx, connector.params.parse(params));
  return { output, lines: ctx.lines };
}

describe("built-in connectors that run without I/O", () => {
  it("greet says hello", async () => {
    expect((await run("greet", { name: "Ada" })).output).toEqual({ message: "Hello, Ada!" });
  });

  it("condition compares numbers that arrive as strings as numbers", async () => {
    expect(compare("10", "gt", 9)).toBe(true);
    expect(compare("10", "gt", "9")).toBe(true); // numerically, not as text
    expect(compare("abc", "gt", "abd")).toBe(false);
    expect(compare(50, "gte", "50")).toBe(true);
    expect(compare("5", "eq", 5)).toBe(true);
    expect(compare({ a: 1 }, "eq", { a: 1 })).toBe(true);
    expect(compare("hello world", "contains", "world")).toBe(true);
    expect(compare([1, 2, 3], "contains", "2")).toBe(true);
    expect(compare("hello", "starts_with", "he")).toBe(true);
    expect(compare(null, "exists")).toBe(false);
    expect(compare(0, "exists")).toBe(true);
    expect(compare([], "empty")).toBe(true);
    expect(compare({}, "empty")).toBe(true);
    expect(compare(" ", "empty")).toBe(false);
    expect(compare(1, "neq", 2)).toBe(true);
    expect(compare(3, "lt", 4)).toBe(true);
    expect(compare(4, "lte", 4)).toBe(true);
  });

  it("condition takes the true or false handle", async () => {
    expect((await run("condition", { left: 60, op: "gte", right: 50 })).output).toEqual({ branch: "true", output: { result: true } });
    expect((await run("condition", { left: "40", op: "gte", right: 50 })).output).toEqual({ branch: "false", output: { result: false } });
  });

  it("switch takes the first matching case, else default", async () => {
    const cases = [
      { handle: "eu", equals: "eu" },
      { handle: "n5", equals: 5 },
    ];
    expect((await run("switch", { value: "eu", cases })).output).toMatchObject({ branch: "eu" });
    expect((await run("switch", { value: "5", cases })).output).toMatchObject({ branch: "n5" });
    expect((await run("switch", { value: "us", cases })).output).toMatchObject({ branch: "default" });
    expect(connectorRegistry.get("switch")!.params.safeParse({ value: 1, cases: [{ handle: "default", equals: 1 }] }).success).toBe(false);
  });

  it("transform returns its value and log writes one entry", async () => {
    expect((await run("transform", { value: { a: [1, { b: null }] } })).output).toEqual({ value: { a: [1, { b: null }] } });
    const logged = await run("log", { message: "hi", level: "warn" });
    expect(logged.output).toEqual({ message: "hi" });
    expect(logged.lines).toEqual([["warn", "hi"]]);
  });
});
