import { describe, expect, it } from "vitest";
import { findJsonProblem, MAX_JSON_DEPTH } from "@/lib/engine/json-limits";

describe("findJsonProblem", () => {
  it("accepts ordinary JSON, well-formed surrogate pairs and exactly MAX_JSON_DEPTH levels", () => {
    expect(findJsonProblem({ a: [1, "x", null, { b: "emoji \ud83d\ude00" }] })).toBeNull();
    expect(findJsonProblem(JSON.parse("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)))).toBeNull();
  });

  it("reports one level too many, and a million levels without overflowing the stack", () => {
    const over = JSON.parse("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1));
    expect(findJsonProblem(over)).toMatchObject({ code: "too_deep", path: Array(MAX_JSON_DEPTH).fill("0") });
    const huge = JSON.parse("[".repeat(1_000_000) + "]".repeat(1_000_000));
    expect(findJsonProblem(huge)?.code).toBe("too_deep");
  });

  it("names the path of a NUL or lone surrogate in a value or a key", () => {
    expect(findJsonProblem({ a: [0, "x\u0000"] })).toMatchObject({ code: "nul_character", path: ["a", "1"] });
    expect(findJsonProblem({ a: { "k\ud800": 1 } })).toMatchObject({ code: "lone_surrogate", path: ["a", "k\ud800"] });
    expect(findJsonProblem("\udc00")).toMatchObject({ code: "lone_surrogate", path: [] });
    expect(findJsonProblem(["\ud83d"])).toMatchObject({ code: "lone_surrogate", path: ["0"] });
  });
});
