import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";
import { findJsonProblem } from "@/lib/engine/json-limits";
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, MAX_MEMORY_MB, MAX_TIMEOUT_MS } from "@/lib/sandbox/job";
import { runInSandbox } from "@/lib/sandbox/run-in-sandbox";

/** A failed execution: `code` is one of the sandbox's stable codes (lib/sandbox/job.ts). */
export class CodeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CodeError";
  }
}

/**
 * Runs JavaScript in a QuickJS sandbox (lib/sandbox, docs/connectors.md): no network, file system,
 * timers, `require` or host objects; a fresh runtime per execution, with time and memory limits.
 */
export const code = defineConnector({
  type: "code",
  name: "Code",
  description:
    "Runs JavaScript in a sandbox and outputs the value it returns as value. code is the body of an async function of input (the input param, templates resolved): it may await, must return JSON, and can reach no network, files, timers or require. console.log lines become the block's log messages. A syntax error, a thrown error, or going over timeoutMs (default 1000) or memoryMb (default 32) fails the block.",
  category: "data",
  kind: "action",
  params: z
    .object({
      code: z
        .string()
        .min(1)
        .max(100_000)
        .describe(
          "JavaScript: the body of an async function receiving input; end it with return <JSON value>. Used as written: {{…}} templates are not resolved here, put them in input and read input.<name>",
        )
        .meta({
          templates: false,
          ...ui({ label: "Code", widget: "code", language: "javascript", placeholder: "return { total: input.items.reduce((sum, item) => sum + item.price, 0) };" }),
        }),
      input: z
        .unknown()
        .optional()
        .describe("Any JSON passed to the code as input (default null); may contain {{…}} templates")
        .meta(ui({ label: "Input", widget: "json", placeholder: '{ "items": "{{trigger.body.items}}" }' })),
      timeoutMs: z
        .number()
        .int()
        .min(10)
        .max(MAX_TIMEOUT_MS)
        .optional()
        .describe(`Time limit in milliseconds (default ${DEFAULT_TIMEOUT_MS}, at most ${MAX_TIMEOUT_MS})`)
        .meta(ui({ label: "Timeout (ms)", widget: "number", placeholder: String(DEFAULT_TIMEOUT_MS), advanced: true })),
      memoryMb: z
        .number()
        .int()
        .min(8)
        .max(MAX_MEMORY_MB)
        .optional()
        .describe(`Memory limit in MB (default ${DEFAULT_MEMORY_MB}, at most ${MAX_MEMORY_MB})`)
        .meta(ui({ label: "Memory (MB)", widget: "number", placeholder: String(DEFAULT_MEMORY_MB), advanced: true })),
    })
    .strict(),
  outputs: z.object({ value: z.unknown().describe("What the code returned") }),
  run: async (ctx, params) => {
    const outcome = await runInSandbox(
      {
        code: params.code,
        inputJson: JSON.stringify(params.input ?? null),
        timeoutMs: params.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        memoryBytes: (params.memoryMb ?? DEFAULT_MEMORY_MB) * 1024 * 1024,
      },
      ctx.signal,
    );
    for (const line of outcome.logs) ctx.log(line.level, line.message);
    if (!outcome.ok) throw new CodeError(outcome.error.code, outcome.error.message);
    const value: unknown = JSON.parse(outcome.json);
    const problem = findJsonProblem(value);
    if (problem) {
      const where = problem.path.length > 0 ? ` at ${problem.path.join(".")}` : "";
      throw new CodeError("not_json", `The returned value cannot be stored${where}: ${problem.message}`);
    }
    return { value };
  },
});
