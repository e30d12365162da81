/**
 * The CLI's printing rules (cli/output.ts): colours only when the stream is a terminal and NO_COLOR
 * is unset (https://no-color.org), and tables aligned on what is visible, not on escape codes.
 */
import { describe, expect, it } from "vitest";
import { Output } from "@/cli/output";

function capture(isTTY: boolean) {
  const stream = { isTTY, text: "", write(chunk: string) { stream.text += chunk; return true; } };
  return stream;
}

describe("Output", () => {
  it("colours a terminal's output", () => {
    const stdout = capture(true);
    const out = new Output(stdout, capture(true), {});
    out.line(out.paint("green", "succeeded"));
    expect(stdout.text).toBe("\u001b[32msucceeded\u001b[39m\n");
  });

  it("writes no escape codes to a pipe, nor with NO_COLOR set", () => {
    for (const [isTTY, env] of [[false, {}], [true, { NO_COLOR: "1" }]] as const) {
      const stdout = capture(isTTY);
      const stderr = capture(isTTY);
      const out = new Output(stdout, stderr, env);
      out.table(["A", "B"], [[out.paint("red", "x"), "y"]]);
      out.error("bad");
      expect(stdout.text + stderr.text).not.toContain("\u001b[");
    }
  });

  it("aligns table columns on visible text, coloured or not", () => {
    const stdout = capture(true);
    const out = new Output(stdout, capture(true), {});
    out.table(["ID", "STATUS", "N"], [["run_1", out.paint("green", "succeeded"), "1"], ["run_22", "failed", "2"]]);
    // eslint-disable-next-line no-control-regex -- removing the colours to compare the layout
    const plain = stdout.text.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    expect(plain.slice(0, 3)).toEqual(["ID      STATUS     N", "run_1   succeeded  1", "run_22  failed     2"]);
  });
});
