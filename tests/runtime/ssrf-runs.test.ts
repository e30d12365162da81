/**
 * The SSRF guard in real runs (docs/connectors.md), not only `checkTarget` called directly:
 * - under the production default — a worker process started with WEFT_ALLOW_PRIVATE_HTTP unset,
 *   as `npm run worker` runs — a run that calls a server on 127.0.0.1 fails with `ssrf_blocked`
 *   and the server never sees a connection;
 * - a redirect is checked again in a run: a local server's redirect to a cloud metadata address
 *   fails the run at that hop. Every address on this machine is private (loopback, and a
 *   documentation or unique-local range on its interfaces), and the guard has no allow-list, so a
 *   first hop the guard lets through must come from a worker that allows private networks, as
 *   tests run; metadata addresses are refused even then. (Only a broken guard would connect to
 *   that address, and to port 9, where no metadata service listens.)
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs, startTestWorker, type TestWorker } from "../helpers/runtime";
import { killAll, startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";

interface LocalServer {
  url: string;
  /** Connections and requests it received. */
  seen: { connections: number; requests: string[] };
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that counts what reaches it and answers with `handler`. */
async function startLocalServer(handler: http.RequestListener): Promise<LocalServer> {
  const seen = { connections: 0, requests: [] as string[] };
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    seen.requests.push(req.url ?? "");
    handler(req, res);
  });
  server.on("connection", (socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** trigger → one http_request block `call` with `params`. */
function callingWorkflow(params: Record<string, unknown>) {
  return {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "call", type: "http_request", params: { method: "GET", ...params } },
    ],
    edges: [{ source: "trg", target: "call" }],
  };
}

describe("under the production default (a worker process without WEFT_ALLOW_PRIVATE_HTTP)", () => {
  let app: TestApp;
  let user: TestUser;
  let trap: LocalServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    user = await signUp(app);
    trap = await startLocalServer((_req, res) => res.end("reached"));
    workers.push(
      await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, env: { WEFT_ALLOW_PRIVATE_HTTP: undefined } }),
    );
  });
  afterAll(async () => {
    await killAll(workers);
    await trap?.close();
    await app?.close();
  });

  it.each([
    ["127.0.0.1", () => `${trap.url}/x`],
    ["localhost (a name that resolves to loopback)", () => trap.url.replace("127.0.0.1", "localhost") + "/x"],
  ])("a run calling %s fails with ssrf_blocked, and the server sees no connection", async (_name, url) => {
    const workflowId = await createWorkflow(app, user.bearer, callingWorkflow({ url: url() }));
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const run = await finishedRun(app, user.organizationId, runId);
    expect(run).toMatchObject({ status: "failed", error: { blockId: "call", code: "ssrf_blocked" } });
    expect(run.error?.message).toMatch(/loopback/);
    const call = (await runLogs(app, user.organizationId, runId)).find((entry) => entry.blockId === "call");
    expect(call).toMatchObject({ status: "failed", error: { code: "ssrf_blocked" } });
    expect(trap.seen).toEqual({ connections: 0, requests: [] });
  });
});

describe("a redirect is checked again, in a run", () => {
  let app: TestApp;
  let user: TestUser;
  let worker: TestWorker;
  let redirector: LocalServer;

  beforeAll(async () => {
    app = await createTestApp();
    user = await signUp(app);
    worker = await startTestWorker(app); // private networks allowed, so the first hop is reached
    redirector = await startLocalServer((req, res) => {
      const location = req.url === "/to-metadata" ? "http://169.254.169.254:9/latest/meta-data/" : "/landed";
      if (req.url === "/landed") return void res.end("landed");
      res.writeHead(302, { location }).end();
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await redirector?.close();
    await app?.close();
  });

  it("a local server's redirect to a cloud metadata address fails the run at that hop with ssrf_blocked", async () => {
    const workflowId = await createWorkflow(app, user.bearer, callingWorkflow({ url: `${redirector.url}/to-metadata`, timeout_ms: 5_000 }));
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const run = await finishedRun(app, user.organizationId, runId);
    expect(run).toMatchObject({ status: "failed", error: { blockId: "call", code: "ssrf_blocked" } });
    // Refused at the second hop: the first was made, and the error names the hop's origin.
    expect(run.error?.message).toContain("http://169.254.169.254:9");
    expect(run.error?.message).toContain("cloud metadata");
    expect(redirector.seen.requests).toEqual(["/to-metadata"]);
  });

  it("the same worker follows a redirect that stays on allowed addresses (the refusal above is the address's)", async () => {
    const workflowId = await createWorkflow(app, user.bearer, callingWorkflow({ url: `${redirector.url}/elsewhere` }));
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const run = await finishedRun(app, user.organizationId, runId);
    expect(run).toMatchObject({ status: "succeeded", output: { call: { status: 200, body: "landed" } } });
  });
});
