/**
 * The `code` block in real runs (docs/connectors.md, "The code sandbox"): created and dispatched
 * through the API, executed by an in-process worker on real Postgres, read back over the runs and
 * logs routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, startWorkerTestApp } from "../helpers/runtime";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp({ concurrency: 2 }));
});
afterAll(async () => {
  await close?.();
});

const trigger = { id: "trg", type: "trigger_manual", params: {} };

async function run(definition: unknown, input: unknown) {
  const workflowId = await createWorkflow(app, user.bearer, definition);
  const runId = await dispatchRun(app, user.bearer, workflowId, { input });
  return { runId, run: await finishedRun(app, user.organizationId, runId) };
}

/** The run's log entries as the logs route serves them. */
async function logsOverHttp(runId: string): Promise<{ blockId: string; status: string; input: unknown; output: unknown; error: unknown; messages: { level: string; message: string }[] }[]> {
  const res = await call(app, "GET", `/api/runs/${runId}/logs?limit=500`, { headers: user.bearer });
  expect(res.status).toBe(200);
  return res.body.data;
}

describe("a code block in a run", () => {
  it("trigger → code → log: the code gets its resolved input, its return value is its output, its console lines are its log messages", async () => {
    const code = [
      'console.log("pricing", input.items.length, "items");',
      "const total = input.items.reduce((sum, item) => sum + item.price * item.qty, 0);",
      'console.warn("currency", input.currency);',
      'return { total, currency: input.currency, template: "Hi {{trg.name}}" };',
    ].join("\n");
    const definition = {
      blocks: [
        trigger,
        { id: "calc", type: "code", params: { code, input: { items: "{{trg.items}}", currency: "{{vars.currency}}" } } },
        { id: "say", type: "log", params: { message: "Total {{calc.value.total}} {{calc.value.currency}}" } },
      ],
      edges: [
        { source: "trg", target: "calc" },
        { source: "calc", target: "say" },
      ],
      variables: { currency: "EUR" },
    };
    const input = { name: "Ada", items: [{ price: 2.5, qty: 2 }, { price: 10, qty: 1 }] };
    const { runId, run: done } = await run(definition, input);
    expect(done.status).toBe("succeeded");
    // The code param takes no templates: "{{trg.name}}" inside it is text the code returned as written.
    expect(done.output?.calc).toEqual({ value: { total: 15, currency: "EUR", template: "Hi {{trg.name}}" } });
    expect(done.output?.say).toEqual({ message: "Total 15 EUR" });

    const calc = (await logsOverHttp(runId)).find((entry) => entry.blockId === "calc");
    expect(calc).toMatchObject({
      status: "succeeded",
      input: { code, input: { items: input.items, currency: "EUR" } },
      output: { value: { total: 15, currency: "EUR", template: "Hi {{trg.name}}" } },
      error: null,
    });
    expect(calc?.messages.map(({ level, message }) => [level, message])).toEqual([
      ["info", "pricing 2 items"],
      ["warn", "currency EUR"],
    ]);
  });

  it("a thrown error fails the block with its message; its error edge reads it as {{calc.error.message}}", async () => {
    const definition = {
      blocks: [
        trigger,
        { id: "calc", type: "code", params: { code: 'console.log("checking", input);\nif (input < 0) throw new Error("negative amount " + input);\nreturn input;', input: "{{trg.amount}}" } },
        { id: "fine", type: "log", params: { message: "fine" } },
        { id: "alert", type: "log", params: { message: "Rejected: {{calc.error.message}} ({{calc.error.code}})" } },
      ],
      edges: [
        { source: "trg", target: "calc" },
        { source: "calc", target: "fine" },
        { source: "calc", target: "alert", sourceHandle: "error" },
      ],
    };
    const { runId, run: done } = await run(definition, { amount: -5 });
    expect(done.status).toBe("succeeded");
    expect(done.output?.alert).toEqual({ message: "Rejected: Error: negative amount -5 (line 2, column 31) (uncaught_error)" });
    const logs = await logsOverHttp(runId);
    expect(logs.find((entry) => entry.blockId === "calc")).toMatchObject({
      status: "failed",
      error: { code: "uncaught_error", message: "Error: negative amount -5 (line 2, column 31)" },
      messages: [{ level: "info", message: "checking -5" }],
    });
    expect(logs.find((entry) => entry.blockId === "fine")).toMatchObject({ status: "skipped" });
  });

  it("a syntax error or a timeout fails the run with the block's code and a message saying where or which limit", async () => {
    const broken = await run(
      { blocks: [trigger, { id: "calc", type: "code", params: { code: "const x = {\n  a: 1,\n  b: ,\n};\nreturn x;" } }], edges: [{ source: "trg", target: "calc" }] },
      {},
    );
    expect(broken.run.status).toBe("failed");
    expect(broken.run.error).toMatchObject({ blockId: "calc", code: "syntax_error", message: expect.stringMatching(/^SyntaxError: .* \(line 3, column 6\)$/) });

    const looping = await run(
      { blocks: [trigger, { id: "calc", type: "code", params: { code: "for (;;) {}", timeoutMs: 150 } }], edges: [{ source: "trg", target: "calc" }] },
      {},
    );
    expect(looping.run.status).toBe("failed");
    expect(looping.run.error).toMatchObject({ blockId: "calc", code: "timeout", message: "The code ran longer than its limit of 150 ms (timeoutMs) and was stopped." });
  });

  it("a secret passed in through input is usable by the code but redacted from its console lines and output", async () => {
    const stored = await call(app, "POST", "/api/secrets", { headers: user.bearer, body: { name: "SHOP_TOKEN", value: "tok-4471-secret" } });
    expect(stored.status).toBe(201);
    const definition = {
      blocks: [
        trigger,
        {
          id: "calc",
          type: "code",
          params: { code: 'console.log("token is", input.token);\nreturn { length: input.token.length, echoed: input.token };', input: { token: "{{secrets.SHOP_TOKEN}}" } },
        },
      ],
      edges: [{ source: "trg", target: "calc" }],
    };
    const { runId, run: done } = await run(definition, {});
    expect(done.status).toBe("succeeded");
    expect(done.output?.calc).toEqual({ value: { length: 15, echoed: "[REDACTED]" } });
    const calc = (await logsOverHttp(runId)).find((entry) => entry.blockId === "calc");
    expect(calc?.messages.map((m) => m.message)).toEqual(["token is [REDACTED]"]);
    expect(JSON.stringify(calc)).not.toContain("tok-4471-secret");
  });

  it("the patch endpoint checks templates in input but leaves the code as written; limits over the maximum are refused", async () => {
    const workflowId = await createWorkflow(app, user.bearer, { blocks: [trigger], edges: [] });
    const res = await call(app, "POST", `/api/workflows/${workflowId}/operations`, {
      headers: user.bearer,
      body: {
        ops: [
          { operation_type: "add", block_id: "calc", type: "code", params: { code: 'return "{{nowhere.x}}";', input: "{{nowhere.y}}", timeoutMs: 60_000 } },
          { operation_type: "connect", block_id: "trg", target_block_id: "calc" },
        ],
      },
    });
    expect(res.status).toBe(200);
    const errors = (res.body.validation_errors as { code: string; field: string }[]).map(({ code, field }) => [code, field]);
    expect(errors).toEqual(expect.arrayContaining([["unresolved_reference", "input"], ["invalid_param", "timeoutMs"]]));
    expect(errors.filter(([, field]) => field === "code")).toEqual([]);
  });
});
