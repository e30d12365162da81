import { describe, expect, it } from "vitest";
import { containsTemplate, filterSuggestions, insertTemplate, isWholeTemplate, openTemplateAt } from "@/app/(app)/workflows/[id]/editor/template-text";
import type { TemplateSuggestion } from "@/app/(app)/workflows/[id]/editor/types";

describe("openTemplateAt", () => {
  it("finds the {{ the caret is in, and what is typed after it", () => {
    expect(openTemplateAt("Hi {{trig", 9)).toEqual({ start: 3, query: "trig" });
    expect(openTemplateAt("Hi {{ trig", 10)).toEqual({ start: 3, query: "trig" });
    expect(openTemplateAt("{{", 2)).toEqual({ start: 0, query: "" });
  });

  it("finds none after a closed template, before any {{, or across a line break", () => {
    expect(openTemplateAt("{{a.b}} and", 11)).toBeNull();
    expect(openTemplateAt("plain text", 5)).toBeNull();
    expect(openTemplateAt("{{a\nb", 5)).toBeNull();
  });
});

describe("filterSuggestions", () => {
  const list: TemplateSuggestion[] = [
    { group: "block", insert: "fetch.body" },
    { group: "trigger", insert: "trigger.body" },
    { group: "variable", insert: "vars.body_size" },
  ];

  it("keeps every suggestion for an empty query, and puts prefix matches first, in any case", () => {
    expect(filterSuggestions(list, "")).toEqual(list);
    expect(filterSuggestions(list, "TRIG").map((s) => s.insert)).toEqual(["trigger.body"]);
    expect(filterSuggestions(list, "vars").map((s) => s.insert)).toEqual(["vars.body_size"]);
    expect(filterSuggestions(list, "body").map((s) => s.insert)).toEqual(["fetch.body", "trigger.body", "vars.body_size"]);
    expect(filterSuggestions(list, "b").map((s) => s.insert)[0]).toBe("fetch.body");
  });
});

describe("insertTemplate", () => {
  it("replaces what was typed after {{ with the path and puts the caret after }}", () => {
    expect(insertTemplate("Hi {{tri!", 3, 8, "trigger.name")).toEqual({ text: "Hi {{trigger.name}}!", caret: 19 });
  });

  it("replaces the rest of a template the caret was inside, so no }} is doubled", () => {
    expect(insertTemplate("a {{tri}} b", 2, 7, "trigger.x")).toEqual({ text: "a {{trigger.x}} b", caret: 15 });
    expect(insertTemplate("{{fe.old.path}}", 0, 4, "fetch.status").text).toBe("{{fetch.status}}");
  });

  it("leaves a later template alone", () => {
    expect(insertTemplate("{{tr and {{b}}", 0, 4, "trigger").text).toBe("{{trigger}} and {{b}}");
  });
});

describe("template shapes", () => {
  it("tells one whole template from text containing one", () => {
    expect(isWholeTemplate(" {{trigger.body}} ")).toBe(true);
    expect(isWholeTemplate("x {{trigger.body}}")).toBe(false);
    expect(isWholeTemplate("{{a}}{{b}}")).toBe(false);
    expect(containsTemplate("x {{a}}")).toBe(true);
    expect(containsTemplate("x {{a")).toBe(false);
  });
});

describe("filterSuggestions with a path typed under an open output", () => {
  const list: TemplateSuggestion[] = [
    { group: "block", insert: "trg.body", detail: "any" },
    { group: "block", insert: "trg.query", detail: "object" },
    { group: "trigger", insert: "trigger.body", detail: "any" },
  ];

  it("offers the typed path first, under its longest known parent", () => {
    const found = filterSuggestions(list, "trg.body.name");
    expect(found[0]).toEqual({ group: "block", insert: "trg.body.name", detail: "inside trg.body" });
    expect(found.map((s) => s.insert)).toEqual(["trg.body.name", "trg.body"]);
  });

  it("offers nothing new for a path under no known suggestion, or one already known", () => {
    expect(filterSuggestions(list, "nope.body.name")).toEqual([]);
    expect(filterSuggestions(list, "trg.body").map((s) => s.insert)).toEqual(["trg.body"]);
  });
});
