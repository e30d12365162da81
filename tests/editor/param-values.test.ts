import { describe, expect, it } from "vitest";
import {
  jsonTextOf,
  paramsDiff,
  parseJson,
  parseNumber,
  parseParamsObject,
  parseRows,
  parseText,
  rowsOf,
  variableText,
  variableValue,
} from "@/app/(app)/workflows/[id]/editor/param-values";

describe("text and number fields", () => {
  it("an emptied field removes the param", () => {
    expect(parseText("")).toEqual({ ok: true, value: null });
    expect(parseNumber("  ")).toEqual({ ok: true, value: null });
  });

  it("a number field sends numbers and templates, and refuses anything else", () => {
    expect(parseNumber("1200")).toEqual({ ok: true, value: 1200 });
    expect(parseNumber("-1.5e3")).toEqual({ ok: true, value: -1500 });
    expect(parseNumber("{{vars.limit}}")).toEqual({ ok: true, value: "{{vars.limit}}" });
    expect(parseNumber("12a").ok).toBe(false);
    expect(parseNumber("0x10").ok).toBe(false);
    expect(parseNumber("Infinity").ok).toBe(false);
  });
});

describe("JSON fields", () => {
  it("invalid JSON is not sent, with a short reason", () => {
    const parsed = parseJson('{"a": }', false);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).not.toContain('"{"a": }" is not valid JSON');
  });

  it("sends the parsed value, the text for code kept as text, and one whole template as it is", () => {
    expect(parseJson('{"a": [1]}', false)).toEqual({ ok: true, value: { a: [1] } });
    expect(parseJson('{"a": 1}', true)).toEqual({ ok: true, value: '{"a": 1}' });
    expect(parseJson("{{trigger.body}}", false)).toEqual({ ok: true, value: "{{trigger.body}}" });
    expect(parseJson("", false)).toEqual({ ok: true, value: null });
  });

  it("shows a whole template unquoted and anything else as pretty JSON", () => {
    expect(jsonTextOf("{{trigger.body}}", false)).toBe("{{trigger.body}}");
    expect(jsonTextOf("hello", false)).toBe('"hello"');
    expect(jsonTextOf({ a: 1 }, false)).toBe('{\n  "a": 1\n}');
    expect(jsonTextOf(undefined, false)).toBe("");
  });
});

describe("key_value rows", () => {
  it("round-trips a record, keeping a non-string value until its row is edited", () => {
    const rows = rowsOf({ Accept: "json", Count: 3 });
    expect(parseRows(rows)).toEqual({ ok: true, value: { Accept: "json", Count: 3 } });
    const edited = rows.map((row) => (row.name === "Count" ? { ...row, value: "4" } : row));
    expect(parseRows(edited)).toEqual({ ok: true, value: { Accept: "json", Count: "4" } });
  });

  it("leaves unnamed rows out, removes the param when no row is named, and refuses duplicate or forbidden names", () => {
    expect(parseRows([{ id: 1, name: "", value: "x" }])).toEqual({ ok: true, value: null });
    expect(parseRows([{ id: 1, name: "a", value: "1" }, { id: 2, name: " a ", value: "2" }]).ok).toBe(false);
    expect(parseRows([{ id: 1, name: "__proto__", value: "1" }]).ok).toBe(false);
  });
});

describe("JSON mode", () => {
  it("a diff has the changed and new keys, and removed keys as null", () => {
    expect(paramsDiff({ a: 1, b: { c: 2 }, gone: true }, { a: 1, b: { c: 3 }, added: "x" })).toEqual({ b: { c: 3 }, added: "x", gone: null });
    expect(paramsDiff({ a: [1] }, { a: [1] })).toEqual({});
  });

  it("params must be one object without forbidden keys", () => {
    expect(parseParamsObject("[1]").ok).toBe(false);
    expect(parseParamsObject('{"__proto__": 1}').ok).toBe(false);
    expect(parseParamsObject('{"x": 1}')).toEqual({ ok: true, value: { x: 1 } });
  });
});

describe("variables", () => {
  it("reads JSON as JSON and anything else as text, and shows each so it reads back the same", () => {
    for (const value of [3, true, { a: [1] }, "eu", "3", "true", ""]) expect(variableValue(variableText(value))).toEqual(value);
    expect(variableText("eu")).toBe("eu");
    expect(variableText("3")).toBe('"3"');
    expect(variableValue("null")).toBe("null");
  });
});
