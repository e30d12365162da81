/**
 * Inbound webhook requests over HTTP with a real worker (docs/runs.md, "Inbound webhooks"): methods, what the run
 * receives (method, headers without credentials, query, body), `?wait`, `Idempotency-Key`, the
 * 1 MB body limit (also for chunked bodies, through a real HTTP server), and invalid workflows.
 */
import { createHmac } from "node:crypto";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { quickstart, startTestWorker, testRegistry } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let worker: { stop(): Promise<void> };
let greeter: { id: string; secret: string };
let auth: Record<string, string>;

beforeAll(async () => {
  app = await createTestApp({ registry: testRegistry() });
  owner = await signUp(app);
  worker = await startTestWorker(app);
  greeter = await createEndpoint(await createWorkflow(quickstart));
  auth = { authorization: `Bearer ${greeter.secret}` };
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

async function createWorkflow(definition: unknown): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "hook", definition } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function createEndpoint(workflowId: string, methods?: string[]): Promise<{ id: string; secret: string }> {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer, body: methods ? { methods } : undefined });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function runCount(): Promise<number> {
  const [row] = await app.database.sql<{ n: number }[]>`select count(*)::int as n from runs where organization_id = ${owner.organizationId}`;
  return row.n;
}

async function runInput(runId: string) {
  const run = await call(app, "GET", `/api/runs/${runId}`, { headers: owner.bearer });
  expect(run.status).toBe(200);
  return run.body.input;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  rawBody: JSON.stringify(body),
  headers: { ...auth, "content-type": "application/json", ...headers },
});

describe("methods and paths", () => {
  it("a method the endpoint does not allow gets 405 method_not_allowed with Allow, and no run", async () => {
    const before = await runCount();
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const res = await call(app, method, `/api/webhooks/${greeter.id}`, { headers: auth });
      expect(res.status, method).toBe(405);
      expect(res.body.error).toBe("method_not_allowed");
      expect(res.headers.get("allow")).toBe("POST");
    }
    expect(await runCount()).toBe(before);
  });

  it("an endpoint allowing GET and PUT runs on GET with the query, and lists both in Allow", async () => {
    const endpoint = await createEndpoint(await createWorkflow(quickstart), ["GET", "PUT"]);
    const res = await call(app, "GET", `/api/webhooks/${endpoint.id}?name=Ada&tag=a&tag=b`, { headers: { authorization: `Bearer ${endpoint.secret}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const input = await runInput(res.body.runId);
    expect(input).toMatchObject({ method: "GET", query: { name: "Ada", tag: "a" }, body: null });
    const refused = await call(app, "POST", `/api/webhooks/${endpoint.id}`, { headers: { authorization: `Bearer ${endpoint.secret}` } });
    expect(refused.status).toBe(405);
    expect(refused.headers.get("allow")).toBe("GET, PUT");
  });

  it("an unknown endpoint id, or a path that is no endpoint, is 404 not_found", async () => {
    for (const path of ["/api/webhooks/whk_aaaaaaaaaaaaaaaaaaaa", "/api/webhooks/nothing", `/api/webhooks/${greeter.id}/extra`, "/api/webhooks/"]) {
      const res = await call(app, "POST", path, json({ name: "Ada" }));
      expect(res.status, path).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
  });
});

describe("what the run receives", () => {
  it("?wait=5 returns the finished run: the JSON body reached the workflow (Hello, Ada!)", async () => {
    const res = await call(app, "POST", `/api/webhooks/${greeter.id}?wait=5`, json({ name: "Ada" }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ runId: expect.stringMatching(/^run_/), status: "succeeded", output: { greet: { message: "Hello, Ada!" } } });
    expect((await runInput(res.body.runId)).body).toEqual({ name: "Ada" });
  });

  it("headers in the run input are lower-case and carry no credentials", async () => {
    const rawBody = JSON.stringify({ name: "Ada" });
    const t = Math.floor(Date.now() / 1000);
    const res = await call(app, "POST", `/api/webhooks/${greeter.id}`, {
      rawBody,
      headers: {
        ...auth,
        "Content-Type": "application/json",
        "X-Weft-Signature": `t=${t},v1=${createHmac("sha256", greeter.secret).update(`${t}.${rawBody}`).digest("hex")}`,
        Cookie: "session=abc",
        "Proxy-Authorization": "Basic Zm9vOmJhcg==",
        "X-Api-Key": "weft_should_not_leak",
        "X-Github-Event": "push",
      },
    });
    expect(res.status).toBe(202);
    const { headers } = await runInput(res.body.runId);
    expect(headers["x-github-event"]).toBe("push");
    expect(headers["content-type"]).toBe("application/json");
    for (const name of ["authorization", "x-weft-signature", "cookie", "proxy-authorization", "x-api-key"]) expect(headers).not.toHaveProperty(name);
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(JSON.stringify(headers)).not.toContain(greeter.secret);
  });

  it("form, text and invalid-JSON bodies arrive as text; an empty body is null", async () => {
    const cases: [string, string, unknown][] = [
      ["application/x-www-form-urlencoded", "name=Ada&x=1", "name=Ada&x=1"],
      ["text/plain", "hello there", "hello there"],
      ["application/json", "{not json", "{not json"],
      ["application/vnd.api+json", '{"name":"Ada"}', { name: "Ada" }],
      ["application/xml", "<a>1</a>", "<a>1</a>"],
      ["application/json", "", null],
    ];
    for (const [type, rawBody, expected] of cases) {
      const res = await call(app, "POST", `/api/webhooks/${greeter.id}`, { rawBody, headers: { ...auth, "content-type": type } });
      expect(res.status, type).toBe(202);
      const input = await runInput(res.body.runId);
      expect(input.body, `${type} ${rawBody}`).toEqual(expected);
      expect(input.method).toBe("POST");
    }
  });

  it("?wait with a run slower than the wait answers 202 { runId } once the wait is over, and the run goes on", async () => {
    // The run naps 3 s, then waits for an event only this test sends: it cannot end before the
    // answer, and an answer that came after the nap waited far longer than asked.
    const slow = await createEndpoint(
      await createWorkflow({
        blocks: [
          { id: "trg", type: "trigger_webhook", params: {} },
          { id: "nap", type: "sleepy", params: { ms: 3_000 } },
          { id: "hold", type: "wait_for_event", params: { event: "go" } },
        ],
        edges: [
          { source: "trg", target: "nap" },
          { source: "nap", target: "hold" },
        ],
      }),
    );
    const started = Date.now();
    const res = await call(app, "POST", `/api/webhooks/${slow.id}?wait=0.5`, { rawBody: "", headers: { authorization: `Bearer ${slow.secret}` } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ runId: expect.stringMatching(/^run_/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect((await app.runtime.getRun(owner.organizationId, res.body.runId))?.status).not.toMatch(/^(succeeded|failed|canceled)$/);
    const page = await app.runtime.listLogs(owner.organizationId, res.body.runId, { limit: 100 });
    expect(page && page !== "invalid_cursor" && page.data.map((entry) => entry.blockId)).not.toContain("nap");
    // Kept until the run reaches its wait, if it is not there yet.
    await app.runtime.sendRunEvent(owner.organizationId, res.body.runId, { event: "go" });
    const done = await app.runtime.waitForRun(owner.organizationId, res.body.runId, 15_000);
    expect(done?.status).toBe("succeeded");
  });

  it("?wait outside 0–30 seconds or not a number is 400 invalid_query, and no run", async () => {
    const before = await runCount();
    for (const wait of ["31", "-1", "abc", "1e3", "", "30.0001", "100"]) {
      const res = await call(app, "POST", `/api/webhooks/${greeter.id}?wait=${wait}`, json({ name: "Ada" }));
      expect(res.status, wait).toBe(400);
      expect(res.body.error).toBe("invalid_query");
    }
    expect(await runCount()).toBe(before);
  });
});

describe("Idempotency-Key", () => {
  it("the same key is the same run; another key is another run; an over-long key is 400 and no run", async () => {
    const first = await call(app, "POST", `/api/webhooks/${greeter.id}`, json({ name: "Ada" }, { "idempotency-key": "delivery-1" }));
    const again = await call(app, "POST", `/api/webhooks/${greeter.id}`, json({ name: "Ada" }, { "idempotency-key": "delivery-1" }));
    const other = await call(app, "POST", `/api/webhooks/${greeter.id}`, json({ name: "Ada" }, { "idempotency-key": "delivery-2" }));
    expect([first.status, again.status, other.status]).toEqual([202, 202, 202]);
    expect(again.body.runId).toBe(first.body.runId);
    expect(other.body.runId).not.toBe(first.body.runId);
    const [row] = await app.database.sql`select idempotency_key from runs where id = ${first.body.runId}`;
    expect(row.idempotency_key).toBe(`webhook:${greeter.id}:delivery-1`);

    const before = await runCount();
    const long = await call(app, "POST", `/api/webhooks/${greeter.id}`, json({ name: "Ada" }, { "idempotency-key": "k".repeat(201) }));
    expect(long.status).toBe(400);
    expect(long.body.error).toBe("invalid_headers");
    expect(await runCount()).toBe(before);
  });

  it("a key reused with a different body is 409 idempotency_key_reused and starts no run; the same body (any key order, other headers) is the same run", async () => {
    const first = await call(app, "POST", `/api/webhooks/${greeter.id}`, json({ name: "Ada", n: 1 }, { "idempotency-key": "delivery-reuse" }));
    expect(first.status).toBe(202);
    const before = await runCount();
    const variants = [
      json({ name: "Grace", n: 1 }, { "idempotency-key": "delivery-reuse" }),
      json({ name: "Ada", n: 2 }, { "idempotency-key": "delivery-reuse" }),
      json({ name: "Ada" }, { "idempotency-key": "delivery-reuse" }),
      { rawBody: JSON.stringify({ name: "Ada", n: 1 }), headers: { ...auth, "content-type": "text/plain", "idempotency-key": "delivery-reuse" } },
      { rawBody: "", headers: { ...auth, "idempotency-key": "delivery-reuse" } },
    ];
    for (const request of variants) {
      const res = await call(app, "POST", `/api/webhooks/${greeter.id}`, request);
      expect({ body: request.rawBody, status: res.status, error: res.body?.error }).toEqual({ body: request.rawBody, status: 409, error: "idempotency_key_reused" });
    }
    expect(await runCount()).toBe(before);
    const same = await call(app, "POST", `/api/webhooks/${greeter.id}`, {
      rawBody: '{ "n": 1,\n "name": "Ada" }',
      headers: { ...auth, "content-type": "application/json; charset=utf-8", "idempotency-key": "delivery-reuse", "x-retry": "2" },
    });
    expect(same.status).toBe(202);
    expect(same.body.runId).toBe(first.body.runId);
    expect(await runCount()).toBe(before);

    const text = { rawBody: "plain text", headers: { ...auth, "content-type": "text/plain", "idempotency-key": "delivery-text" } };
    const textRun = await call(app, "POST", `/api/webhooks/${greeter.id}`, text);
    expect((await call(app, "POST", `/api/webhooks/${greeter.id}`, text)).body.runId).toBe(textRun.body.runId);
    const changed = await call(app, "POST", `/api/webhooks/${greeter.id}`, { ...text, rawBody: "plain text!" });
    expect(changed.status).toBe(409);
  });

  it("keys are per endpoint: the same key on another endpoint of the workflow is another run", async () => {
    const wf = await createWorkflow(quickstart);
    const a = await createEndpoint(wf);
    const b = await createEndpoint(wf);
    const send = (e: { id: string; secret: string }) =>
      call(app, "POST", `/api/webhooks/${e.id}`, { rawBody: "{}", headers: { authorization: `Bearer ${e.secret}`, "content-type": "application/json", "idempotency-key": "same" } });
    const runA = (await send(a)).body.runId;
    const runB = (await send(b)).body.runId;
    expect(runA).toEqual(expect.stringMatching(/^run_/));
    expect(runB).not.toBe(runA);
  });
});

describe("limits and refusals", () => {
  it("a body over 1 MB is 413 payload_too_large and starts no run; 1 MB exactly is accepted", async () => {
    const before = await runCount();
    const big = await call(app, "POST", `/api/webhooks/${greeter.id}`, { rawBody: "x".repeat(1024 * 1024 + 1), headers: { ...auth, "content-type": "text/plain" } });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe("payload_too_large");
    expect(await runCount()).toBe(before);
    const exact = await call(app, "POST", `/api/webhooks/${greeter.id}`, { rawBody: "x".repeat(1024 * 1024), headers: { ...auth, "content-type": "text/plain" } });
    expect(exact.status).toBe(202);
  });

  it("a streamed body with no length over 1 MB is 413 and starts no run", async () => {
    const before = await runCount();
    const chunk = new Uint8Array(64 * 1024).fill(120);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await app.api.request(`/api/webhooks/${greeter.id}`, {
      method: "POST",
      headers: { ...auth, "content-type": "text/plain" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await runCount()).toBe(before);
  });

  it("over a real HTTP connection, a chunked body over 1 MB is 413 and starts no run; a small chunked one runs", async () => {
    // A minimal Node adapter in front of the app, as a server runtime hands it a streaming Request.
    const server: Server = createServer((req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      // Like a server runtime: a streaming body; a consumer that stops reading drains the rest.
      let open = true;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          req.on("data", (data: Buffer) => open && controller.enqueue(new Uint8Array(data)));
          req.on("end", () => open && controller.close());
        },
        cancel() {
          open = false;
          req.resume();
        },
      });
      const init = { method: req.method, headers, body, duplex: "half" } as RequestInit;
      void Promise.resolve(app.api.fetch(new Request(`http://127.0.0.1${req.url}`, init))).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const post = (chunks: number) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: "127.0.0.1", port, method: "POST", path: `/api/webhooks/${greeter.id}`, headers: { ...auth, "content-type": "application/json", "transfer-encoding": "chunked" } },
          (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.write('{"name":"Ada","pad":"');
        for (let i = 0; i < chunks; i++) req.write("x".repeat(64 * 1024));
        req.end('"}');
      });
    try {
      const before = await runCount();
      const big = await post(17);
      expect(big.status).toBe(413);
      expect(JSON.parse(big.body).error).toBe("payload_too_large");
      expect(await runCount()).toBe(before);
      const small = await post(1);
      expect(small.status, small.body).toBe(202);
      expect((await runInput(JSON.parse(small.body).runId)).body.name).toBe("Ada");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a workflow with validation errors is 422 workflow_invalid (only to an authenticated sender), and no run", async () => {
    const broken = await createEndpoint(
      await createWorkflow({
        blocks: [
          { id: "trg", type: "trigger_webhook", params: {} },
          { id: "greet", type: "greet", params: {} },
        ],
        edges: [{ source: "trg", target: "greet" }],
      }),
    );
    const before = await runCount();
    const anonymous = await call(app, "POST", `/api/webhooks/${broken.id}`, { rawBody: "{}", headers: { "content-type": "application/json" } });
    expect(anonymous.status).toBe(401);
    const res = await call(app, "POST", `/api/webhooks/${broken.id}`, { rawBody: "{}", headers: { authorization: `Bearer ${broken.secret}`, "content-type": "application/json" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe("workflow_invalid");
    expect(res.body.validation_errors.length).toBeGreaterThan(0);
    expect(await runCount()).toBe(before);
  });
});
