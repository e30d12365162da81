/**
 * `respond_webhook` end to end (docs/runs.md, "Answering the caller"): HMAC-signed calls over real
 * HTTP to a real endpoint, a real worker process, real Postgres. A call that waits (`?wait`, or an
 * endpoint in response mode `wait`) gets the workflow's own status, headers and body as soon as
 * the block runs, while the run goes on; without the block, or before it, the behaviour is the one
 * webhooks always had. Also: refused headers, secrets in answers, the first answer wins,
 * Idempotency-Key retries, tenant isolation, retention, and the endpoint's response settings.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaitWebhookAnswer } from "@/lib/runs/webhook-answer";
import { sweepRetention } from "@/lib/runtime/retention";
import { openRunStorePool } from "@/lib/store/runs";
import { getWebhookAnswerState, recordWebhookResponse } from "@/lib/store/webhook-responses";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, finishedRun, runLogs, runWhen } from "../helpers/runtime";
import { serveApi, type ServedApi } from "../helpers/serve";
import { settled } from "../helpers/until";
import { killAll, startWorkerProcess, until, type WorkerProcess } from "../helpers/worker-process";

let app: TestApp;
let owner: TestUser;
let stranger: TestUser;
let served: ServedApi;
let model: http.Server;
let modelOrigin: string;
let store: postgres.Sql;
const modelCalls: unknown[] = [];
/** The value of the MODEL_KEY secret the llm_chat block authenticates with. */
const MODEL_KEY = "sk-local-model-key-7d1e";
/** Requests to the model server's `/hold/<key>`, answered only by `release(key)`. */
const held = new Map<string, http.ServerResponse>();
function release(key: string): void {
  held.get(key)?.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ released: key }));
  held.delete(key);
}
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  stranger = await signUp(app);
  served = await serveApi(app);
  const secret = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "MODEL_KEY", value: MODEL_KEY } });
  expect(secret.status, JSON.stringify(secret.body)).toBe(201);
  store = openRunStorePool(app.database.url, 2, app.database.schema);
  // A local OpenAI-compatible chat-completions model for llm_chat: it answers about the order it is asked about.
  model = http.createServer((req, res) => {
    if (req.url?.startsWith("/hold/")) return void held.set(req.url.slice("/hold/".length), res);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { model: string; messages: { role: string; content: string }[] };
      modelCalls.push({ path: req.url, authorization: req.headers.authorization, ...body });
      const question = body.messages.at(-1)?.content ?? "";
      const content = `The order ${question} ships tomorrow`;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: "chatcmpl-local",
          object: "chat.completion",
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => model.listen(0, "127.0.0.1", resolve));
  modelOrigin = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
  // Its own retention sweeper is off: the retention test sweeps by itself.
  workers.push(
    await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: 4, env: { WEFT_RETENTION_SWEEP_INTERVAL_MS: "0" } }),
  );
});
afterAll(async () => {
  for (const key of [...held.keys()]) release(key);
  await killAll(workers);
  await served?.close();
  await new Promise<void>((resolve) => (model ? model.close(() => resolve()) : resolve()));
  await store?.end();
  await app?.close();
});

const webhookTrigger = { id: "trg", type: "trigger_webhook", params: {} };

/** trg → ask (llm_chat, the local model) → shape (code) → answer (respond_webhook) → hold (an event only the test sends) → done. */
const assistant = {
  blocks: [
    webhookTrigger,
    {
      id: "ask",
      type: "llm_chat",
      params: { base_url: "", model: "local-model", api_key: "{{secrets.MODEL_KEY}}", system: "Answer about orders.", prompt: "{{trg.body.order}}" },
    },
    {
      id: "shape",
      type: "code",
      params: {
        input: { text: "{{ask.text}}" },
        code: "return { answer: input.text.toUpperCase(), words: input.text.split(' ').length };",
      },
    },
    {
      id: "answer",
      type: "respond_webhook",
      params: {
        status: 201,
        headers: { "X-Answer-Source": "model", "Cache-Control": "no-store" },
        body: { answer: "{{shape.value.answer}}", words: "{{shape.value.words}}", order: "{{trg.body.order}}" },
      },
    },
    { id: "hold", type: "wait_for_event", params: { event: "release" } },
    { id: "done", type: "log", params: { message: "released" } },
  ],
  edges: [
    { source: "trg", target: "ask" },
    { source: "ask", target: "shape" },
    { source: "shape", target: "answer" },
    { source: "answer", target: "hold" },
    { source: "hold", target: "done" },
  ],
};

function assistantWorkflow() {
  const definition = structuredClone(assistant);
  (definition.blocks[1].params as { base_url: string }).base_url = `${modelOrigin}/v1`;
  return definition;
}

/** trg → gate (waits for "go") → answer → done: the block runs only once the test says so. */
const gated = {
  blocks: [
    webhookTrigger,
    { id: "gate", type: "wait_for_event", params: { event: "go" } },
    { id: "answer", type: "respond_webhook", params: { status: 202, headers: { "X-Queue": "gated" }, body: { accepted: "{{trg.body.id}}" } } },
    { id: "done", type: "log", params: { message: "done" } },
  ],
  edges: [
    { source: "trg", target: "gate" },
    { source: "gate", target: "answer" },
    { source: "answer", target: "done" },
  ],
};

async function newWorkflow(definition: unknown, user = owner): Promise<string> {
  return createWorkflow(app, user.bearer, definition, "respond test");
}

interface Endpoint {
  id: string;
  url: string;
  secret: string;
  responseMode: string;
  waitSeconds: number;
}

async function newEndpoint(workflowId: string, options: Record<string, unknown> = {}, user = owner): Promise<Endpoint> {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: user.bearer, body: options });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A POST to the endpoint over real HTTP, signed with X-Weft-Signature over the exact body. */
async function deliver(endpoint: Endpoint, body: unknown, options: { query?: string; headers?: Record<string, string> } = {}) {
  const raw = JSON.stringify(body);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", endpoint.secret).update(`${t}.${raw}`).digest("hex");
  const response = await fetch(`${served.url}/api/webhooks/${endpoint.id}${options.query ?? ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-weft-signature": `t=${t},v1=${v1}`, ...options.headers },
    body: raw,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function sendEvent(runId: string, event: string): Promise<void> {
  const res = await call(app, "POST", `/api/runs/${runId}/events`, { headers: owner.bearer, body: { event } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

async function runCount(organizationId = owner.organizationId): Promise<number> {
  const [row] = await app.database.sql<{ n: number }[]>`select count(*)::int as n from runs where organization_id = ${organizationId}`;
  return row.n;
}

describe("a workflow that answers its caller", () => {
  it("a signed ?wait call gets the block's status, headers and templated body while the run goes on; the run ends only once released", async () => {
    const endpoint = await newEndpoint(await newWorkflow(assistantWorkflow()));
    const res = await deliver(endpoint, { order: "o-17" }, { query: "?wait=25" });

    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-answer-source")).toBe("model");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.json()).toEqual({ answer: "THE ORDER O-17 SHIPS TOMORROW", words: 5, order: "o-17" });
    expect(res.text).not.toContain(MODEL_KEY);
    const runId = res.headers.get("x-weft-run-id")!;
    expect(runId).toMatch(/^run_/);
    expect(modelCalls.at(-1)).toMatchObject({
      path: "/v1/chat/completions",
      authorization: `Bearer ${MODEL_KEY}`,
      model: "local-model",
      messages: [
        { role: "system", content: "Answer about orders." },
        { role: "user", content: "o-17" },
      ],
    });

    // The caller has its answer; the run is parked on `hold`, which only this test can release.
    const parked = await runWhen(app, owner.organizationId, runId, (run) => run.status === "waiting");
    expect(parked.output).toMatchObject({ answer: { status: 201, responded: true } });
    expect(parked.output).not.toHaveProperty("done");
    await sendEvent(runId, "release");
    const finished = await finishedRun(app, owner.organizationId, runId);
    expect(finished.status).toBe("succeeded");
    expect(finished.output).toMatchObject({ answer: { status: 201, responded: true }, done: { message: "released" } });
  });

  it("an endpoint in response mode wait answers a call without ?wait; ?wait=0 on the call still answers 202 at once", async () => {
    const endpoint = await newEndpoint(await newWorkflow(assistantWorkflow()), { responseMode: "wait", waitSeconds: 25 });
    expect(endpoint).toMatchObject({ responseMode: "wait", waitSeconds: 25 });

    const answered = await deliver(endpoint, { order: "o-18" });
    expect(answered.status, answered.text).toBe(201);
    expect(answered.json()).toMatchObject({ order: "o-18" });

    const immediate = await deliver(endpoint, { order: "o-19" }, { query: "?wait=0" });
    expect(immediate.status).toBe(202);
    expect(immediate.json()).toEqual({ runId: expect.stringMatching(/^run_/) });
    expect(immediate.headers.get("x-weft-run-id")).toBeNull();

    for (const runId of [answered.headers.get("x-weft-run-id")!, immediate.json().runId as string]) {
      await runWhen(app, owner.organizationId, runId, (run) => run.status === "waiting");
      await sendEvent(runId, "release");
      expect((await finishedRun(app, owner.organizationId, runId)).status).toBe("succeeded");
    }
  });

  it("without a respond_webhook block nothing changes: ?wait (or response mode wait) returns the finished run, no ?wait returns 202", async () => {
    const workflowId = await newWorkflow({
      blocks: [webhookTrigger, { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } }],
      edges: [{ source: "trg", target: "greet" }],
    });
    for (const [endpoint, query] of [
      [await newEndpoint(workflowId), "?wait=20"],
      [await newEndpoint(workflowId, { responseMode: "wait", waitSeconds: 20 }), ""],
    ] as const) {
      const res = await deliver(endpoint, { name: "Ada" }, { query });
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual({ runId: expect.stringMatching(/^run_/), status: "succeeded", output: expect.objectContaining({ greet: { message: "Hello, Ada!" } }), error: null });
      expect(res.headers.get("x-weft-run-id")).toBeNull();
    }
    const accepted = await deliver(await newEndpoint(workflowId), { name: "Ada" });
    expect(accepted.status).toBe(202);
  });

  it("a run that fails before answering gives a waiting caller the failed run, as before", async () => {
    const endpoint = await newEndpoint(
      await newWorkflow({
        blocks: [
          webhookTrigger,
          { id: "boom", type: "code", params: { code: "throw new Error('no stock')" } },
          { id: "answer", type: "respond_webhook", params: { body: "never" } },
        ],
        edges: [
          { source: "trg", target: "boom" },
          { source: "boom", target: "answer" },
        ],
      }),
    );
    const res = await deliver(endpoint, {}, { query: "?wait=20" });
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toMatchObject({ status: "failed", error: { blockId: "boom", code: "uncaught_error" } });
  });
});

describe("waiting, retries and repeats", () => {
  it("a wait that ends before the block runs is 202; a waiting Idempotency-Key retry later gets the recorded answer again, and starts nothing", async () => {
    const endpoint = await newEndpoint(await newWorkflow(gated));
    const first = await deliver(endpoint, { id: "d-1" }, { query: "?wait=0.3", headers: { "idempotency-key": "delivery-1" } });
    expect(first.status).toBe(202);
    const runId = first.json().runId as string;

    await runWhen(app, owner.organizationId, runId, (run) => run.status === "waiting");
    await sendEvent(runId, "go");
    expect((await finishedRun(app, owner.organizationId, runId)).output).toMatchObject({ answer: { status: 202, responded: true } });

    const before = await runCount();
    const retry = await deliver(endpoint, { id: "d-1" }, { query: "?wait=5", headers: { "idempotency-key": "delivery-1" } });
    expect(retry.status).toBe(202);
    expect(retry.headers.get("x-queue")).toBe("gated");
    expect(retry.headers.get("x-weft-run-id")).toBe(runId);
    expect(retry.json()).toEqual({ accepted: "d-1" });
    // Without a wait a retry is answered as always: 202 with the same run.
    const plain = await deliver(endpoint, { id: "d-1" }, { headers: { "idempotency-key": "delivery-1" } });
    expect(plain.json()).toEqual({ runId });
    expect(plain.headers.get("x-queue")).toBeNull();
    expect(await runCount()).toBe(before);
  });

  it("a call that is still waiting when the block runs gets the workflow's answer", async () => {
    const endpoint = await newEndpoint(await newWorkflow(gated), { responseMode: "wait", waitSeconds: 30 });
    const pending = deliver(endpoint, { id: "d-2" });
    const runIdOf = async () =>
      (await app.database.sql<{ id: string }[]>`select id from runs where organization_id = ${owner.organizationId} and input->'body'->>'id' = 'd-2'`)[0]?.id;
    await until(async () => (await runIdOf()) !== undefined, 20_000, "the call's run to exist");
    const runId = (await runIdOf())!;
    await runWhen(app, owner.organizationId, runId, (run) => run.status === "waiting");
    await sendEvent(runId, "go");
    const res = await pending;
    expect(res.status).toBe(202);
    expect(res.json()).toEqual({ accepted: "d-2" });
    expect(res.headers.get("x-weft-run-id")).toBe(runId);
  });

  it("a waiting caller is woken by the answer's own notification: with no poll, and nothing else in the run notifying, it still gets the answer", async () => {
    // trg → before (held) → answer → after (held): settling `before` notifies nobody (the run is already running),
    // and `after` holds the run open, so only the answer's own NOTIFY can wake a waiter that polls never.
    const key = `k${Date.now()}`;
    const endpoint = await newEndpoint(
      await newWorkflow({
        blocks: [
          webhookTrigger,
          { id: "before", type: "http_request", params: { method: "GET", url: `${modelOrigin}/hold/${key}-before`, timeout_ms: 120_000 } },
          { id: "answer", type: "respond_webhook", params: { body: "woken" } },
          { id: "after", type: "http_request", params: { method: "GET", url: `${modelOrigin}/hold/${key}-after`, timeout_ms: 120_000 } },
        ],
        edges: [
          { source: "trg", target: "before" },
          { source: "before", target: "answer" },
          { source: "answer", target: "after" },
        ],
      }),
    );
    const accepted = await deliver(endpoint, {});
    expect(accepted.status).toBe(202);
    const runId = accepted.json().runId as string;
    await until(() => held.has(`${key}-before`), 20_000, "the run to call the held URL");
    const actor = { organizationId: owner.organizationId, id: `webhook:${endpoint.id}`, kind: "system" as const };
    const waiting = awaitWebhookAnswer({ runtime: app.runtime, sql: app.database.sql }, actor, runId, 10 * 60_000, { pollMs: 2 ** 31 - 1 });
    release(`${key}-before`);
    const answer = await settled(waiting, 20_000, "the answer's NOTIFY to wake the waiting caller");
    expect(answer).toMatchObject({ ok: true, value: { kind: "responded", response: { status: 200, body: "woken" } } });
    expect((await app.runtime.getRun(owner.organizationId, runId))?.status).toBe("running");
    await until(() => held.has(`${key}-after`), 20_000, "the run to go on after answering");
    release(`${key}-after`);
    expect((await finishedRun(app, owner.organizationId, runId)).status).toBe("succeeded");
  });

  it("the first respond_webhook of a run wins; a second one is a no-op that logs which block answered", async () => {
    const endpoint = await newEndpoint(
      await newWorkflow({
        blocks: [
          webhookTrigger,
          { id: "first", type: "respond_webhook", params: { body: "first" } },
          { id: "second", type: "respond_webhook", params: { status: 500, body: "second" } },
        ],
        edges: [
          { source: "trg", target: "first" },
          { source: "first", target: "second" },
        ],
      }),
    );
    const res = await deliver(endpoint, {}, { query: "?wait=20" });
    expect(res.status).toBe(200);
    expect(res.text).toBe("first");
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const runId = res.headers.get("x-weft-run-id")!;
    const run = await finishedRun(app, owner.organizationId, runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toMatchObject({ first: { status: 200, responded: true }, second: { status: 500, responded: false } });
    const second = (await runLogs(app, owner.organizationId, runId)).find((entry) => entry.blockId === "second")!;
    expect(second.messages.map((m) => m.message)).toEqual([expect.stringContaining('already answered by block "first"')]);
    // A waiting retry of the same run would get the first answer: the row is the first block's.
    expect((await getWebhookAnswerState(app.database.sql, owner.organizationId, runId))?.response).toMatchObject({ status: 200, body: "first" });
  });

  it("a manual run of the same workflow succeeds: the block does nothing and logs that no webhook started the run", async () => {
    const workflowId = await newWorkflow(gated);
    const started = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: owner.bearer, body: { input: { body: { id: "m-1" } } } });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    await runWhen(app, owner.organizationId, runId, (run) => run.status === "waiting");
    await sendEvent(runId, "go");
    const run = await finishedRun(app, owner.organizationId, runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toMatchObject({ answer: { status: 202, responded: false } });
    const entry = (await runLogs(app, owner.organizationId, runId)).find((e) => e.blockId === "answer")!;
    expect(entry.messages.map((m) => m.message)).toEqual([expect.stringContaining("No webhook call started this run")]);
    expect(await getWebhookAnswerState(app.database.sql, owner.organizationId, runId)).toEqual({ finished: { status: "succeeded", output: run.output, error: null }, response: null });
  });
});

describe("what an answer may carry", () => {
  it("a refused header is an invalid_param at patch time, and a call to that workflow is 422 with no run", async () => {
    const workflowId = await newWorkflow({ blocks: [webhookTrigger], edges: [] });
    const patched = await call(app, "POST", `/api/workflows/${workflowId}/operations`, {
      headers: owner.bearer,
      body: {
        ops: [
          { operation_type: "add", block_id: "answer", type: "respond_webhook", params: { headers: { "Set-Cookie": "session=evil", "Content-Length": "1" }, body: "x" } },
          { operation_type: "connect", block_id: "trg", target_block_id: "answer" },
        ],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.validation_errors).toEqual([
      expect.objectContaining({ code: "invalid_param", block_id: "answer", field: "headers", error: expect.stringContaining("Set-Cookie may not be set") }),
      expect.objectContaining({ code: "invalid_param", block_id: "answer", field: "headers", error: expect.stringContaining("Content-Length may not be set") }),
    ]);
    const endpoint = await newEndpoint(workflowId);
    const before = await runCount();
    const res = await deliver(endpoint, {}, { query: "?wait=5" });
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ error: "workflow_invalid" });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await runCount()).toBe(before);
  });

  it("a templated header value that resolves to a CR/LF injection fails the block with invalid_param: the caller gets the failed run, no header", async () => {
    const endpoint = await newEndpoint(
      await newWorkflow({
        blocks: [webhookTrigger, { id: "answer", type: "respond_webhook", params: { headers: { "X-Echo": "{{trg.body.echo}}" }, body: "ok" } }],
        edges: [{ source: "trg", target: "answer" }],
      }),
    );
    const res = await deliver(endpoint, { echo: "a\r\nSet-Cookie: session=evil" }, { query: "?wait=20" });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ status: "failed", error: { blockId: "answer", code: "invalid_param" } });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.headers.get("x-echo")).toBeNull();
  });

  it("secret values resolved into the answer's headers or body reach the caller as [REDACTED], in the stored answer too", async () => {
    const secret = `sk-live-${Math.random().toString(36).slice(2)}`;
    const set = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "SHOP_TOKEN", value: secret } });
    expect(set.status, JSON.stringify(set.body)).toBe(201);
    const endpoint = await newEndpoint(
      await newWorkflow({
        blocks: [
          webhookTrigger,
          {
            id: "answer",
            type: "respond_webhook",
            params: { headers: { "X-Token": "{{secrets.SHOP_TOKEN}}" }, body: { token: "{{secrets.SHOP_TOKEN}}", note: "Bearer {{secrets.SHOP_TOKEN}}" } },
          },
        ],
        edges: [{ source: "trg", target: "answer" }],
      }),
    );
    const res = await deliver(endpoint, {}, { query: "?wait=20" });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ token: "[REDACTED]", note: "Bearer [REDACTED]" });
    expect(res.headers.get("x-token")).toBe("[REDACTED]");
    expect(`${res.text} ${JSON.stringify([...res.headers])}`).not.toContain(secret);
    const [row] = await app.database.sql`select * from webhook_responses where run_id = ${res.headers.get("x-weft-run-id")}`;
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("a 204 answer has no body and no content type", async () => {
    const endpoint = await newEndpoint(
      await newWorkflow({
        blocks: [webhookTrigger, { id: "answer", type: "respond_webhook", params: { status: 204, headers: { "X-Seen": "yes" } } }],
        edges: [{ source: "trg", target: "answer" }],
      }),
    );
    const res = await deliver(endpoint, {}, { query: "?wait=20" });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(res.headers.get("x-seen")).toBe("yes");
    expect(res.headers.get("content-type")).toBeNull();
  });
});

describe("tenancy and retention", () => {
  it("an answer is read only in its run's organization, and a worker cannot record one for another organization's run", async () => {
    const endpoint = await newEndpoint(await newWorkflow(gated, owner), { responseMode: "wait", waitSeconds: 1 }, owner);
    const res = await deliver(endpoint, { id: "t-1" }, { headers: { "idempotency-key": "shared-key" } });
    expect(res.status).toBe(202);
    const runId = res.json().runId as string;
    await runWhen(app, owner.organizationId, runId, (run) => run.status === "waiting");
    await sendEvent(runId, "go");
    await finishedRun(app, owner.organizationId, runId);
    expect((await getWebhookAnswerState(app.database.sql, owner.organizationId, runId))?.response).toMatchObject({ status: 202 });

    // The stranger's organization: no run, no answer, no write.
    expect(await getWebhookAnswerState(app.database.sql, stranger.organizationId, runId)).toBeNull();
    const actor = { organizationId: stranger.organizationId, id: "webhook:x", kind: "system" as const };
    expect(await awaitWebhookAnswer({ runtime: app.runtime, sql: app.database.sql }, actor, runId, 100)).toMatchObject({ ok: false, failure: { code: "not_found" } });
    expect((await call(app, "GET", `/api/runs/${runId}`, { headers: stranger.bearer })).status).toBe(404);
    const forged = await recordWebhookResponse(store, {
      runId,
      organizationId: stranger.organizationId,
      blockId: "answer",
      response: { status: 200, headers: {}, body: "forged" },
    });
    expect(forged).toEqual({ responded: false, reason: "not_webhook_run" });
    expect((await getWebhookAnswerState(app.database.sql, owner.organizationId, runId))?.response).toMatchObject({ status: 202, body: '{"accepted":"t-1"}' });

    // Its own endpoint, same Idempotency-Key and body: its own run, which has not answered.
    const theirs = await newEndpoint(await newWorkflow(gated, stranger), { responseMode: "wait", waitSeconds: 1 }, stranger);
    const other = await deliver(theirs, { id: "t-1" }, { headers: { "idempotency-key": "shared-key" } });
    expect(other.status).toBe(202);
    expect(other.json().runId).not.toBe(runId);
    expect(other.headers.get("x-queue")).toBeNull();
  });

  it("retention deletes a run's answer with the run", async () => {
    const endpoint = await newEndpoint(
      await newWorkflow({ blocks: [webhookTrigger, { id: "answer", type: "respond_webhook", params: { body: "bye" } }], edges: [{ source: "trg", target: "answer" }] }),
    );
    const res = await deliver(endpoint, {}, { query: "?wait=20" });
    expect(res.text).toBe("bye");
    const runId = res.headers.get("x-weft-run-id")!;
    await finishedRun(app, owner.organizationId, runId);
    await until(
      async () => (await app.database.sql`select 1 from openworkflow.workflow_runs w join runs r on r.ow_run_id = w.id where r.id = ${runId} and w.status = 'completed'`).length > 0,
      20_000,
      "openworkflow to complete the run",
    );
    await app.database.sql`update runs set finished_at = finished_at - interval '40 days' where id = ${runId}`;
    const swept = await sweepRetention({ sql: store, schema: app.database.schema, defaultDays: 30 });
    expect(swept.webhookResponses).toBe(1);
    expect(await app.database.sql`select 1 from webhook_responses where run_id = ${runId}`).toHaveLength(0);
  });
});

describe("the endpoint's response settings", () => {
  it("are listed, changed with PATCH (only the fields given), and a bad value is 400 invalid_body that changes nothing", async () => {
    const workflowId = await newWorkflow(gated);
    const endpoint = await newEndpoint(workflowId);
    expect(endpoint).toMatchObject({ responseMode: "accepted", waitSeconds: 10 });
    const path = `/api/workflows/${workflowId}/webhooks/${endpoint.id}`;

    const changed = await call(app, "PATCH", path, { headers: owner.bearer, body: { responseMode: "wait", waitSeconds: 30 } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ id: endpoint.id, url: endpoint.url, methods: ["POST"], responseMode: "wait", waitSeconds: 30 });
    expect(JSON.stringify(changed.body)).not.toContain(endpoint.secret);
    const methods = await call(app, "PATCH", path, { headers: owner.bearer, body: { methods: ["PUT", "POST"] } });
    expect(methods.body).toMatchObject({ methods: ["POST", "PUT"], responseMode: "wait", waitSeconds: 30 });

    for (const body of [{ responseMode: "sometimes" }, { waitSeconds: 0 }, { waitSeconds: 31 }, { waitSeconds: 1.5 }, { waitSeconds: "10" }, { secret: "x" }, { methods: [] }]) {
      const bad = await call(app, "PATCH", path, { headers: owner.bearer, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toBe("invalid_body");
    }
    for (const body of [{ responseMode: "always" }, { waitSeconds: 60 }]) {
      const bad = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const list = await call(app, "GET", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer });
    expect(list.body.data).toEqual([expect.objectContaining({ id: endpoint.id, methods: ["POST", "PUT"], responseMode: "wait", waitSeconds: 30 })]);
  });

  it("another organization's endpoint cannot be changed (404), and a deleted one is 404", async () => {
    const workflowId = await newWorkflow(gated);
    const endpoint = await newEndpoint(workflowId);
    const path = `/api/workflows/${workflowId}/webhooks/${endpoint.id}`;
    const res = await call(app, "PATCH", path, { headers: stranger.bearer, body: { responseMode: "wait" } });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
    expect((await call(app, "DELETE", path, { headers: owner.bearer })).status).toBe(204);
    expect((await call(app, "PATCH", path, { headers: owner.bearer, body: { responseMode: "wait" } })).status).toBe(404);
    const [row] = await app.database.sql`select response_mode from webhook_endpoints where id = ${endpoint.id}`;
    expect(row.response_mode).toBe("accepted");
  });
});
