/**
 * `weft run`, `runs`, `logs`, `events send` and `cancel` (docs/cli.md, docs/runs.md), run as the
 * built binary against a control plane over real HTTP with a worker executing the runs: `run
 * --wait` prints the output, `logs --follow` streams a waiting run until an event sent with the
 * CLI ends it, a dropped stream resumes after the last entry it printed, and cancel cancels.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithAgent, type AppWithAgent } from "../helpers/api";
import { serveApi, type ServedApi } from "../helpers/serve";
import { createWorkflow, runWhen, startTestWorker, type TestWorker } from "../helpers/runtime";
import { closedPort, runCli, startCli, tempHome } from "./support";

let setup: AppWithAgent;
let server: ServedApi;
let worker: TestWorker;
const home = tempHome();
const workflows = { greeter: "", approval: "", payment: "", invalid: "", failing: "" };

const GREETER = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    { id: "hello", type: "greet", params: { name: "{{trg.name}}" } },
  ],
  edges: [{ source: "trg", target: "hello" }],
};
const APPROVAL = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    { id: "approve", type: "wait_for_event", params: { event: "approve" } },
    { id: "hello", type: "greet", params: { name: "{{approve.data.name}}" } },
  ],
  edges: [
    { source: "trg", target: "approve" },
    { source: "approve", target: "hello" },
  ],
};
const PAYMENT = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    { id: "paid", type: "wait_for_event", params: { event: "paid", key: "{{trg.order}}" } },
  ],
  edges: [{ source: "trg", target: "paid" }],
};

beforeAll(async () => {
  setup = await createAppWithAgent();
  server = await serveApi(setup.app);
  worker = await startTestWorker(setup.app);
  workflows.greeter = await createWorkflow(setup.app, setup.agent, GREETER, "Greeter");
  workflows.approval = await createWorkflow(setup.app, setup.agent, APPROVAL, "Approval");
  workflows.payment = await createWorkflow(setup.app, setup.agent, PAYMENT, "Payment");
  const unreachable = { id: "call", type: "http_request", params: { method: "GET", url: `http://127.0.0.1:${await closedPort()}/` } };
  workflows.failing = await createWorkflow(setup.app, setup.agent, { blocks: [GREETER.blocks[0], unreachable], edges: [{ source: "trg", target: "call" }] }, "Failing");
  workflows.invalid = await createWorkflow(setup.app, setup.agent, { blocks: [GREETER.blocks[0], { id: "hello", type: "greet", params: {} }], edges: GREETER.edges }, "Invalid");
});

afterAll(async () => {
  await server?.close();
  await worker?.stop();
  await setup?.app.close();
  home.remove();
});

const env = () => ({ WEFT_URL: server.url, WEFT_API_KEY: setup.agent["x-api-key"] });
const weft = (args: string[], input?: string) => runCli(args, { home: home.home, input, env: env() });
const follow = (args: string[]) => startCli(args, { home: home.home, env: env() });

/** Starts a run with the CLI (no wait); answers its id. */
async function started(workflowId: string, input: unknown = {}): Promise<string> {
  const result = await weft(["run", workflowId, "--input", JSON.stringify(input), "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).runId;
}

const waiting = (runId: string) => runWhen(setup.app, setup.owner.organizationId, runId, (run) => run.status === "waiting");

describe("weft run, runs, logs, events send and cancel", () => {
  it("run --wait prints the finished run with its output and exits 0; --json gives the run", async () => {
    const human = await weft(["run", workflows.greeter, "--input", '{"name":"Ada"}', "--wait"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Status\s+succeeded/);
    expect(human.stdout).toContain('"message": "Hello, Ada!"');
    const json = await weft(["run", workflows.greeter, "--input", "-", "--wait", "--json"], '{"name":"Grace"}');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "succeeded", output: { hello: { message: "Hello, Grace!" } } });
  });

  it("run --wait on a run that fails prints its error and exits 1", async () => {
    const result = await weft(["run", workflows.failing, "--wait"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Status\s+failed/);
    expect(result.stdout).toMatch(/Error\s+.*ECONNREFUSED.*\(block call\)/);
  });

  it("run on a workflow with validation errors starts nothing and prints them (exit 3)", async () => {
    const result = await weft(["run", workflows.invalid, "--wait"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("Not started");
    expect(result.stdout).toMatch(/hello\.name: missing_required_param/);
  });

  it("runs list filters by workflow and status; runs get shows one run", async () => {
    const list = await weft(["runs", "list", "--workflow", workflows.greeter, "--status", "succeeded", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const runs = JSON.parse(list.stdout).data as { id: string; workflowId: string; status: string }[];
    expect(runs).toHaveLength(2);
    expect(runs.every((run) => run.workflowId === workflows.greeter && run.status === "succeeded")).toBe(true);
    const table = await weft(["runs", "list", "--workflow", workflows.greeter]);
    expect(table.stdout).toMatch(new RegExp(`^${runs[0].id}\\s+${workflows.greeter} v1\\s+succeeded\\s+api`, "m"));
    const get = await weft(["runs", "get", runs[0].id]);
    expect(get.stdout).toContain("Hello, Grace!");
    const bad = await weft(["runs", "list", "--status", "exploded"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("(invalid_query, HTTP 400)");
  });

  it("logs prints one line per block, with its output", async () => {
    const runs = JSON.parse((await weft(["runs", "list", "--workflow", workflows.greeter, "--json"])).stdout).data;
    const result = await weft(["logs", runs[0].id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/trg \(trigger_manual\)\s+succeeded/);
    expect(result.stdout).toMatch(/hello \(greet\)\s+succeeded.*\n\s+→ \{"message":"Hello, Grace!"\}/);
  });

  it("logs --follow streams a waiting run; events send wakes it, and follow ends with the run (exit 0)", async () => {
    const runId = await started(workflows.approval);
    const cli = follow(["logs", runId, "--follow"]);
    await cli.waitFor(/run waiting on event "approve"/);
    const sent = await weft(["events", "send", "approve", "--run", runId, "--data", '{"name":"Bo"}']);
    expect(sent.code, sent.stderr).toBe(0);
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/approve \(wait_for_event\)\s+succeeded/);
    expect(result.stdout).toContain('{"message":"Hello, Bo!"}');
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/── run succeeded/);
  });

  it("logs --follow resumes a dropped stream with Last-Event-ID: no entry is lost or printed twice", async () => {
    const runId = await started(workflows.approval);
    await waiting(runId);
    const cli = follow(["logs", runId, "--follow", "--json"]);
    await cli.waitFor(/"event":"status".*"status":"waiting"/);
    const before = cli.output().stdout.trim().split("\n").map((line) => JSON.parse(line));
    const lastSeen = before.filter((event) => event.event === "log").at(-1).data.id;
    const streamPath = `/api/runs/${runId}/stream`;
    const first = server.requests.filter((request) => request.path === streamPath).length;

    server.dropConnections();
    // The next request for the stream is the CLI's reconnect.
    const resumed = await Promise.race([
      server.waitForRequest((request) => request.path === streamPath && server.requests.filter((r) => r.path === streamPath).indexOf(request) >= first),
      cli.exited.then((result) => Promise.reject(new Error(`weft exited (${result.code}) instead of resuming: ${result.stderr}`))),
    ]);
    expect(resumed.headers["last-event-id"]).toBe(lastSeen);

    expect((await weft(["events", "send", "approve", "--run", runId, "--data", '{"name":"Cy"}'])).code).toBe(0);
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("connection lost");
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const ids = events.filter((event) => event.event === "log").map((event) => event.data.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.filter((event) => event.event === "log").map((event) => `${event.data.blockId}:${event.data.status}`)).toEqual([
      "trg:succeeded",
      "approve:waiting",
      "approve:succeeded",
      "hello:succeeded",
    ]);
    expect(events.at(-1)).toMatchObject({ event: "status", data: { status: "succeeded", output: { hello: { message: "Hello, Cy!" } } } });
  });

  it("events send --key wakes the run waiting with that key", async () => {
    const runId = await started(workflows.payment, { order: "o-17" });
    const waiter = follow(["run", workflows.payment, "--input", '{"order":"o-18"}', "--wait", "--json"]);
    await waiting(runId);
    const sent = await weft(["events", "send", "paid", "--key", "o-17", "--data", '{"amount":5}']);
    expect(sent.code, sent.stderr).toBe(0);
    const finished = await runWhen(setup.app, setup.owner.organizationId, runId, (run) => run.status === "succeeded");
    expect(finished.output).toMatchObject({ paid: { event: "paid", data: { amount: 5 } } });
    // The run waiting with another key still waits; an event with its key ends it and `run --wait`.
    expect((await weft(["events", "send", "paid", "--key", "o-18"])).code).toBe(0);
    const result = await waiter.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "succeeded", input: { order: "o-18" } });
  });

  it("cancel cancels a waiting run (a follow of it ends, exit 1); canceling a finished run is exit 1 run_finished", async () => {
    const runId = await started(workflows.approval);
    await waiting(runId);
    const watcher = follow(["logs", runId, "--follow"]);
    await watcher.waitFor(/run waiting/);
    const canceled = await weft(["cancel", runId]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toContain("run canceled");
    const watched = await watcher.exited;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/── run canceled/);

    const done = JSON.parse((await weft(["runs", "list", "--workflow", workflows.greeter, "--json"])).stdout).data[0].id;
    const refused = await weft(["cancel", done]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("(run_finished, HTTP 409)");
  });
});
