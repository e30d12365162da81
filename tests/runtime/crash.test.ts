/**
 * Crash recovery (issue 4): a worker process killed with SIGKILL mid-block loses nothing. The
 * run is re-claimed by another worker process once the dead one's 30 s lease expires; blocks
 * that completed are not executed again, and the interrupted one is (at-least-once).
 * Also: SIGTERM stops a worker cleanly (exit 0).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs } from "../helpers/runtime";
import { killAll, startWorkerProcess as startWorker, until, type WorkerProcess } from "../helpers/worker-process";
let app: TestApp;
let user: TestUser;
let server: http.Server;
let port = 0;
const sockets = new Set<Socket>();
const calls = { ping: 0, hang: 0 };
const workers: WorkerProcess[] = [];

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
  await killAll(workers);
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((res) => server?.close(() => res()));
  await app?.close();
});

/** A worker process on the app's database, concurrency 2. */
async function startWorkerProcess(): Promise<WorkerProcess> {
  const worker = await startWorker({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: 2 });
  workers.push(worker);
  return worker;
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
  const first = await startWorkerProcess();
  const runId = await dispatchRun(app, user.bearer, workflowId);
  await until(() => calls.hang === 1, 15_000, "the hanging request");
  const noteBefore = (await runLogs(app, user.organizationId, runId)).find((l) => l.blockId === "note");
  expect(noteBefore?.status).toBe("succeeded");
  first.child.kill("SIGKILL");
  await first.exited;
  expect((await app.runtime.getRun(user.organizationId, runId))?.status).toBe("running");

  const second = await startWorkerProcess();
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
  await until(() => second.output.join("").includes(`"runId":"${runId}"`), 5_000, "the second worker's log line about the run");

  // SIGTERM: stop claiming, finish, close, exit 0.
  second.child.kill("SIGTERM");
  expect((await second.exited).code).toBe(0);
}, 120_000);
