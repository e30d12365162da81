/**
 * Crash recovery (issue 4): a worker process killed with SIGKILL mid-block loses nothing. The
 * run is re-claimed by another worker process once the dead one's 30 s lease expires; blocks
 * that completed are not executed again, and the interrupted one is (at-least-once).
 * Also: SIGTERM stops a worker cleanly (exit 0).
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs } from "../helpers/runtime";

const root = resolve(import.meta.dirname, "../..");
let app: TestApp;
let user: TestUser;
let server: http.Server;
let port = 0;
const sockets = new Set<Socket>();
const calls = { ping: 0, hang: 0 };
const workers: ChildProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
  server = http.createServer((req, res) => {
    if (req.url === "/ping") {
      calls.ping++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ pong: calls.ping }));
    } else if (req.url === "/hang") {
      calls.hang++;
      if (calls.hang === 1) return; // never answers: the worker is killed while it waits
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ answered: calls.hang }));
    } else {
      res.writeHead(404).end();
    }
  });
  server.on("connection", (socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((res) => server?.close(() => res()));
  await app?.close();
});

/** Starts `npm run worker`'s command as a child process; resolves once it has started claiming. */
async function startWorkerProcess(output: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/index.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: app.database.url,
      WEFT_SECRETS_KEY: app.secretsKey.toString("base64"),
      WEFT_ALLOW_PRIVATE_HTTP: "1",
      WORKER_CONCURRENCY: "2",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`worker did not start:\n${output.join("")}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join("").includes("worker started")) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("exit", (code) => (clearTimeout(timer), rej(new Error(`worker exited (${code}):\n${output.join("")}`))));
  });
  return child;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

it("a worker killed with SIGKILL mid-request loses nothing: another worker finishes the run and completed blocks ran exactly once", async () => {
  const workflowId = await createWorkflow(app, user.bearer, {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "note", type: "log", params: { message: "before the calls" } },
      { id: "ping", type: "http_request", params: { method: "GET", url: `http://127.0.0.1:${port}/ping` } },
      { id: "slow", type: "http_request", params: { method: "GET", url: `http://127.0.0.1:${port}/hang`, timeout_ms: 120_000 } },
    ],
    edges: [
      { source: "trg", target: "note" },
      { source: "note", target: "ping" },
      { source: "ping", target: "slow" },
    ],
  });
  const firstOutput: string[] = [];
  const first = await startWorkerProcess(firstOutput);
  const runId = await dispatchRun(app, user.bearer, workflowId);
  await until(() => calls.hang === 1, 15_000, "the hanging request");
  const noteBefore = (await runLogs(app, user.organizationId, runId)).find((l) => l.blockId === "note");
  expect(noteBefore?.status).toBe("succeeded");
  first.kill("SIGKILL");
  await new Promise((res) => first.once("exit", res));
  expect((await app.runtime.getRun(user.organizationId, runId))?.status).toBe("running");

  const secondOutput: string[] = [];
  const second = await startWorkerProcess(secondOutput);
  const done = await finishedRun(app, user.organizationId, runId, 80_000);
  expect(done.status).toBe("succeeded");
  expect(done.output).toMatchObject({ note: { message: "before the calls" }, ping: { status: 200, body: { pong: 1 } }, slow: { status: 200, body: { answered: 2 } } });

  // Completed blocks ran once: one call to /ping, one durable attempt and an untouched log entry for note.
  expect(calls.ping).toBe(1);
  expect(calls.hang).toBe(2); // the interrupted block ran again (at-least-once)
  const logs = await runLogs(app, user.organizationId, runId);
  expect(logs.find((l) => l.blockId === "note")).toEqual(noteBefore);
  const attempts = await app.database.sql`
    SELECT sa.step_name, count(*)::int AS n FROM openworkflow.step_attempts sa
    JOIN openworkflow.workflow_runs wr ON wr.id = sa.workflow_run_id
    WHERE wr.input->>'runId' = ${runId} GROUP BY sa.step_name`;
  const byName = Object.fromEntries(attempts.map((a) => [a.step_name as string, a.n as number]));
  expect(byName).toMatchObject({ trg: 1, note: 1, ping: 1, slow: 2 });
  // The new worker's lines about this run carry its id ("run succeeded" is written just after the
  // status the test polls, so it may reach the pipe a moment later).
  await until(() => secondOutput.join("").includes(`"runId":"${runId}"`), 5_000, "the second worker's log line about the run");

  // SIGTERM: stop claiming, finish, close, exit 0.
  const exit = new Promise<number | null>((res) => second.once("exit", (code) => res(code)));
  second.kill("SIGTERM");
  expect(await exit).toBe(0);
}, 120_000);
