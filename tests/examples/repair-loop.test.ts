/**
 * `npm run example:repair` (examples/repair-loop.ts, issue 13 Build 4) as a child process against
 * a control plane served over real HTTP with a worker, as `npm start` runs them (private HTTP
 * refused, its default): it makes all eight mistakes in round 1, each comes back with its code,
 * it repairs from the answers alone to ok: true within three rounds, and the run it prints is the
 * run Weft stored; through the MCP server the same. With hints and details stripped it is stuck
 * and says so.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LITERAL_KEY } from "@/examples/repair-loop/scripted-model";
import { createApiKey, createTestApp, signUp, type TestApp } from "../helpers/api";
import { startTestWorker, type TestWorker } from "../helpers/runtime";
import { serveApi } from "../helpers/serve";

const root = resolve(import.meta.dirname, "../..");

let app: TestApp;
let worker: TestWorker;
let served: { url: string; close(): Promise<void> };

beforeAll(async () => {
  app = await createTestApp();
  worker = await startTestWorker(app, { allowPrivateHttp: false });
  served = await serveApi(app);
});
afterAll(async () => {
  await served?.close();
  await worker?.stop();
  await app?.close();
});

/** Runs the example's npm script command with `env`; resolves with its exit code and output once it exits. */
function runExample(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "WEFT_API_KEY", "WEFT_REPAIR_STRIP_HINTS", "WEFT_TRANSPORT"]) if (!(name in env)) delete childEnv[name];
  const child = spawn(process.execPath, ["--import", "tsx", "examples/repair-loop.ts"], { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((res) => child.once("close", (code) => res({ code, stdout, stderr })));
}

/** The lines printed for round `n`, from its "Round n:" line to the next blank line. */
function round(stdout: string, n: number): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`Round ${n}:`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("examples/repair-loop.ts", () => {
  it("signs up, makes the eight mistakes, repairs from the answers to ok: true within 3 rounds, and prints the run Weft stored", { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runExample({ WEFT_URL: served.url });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const first = round(stdout, 1);
    expect(first[0]).toMatch(/^Round 1: sent 14 ops → 8 skipped, 4 validation errors; ok: false$/);
    const mistakes = [
      /^ {2}skipped op 2 \(add hello\): block_type_not_registered — did you mean "greet"\?/, // an unknown block type
      /^ {2}skipped op 1 \(connect start→hello\): invalid_edge_target — "hello" would have been added by op 2/, // a connect before its add
      /^ {2}skipped op 4 \(update ping\): hidden_param_in_input — remove allow_private_network/, // a hidden param
      /^ {2}invalid up\.message: reference_not_upstream — if "ping" should feed "up", the edge points the wrong way/, // a reference to a downstream block
      /^ {2}invalid ping\.method: missing_required_param — set params\.method/, // a missing required param
      /^ {2}invalid ping\.timeout_ms: invalid_param — set params\.timeout_ms to a value of type number/, // a wrong param type
      /^ {2}skipped op 9 \(connect ping→down\): invalid_source_handle — did you mean "error"\?/, // a branch handle that does not exist
      /^ {2}skipped op 10 \(add summary\): secret_required — store the value as an organization secret/, // a literal API key in llm_chat
    ];
    for (const mistake of mistakes) expect(first.some((line) => mistake.test(line)), `${mistake}\n${first.join("\n")}`).toBe(true);
    expect(first).toContain('  fix op 2: type "greeting" → "greet" (details.closest)');
    expect(first).toContain("  fix ping.method: set method to \"GET\" (details.example)");
    expect(first).toContain('  fix ping.timeout_ms: set timeout_ms to "5000" as the number it must be (details.expected)');
    expect(first).toContain('  fix op 10: api_key → "{{secrets.OPENAI_API_KEY}}" instead of the literal key (details.suggested_ops); an owner stores the key as that secret');
    expect(first).toContain("  fix op 11: sent again with op 10's fixed add, which it waited for (details.add_op)");
    // The key it pasted is in no answer Weft gave, so nowhere in what the example printed.
    expect(stdout).not.toContain(LITERAL_KEY);

    const okRound = [1, 2, 3].find((n) => round(stdout, n)[0]?.endsWith("ok: true"));
    expect(okRound, stdout).toBeDefined();
    expect(okRound).toBeLessThanOrEqual(3);

    const runLine = stdout.split("\n").find((l) => l.startsWith("Run "));
    const [, runId, status] = /^Run (run_\S+) (\w+)/.exec(runLine ?? "") ?? [];
    expect(status, stdout).toBe("succeeded");
    const [{ organization_id: organizationId }] = await app.database.sql<{ organization_id: string }[]>`select organization_id from runs where id = ${runId}`;
    const run = await app.runtime.getRun(organizationId, runId);
    expect(run?.status).toBe("succeeded");
    expect(run?.output?.hello).toEqual({ message: "Hello, Ada!" });
    expect((run?.output?.down as { message: string }).message).toMatch(/^Weft's health check failed: /);
    for (const [blockId, output] of Object.entries(run?.output ?? {})) expect(stdout).toContain(`\n  ${blockId}: ${JSON.stringify(output)}\n`);
    expect(stdout).toContain(`Done: ok in ${okRound} rounds, run ${runId} succeeded.`);
  });

  it("through the MCP server (WEFT_TRANSPORT=mcp) the same agent makes the same repairs, and its run has trigger mcp", { timeout: 90_000 }, async () => {
    const owner = await signUp(app);
    const { key } = await createApiKey(app, owner, "mcp");
    const { code, stdout, stderr } = await runExample({ WEFT_URL: served.url, WEFT_API_KEY: key, WEFT_TRANSPORT: "mcp" });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain(`over MCP ${served.url}/api/mcp`);
    expect(round(stdout, 1)[0]).toBe("Round 1: sent 14 ops → 8 skipped, 4 validation errors; ok: false");
    expect(round(stdout, 2)[0]).toBe("Round 2: sent 11 ops → 0 skipped, 0 validation errors; ok: true");
    const runId = /^Run (run_\S+) succeeded\./m.exec(stdout)?.[1] ?? "";
    const run = await app.runtime.getRun(owner.organizationId, runId);
    expect(run).toMatchObject({ status: "succeeded", trigger: "mcp", output: { hello: { message: "Hello, Ada!" } } });
  });

  it("with hints and details stripped it cannot repair: it exits 1 naming the skip it has no fix for, and runs nothing", { timeout: 60_000 }, async () => {
    const owner = await signUp(app);
    const { key } = await createApiKey(app, owner, "stripped");
    const { code, stdout, stderr } = await runExample({ WEFT_URL: served.url, WEFT_API_KEY: key, WEFT_REPAIR_STRIP_HINTS: "1" });
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(round(stdout, 1)[0]).toMatch(/^Round 1: sent 14 ops → 8 skipped/);
    expect(stderr).toContain("Failed after 1 round: no usable fix for op 1 (connect start→hello): invalid_edge_target — the answer gave no add to wait for (details.add_op) (hint: none)");
    expect(stdout).not.toContain("Round 2:");
    const [{ count }] = await app.database.sql<{ count: number }[]>`select count(*)::int as count from runs where organization_id = ${owner.organizationId}`;
    expect(count).toBe(0);
  });

  it("with OPENAI_* set, a model (a local chat-completions server) drives the MCP tools: it repairs from the skip's details and the run succeeds", { timeout: 90_000 }, async () => {
    const model = await startScriptedModel();
    try {
      const { code, stdout, stderr } = await runExample({ WEFT_URL: served.url, OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: "sk-test", OPENAI_MODEL: "scripted" });
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("Done: 4 tool calls");
      // The model was offered every tool the MCP server lists, and got the key it was given.
      expect(model.seen.tools).toEqual(expect.arrayContaining(["list_connectors", "create_workflow", "patch_workflow", "validate_workflow", "run_workflow", "get_run_logs"]));
      expect(model.seen.authorization).toBe("Bearer sk-test");
      // Its repair came from the answer: the closest type the skip named.
      expect(model.seen.skip).toEqual({ reason_code: "block_type_not_registered", closest: "greet" });
      const runId = /run (run_\S+) succeeded/.exec(stdout)?.[1];
      const [run] = await app.database.sql<{ status: string; trigger: string }[]>`SELECT status, trigger FROM runs WHERE id = ${runId ?? ""}`;
      expect(run).toEqual({ status: "succeeded", trigger: "mcp" });
    } finally {
      await model.close();
    }
  });

  it("with private HTTP allowed (WEFT_ALLOW_PRIVATE_HTTP=1) ping succeeds, up logs, summary fails for want of the OPENAI_API_KEY secret and no_summary logs it; the run succeeds", { timeout: 90_000 }, async () => {
    const privateApp = await createTestApp();
    const privateWorker = await startTestWorker(privateApp, { allowPrivateHttp: true });
    const privateServed = await serveApi(privateApp);
    try {
      const { code, stdout, stderr } = await runExample({ WEFT_URL: privateServed.url });
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      const runId = /^Run (run_\S+) succeeded\./m.exec(stdout)?.[1] ?? "";
      const [{ organization_id: organizationId }] = await privateApp.database.sql<{ organization_id: string }[]>`select organization_id from runs where id = ${runId}`;
      const run = await privateApp.runtime.getRun(organizationId, runId);
      expect(run?.output).toMatchObject({
        up: { message: "Weft is ok." },
        summary: { error: { code: "missing_secret", message: "Secret OPENAI_API_KEY is not set in this organization." } },
        no_summary: { message: expect.stringMatching(/^No LLM summary this time/) },
      });
      expect(run?.output).not.toHaveProperty("down");
    } finally {
      await privateServed.close();
      await privateWorker.stop();
      await privateApp.close();
    }
  });

  it("with only some of OPENAI_* set it names the missing ones and exits 2", { timeout: 60_000 }, async () => {
    const { code, stderr } = await runExample({ WEFT_URL: served.url, OPENAI_BASE_URL: "http://127.0.0.1:9", OPENAI_MODEL: "m" });
    expect(code).toBe(2);
    expect(stderr).toContain("missing OPENAI_API_KEY");
  });
});

interface ChatMessage {
  role: string;
  content?: string | null;
}

/**
 * A stand-in for a chat-completions model on 127.0.0.1: it answers with tool calls, choosing each
 * from the conversation so far — create the workflow, patch it with an unknown type, patch again
 * with the closest type the skip named, run it — then a plain sentence.
 */
async function startScriptedModel() {
  const seen: { tools: string[]; authorization?: string; skip?: { reason_code: string; closest: string } } = { tools: [] };
  const call = (name: string, args: unknown) => ({ choices: [{ message: { role: "assistant", content: null, tool_calls: [{ id: `call_${name}_${Date.now()}`, type: "function", function: { name, arguments: JSON.stringify(args) } }] } }] });
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const body = JSON.parse(raw) as { messages: ChatMessage[]; tools: { function: { name: string } }[] };
    seen.tools = body.tools.map((t) => t.function.name);
    seen.authorization = req.headers.authorization;
    const results = body.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content ?? "null") as Record<string, unknown>);
    const workflowId = results[0]?.id as string | undefined;
    const trigger = { operation_type: "add", block_id: "start", type: "trigger_manual" };
    let answer: unknown;
    if (results.length === 0) answer = call("create_workflow", { name: "Greeter (model)" });
    else if (results.length === 1) {
      answer = call("patch_workflow", { workflow_id: workflowId, ops: [trigger, { operation_type: "add", block_id: "hello", type: "greeting", params: { name: "{{start.name}}" } }, { operation_type: "connect", block_id: "start", target_block_id: "hello" }] });
    } else if (results.length === 2) {
      const skipped = (results[1]?.skipped_items ?? []) as { reason_code: string; details?: { closest?: string[] } }[];
      const unknown = skipped.find((item) => item.reason_code === "block_type_not_registered");
      const closest = unknown?.details?.closest?.[0];
      if (unknown && closest) seen.skip = { reason_code: unknown.reason_code, closest };
      answer = call("patch_workflow", { workflow_id: workflowId, ops: [{ operation_type: "add", block_id: "hello", type: closest ?? "unknown", params: { name: "{{start.name}}" } }, { operation_type: "connect", block_id: "start", target_block_id: "hello" }] });
    } else if (results.length === 3) answer = call("run_workflow", { workflow_id: workflowId, input: { name: "Ada" }, wait_seconds: 30 });
    else answer = { choices: [{ message: { role: "assistant", content: `The run ended ${String(results[3]?.status)}.` } }] };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}
