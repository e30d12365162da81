/**
 * patch_workflow's description (lib/mcp/repair-guide.ts) tells a model, for every code that has
 * one, which `details` field holds the fix, so the MCP door repairs from the same data as HTTP.
 */
import { describe, expect, it } from "vitest";
import { SKIP_CODES, VALIDATION_CODES } from "@/lib/engine/ops";
import { SKIP_GUIDE, VALIDATION_GUIDE } from "@/lib/mcp/repair-guide";

function lineOf(guide: string, code: string): string {
  return guide.split("\n").find((line) => line.startsWith(`- ${code}: `)) ?? "";
}

describe("the MCP repair guide", () => {
  it.each(SKIP_CODES.filter((code) => code !== "duplicate_connection"))("skip %s names the details field with its fix", (code) => {
    expect(lineOf(SKIP_GUIDE, code)).toMatch(/details\.\w+/);
  });

  it.each(VALIDATION_CODES)("validation error %s names the details field with its fix", (code) => {
    expect(lineOf(VALIDATION_GUIDE, code)).toMatch(/details\.\w+/);
  });

  it("says what hint and details are", () => {
    expect(SKIP_GUIDE).toContain("Fix from reason_code, hint and details");
    expect(VALIDATION_GUIDE).toContain("error, hint, details? }");
  });
});
