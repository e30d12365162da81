/**
 * The CLI's printing rules (cli/output.ts): colours only when the stream is a terminal and NO_COLOR
 * is unset (https://no-color.org), and tables aligned on what is visible, not on escape codes.
 */
import { describe, expect, it } from "vitest";
import { Output } from "@/cli/output";
import { printRun, printRunStatus } from "@/cli/run-view";
import type { RunResource } from "@/lib/resources/run";

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

describe("a run's view", () => {
  const base: RunResource = {
    id: "run_parent",
    workflowId: "wf_a",
    workflowVersion: 3,
    trigger: "api",
    triggeredBy: null,
    parentRunId: null,
    status: "waiting",
    input: {},
    output: null,
    error: null,
    waitingOn: { blockId: "each", kind: "children" },
    createdAt: "2030-01-01T00:00:00.000Z",
    startedAt: "2030-01-01T00:00:00.000Z",
    finishedAt: null,
  };

  it("says a run waits for the child runs of its call_workflow block, counts its children by status, and names a child's parent", () => {
    const stdout = capture(false);
    const out = new Output(stdout, capture(false), {});
    printRunStatus(out, base);
    const children = [
      { runId: "run_1", workflowId: "wf_b", status: "succeeded" as const, blockId: "each", itemIndex: 0 },
      { runId: "run_2", workflowId: "wf_b", status: "running" as const, blockId: "each", itemIndex: 1 },
      { runId: "run_3", workflowId: "wf_b", status: "succeeded" as const, blockId: "each", itemIndex: 2 },
    ];
    printRun(out, { ...base, children });
    printRun(out, { ...base, id: "run_1", parentRunId: "run_parent", trigger: "workflow", status: "succeeded", waitingOn: null, children: [] });
    expect(stdout.text).toContain("── run waiting for the child runs of each");
    expect(stdout.text).toMatch(/Waiting on\s+the child runs of each/);
    expect(stdout.text).toMatch(/Child runs\s+2 succeeded, 1 running/);
    expect(stdout.text).toMatch(/Parent run\s+run_parent/);
  });
});
