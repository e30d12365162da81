/**
 * llm_chat (lib/connectors/llm_chat.ts) run by a real worker on a real database against a local
 * stand-in for an OpenAI-compatible server on 127.0.0.1: what it sends (the resolved secret as the
 * bearer, model, messages, response_format), structured output and its validation, retries that
 * honour Retry-After, every failure's stable code, and the API key never appearing in anything a
 * client can read about the run (output, error, logs, stream), even when the provider echoes it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmChat, withoutKeyFragments } from "@/lib/connectors/llm_chat";
import type { RunResource } from "@/lib/resources/run";
import { getWorkflow } from "@/lib/store/workflows";
import { call, type TestApp, type TestUser } from "../helpers/api";
import { directContext } from "../helpers/connectors";
import { createWorkflow, dispatchRun, finishedRun, runLogs, startWorkerTestApp } from "../helpers/runtime";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;

interface Received {
  path: string;
  authorization?: string;
  body: { model: string; messages: { role: string; content: string }[]; temperature?: number; max_tokens?: number; response_format?: unknown };
  at: number;
}

/** The stand-in: what it answers depends on the model name's first word; it records every request. */
let provider: { url: string; received: Received[]; close(): Promise<void> };
const KEY = `sk-test-${randomBytes(12).toString("hex")}`;

function completion(content: string | null, extra: Record<string, unknown> = {}) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    model: "stand-in-2030-01-01",
    choices: [{ index: 0, message: { role: "assistant", content, ...extra }, finish_reason: "stop" }],
    usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
  };
}

async function startProvider() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const body = JSON.parse(raw) as Received["body"];
      received.push({ path: req.url ?? "", authorization: req.headers.authorization, body, at: performance.now() });
      const scenario = body.model.split(" ")[0];
      const seenForModel = received.filter((r) => r.body.model === body.model).length;
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(value));
      };
      const lastUser = [...body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      switch (scenario) {
        case "echo":
          return json(200, completion(`You said: ${lastUser}`));
        case "json-ok":
          return json(200, completion(JSON.stringify({ sentiment: "positive", score: 0.9 })));
        case "json-mismatch":
          return json(200, completion(JSON.stringify({ sentiment: 7, extra: true })));
        case "json-prose":
          return json(200, completion("Sure! The sentiment is positive."));
        case "rate-limited-once":
          if (seenForModel === 1) return json(429, { error: { message: "Rate limit reached for requests", type: "requests" } }, { "retry-after": "1" });
          return json(200, completion("after the wait"));
        case "down":
          return json(500, { error: { message: "The server had an error while processing your request." } });
        case "wrong-key":
          // As OpenAI does: the key partly masked; and a sloppier provider that echoes it whole.
          return json(401, { error: { message: `Incorrect API key provided: ${KEY.slice(0, 12)}********${KEY.slice(-6)}. Also: ${KEY}`, type: "invalid_request_error", code: "invalid_api_key" } });
        case "leaky":
          return json(200, completion(`your key is ${KEY} (${Buffer.from(KEY).toString("base64")})`));
        case "no-choices":
          return json(200, { id: "x", object: "list", data: [] });
        case "refuses":
          return json(200, completion(null, { refusal: "I can't help with that." }));
        case "silent":
          return; // never answers
        default:
          return json(404, { error: { message: `unknown model ${body.model}` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp());
  provider = await startProvider();
  const created = await call(app, "POST", "/api/secrets", { headers: user.bearer, body: { name: "LLM_KEY", value: KEY } });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await close?.();
  await provider?.close();
});

let modelCounter = 0;
/** A model name for `scenario`, unique to one test so per-model counts start at 0. */
const model = (scenario: string) => `${scenario} #${++modelCounter}`;

/** Runs trg → llm (llm_chat with `params`) [→ extra blocks]; returns the finished run. */
async function runChat(params: Record<string, unknown>, extra: { blocks?: unknown[]; edges?: unknown[] } = {}): Promise<RunResource> {
  const workflowId = await createWorkflow(app, user.bearer, {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "llm", type: "llm_chat", params: { base_url: `${provider.url}/v1`, api_key: "{{secrets.LLM_KEY}}", ...params } },
      ...(extra.blocks ?? []),
    ],
    edges: [{ source: "trg", target: "llm" }, ...(extra.edges ?? [])],
  });
  const runId = await dispatchRun(app, user.bearer, workflowId, { input: { text: "I love this product" } });
  return finishedRun(app, user.organizationId, runId, 60_000);
}

/** Everything a client can read about the run, as text: the run, its logs and its stream. */
async function readable(runId: string): Promise<string> {
  const run = await call(app, "GET", `/api/runs/${runId}`, { headers: user.bearer });
  const logs = await call(app, "GET", `/api/runs/${runId}/logs?limit=100`, { headers: user.bearer });
  const stream = await app.api.request(`/api/runs/${runId}/stream`, { headers: user.bearer });
  return `${JSON.stringify(run.body)}\n${JSON.stringify(logs.body)}\n${await stream.text()}`;
}

/** The llm block's error as its run log entry holds it (with `status` and `response`). */
async function blockError(runId: string): Promise<{ status?: number; response?: unknown }> {
  const [entry] = (await runLogs(app, user.organizationId, runId)).filter((e) => e.blockId === "llm");
  return entry.error as { status?: number; response?: unknown };
}

/** Fails when the key, or 8 of its characters in a row, appears in `text`. */
function expectNoKey(text: string): void {
  expect(text).not.toContain(KEY);
  for (let i = 0; i + 8 <= KEY.length; i++) expect(text, `key fragment at ${i}`).not.toContain(KEY.slice(i, i + 8));
}

describe("llm_chat against an OpenAI-compatible server", () => {
  it("sends the resolved secret as the bearer, the model, system then prompt, temperature and max_tokens; outputs text, usage, finish_reason and model", async () => {
    const name = model("echo");
    const run = await runChat({ model: name, system: "Be brief.", prompt: "Sentiment of: {{trg.text}}", temperature: 0.2, max_tokens: 50 });
    expect(run.status).toBe("succeeded");
    const sent = provider.received.find((r) => r.body.model === name);
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toEqual({
      model: name,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Sentiment of: I love this product" },
      ],
      temperature: 0.2,
      max_tokens: 50,
    });
    expect(run.output?.llm).toEqual({
      text: "You said: Sentiment of: I love this product",
      usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
      finish_reason: "stop",
      model: "stand-in-2030-01-01",
    });
    expectNoKey(await readable(run.id));
  });

  it("messages are sent as given, after system, and a later block reads {{llm.text}}", async () => {
    const name = model("echo");
    const messages = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "Say {{trg.text}}" },
    ];
    const run = await runChat({ model: name, system: "S", messages }, { blocks: [{ id: "say", type: "log", params: { message: "LLM: {{llm.text}}" } }], edges: [{ source: "llm", target: "say" }] });
    expect(run.status).toBe("succeeded");
    expect(provider.received.find((r) => r.body.model === name)?.body.messages).toEqual([{ role: "system", content: "S" }, ...messages.slice(0, 2), { role: "user", content: "Say I love this product" }]);
    expect(run.output?.say).toEqual({ message: "LLM: You said: Say I love this product" });
  });

  const schema = { type: "object", properties: { sentiment: { type: "string", enum: ["positive", "negative"] }, score: { type: "number" } }, required: ["sentiment", "score"], additionalProperties: false };

  it("with json_schema it asks for response_format json_schema (strict) and outputs the parsed object as json", async () => {
    const name = model("json-ok");
    const run = await runChat({ model: name, prompt: "{{trg.text}}", json_schema: schema }, { blocks: [{ id: "say", type: "log", params: { message: "{{llm.json.sentiment}}" } }], edges: [{ source: "llm", target: "say" }] });
    expect(run.status).toBe("succeeded");
    expect(provider.received.find((r) => r.body.model === name)?.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema, strict: true } });
    expect(run.output?.llm).toMatchObject({ json: { sentiment: "positive", score: 0.9 }, text: '{"sentiment":"positive","score":0.9}' });
    expect(run.output?.say).toEqual({ message: "positive" });
  });

  it("an answer that does not match json_schema fails the block with llm_json_invalid and each problem's path and message", async () => {
    const run = await runChat({ model: model("json-mismatch"), prompt: "x", json_schema: schema });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ blockId: "llm", code: "llm_json_invalid" });
    expect(run.error?.message).toContain("the model's JSON does not match json_schema: ");
    expect(run.error?.message).toContain('sentiment: Instance type "number" is invalid. Expected "string".');
    expect(run.error?.message).toContain("(root): Instance does not have required property \"score\".");
    expect(run.error?.message).toContain("extra: is not allowed by the schema");
    const { response } = (await blockError(run.id)) as { response: { text: string; issues: { path: string }[] } };
    expect([...new Set(response.issues.map((i) => i.path))].sort()).toEqual(["(root)", "extra", "sentiment"]);
    expect(response.text).toBe('{"sentiment":7,"extra":true}');
  });

  it("an answer that is not JSON fails with llm_json_invalid", async () => {
    const run = await runChat({ model: model("json-prose"), prompt: "x", json_schema: schema });
    expect(run.error).toMatchObject({ code: "llm_json_invalid", message: expect.stringMatching(/^the model's answer is not JSON: /) });
  });

  it("a 429 with Retry-After: 1 is asked again no sooner than a second later, and then succeeds; the retry is in the block's log", async () => {
    const name = model("rate-limited-once");
    const run = await runChat({ model: name, prompt: "x" });
    expect(run.status).toBe("succeeded");
    expect((run.output?.llm as { text: string }).text).toBe("after the wait");
    const [first, second, ...more] = provider.received.filter((r) => r.body.model === name);
    expect(more).toHaveLength(0);
    expect(second.at - first.at).toBeGreaterThanOrEqual(990);
    const [entry] = (await runLogs(app, user.organizationId, run.id)).filter((e) => e.blockId === "llm");
    expect(entry.messages.map((m) => [m.level, m.message])).toEqual([["warn", `HTTP 429 from ${provider.url}; retry 1 of 2 in 1.0 s (as Retry-After asked)`]]);
  });

  it("a 500 on every attempt fails with llm_provider_error, status 500, after 1 + retries requests", async () => {
    const name = model("down");
    const run = await runChat({ model: name, prompt: "x", retries: 1 });
    expect(run.error).toMatchObject({ code: "llm_provider_error" });
    expect((await blockError(run.id)).status).toBe(500);
    expect(run.error?.message).toBe(`${provider.url} answered HTTP 500 after 2 attempts: The server had an error while processing your request.`);
    expect(provider.received.filter((r) => r.body.model === name)).toHaveLength(2);
  });

  it("a 401 fails with llm_auth_failed and the provider's message, which never carries the key, whole or in part", async () => {
    const run = await runChat({ model: model("wrong-key"), prompt: "x" });
    expect(run.error).toMatchObject({ code: "llm_auth_failed" });
    expect((await blockError(run.id)).status).toBe(401);
    expect(run.error?.message).toMatch(new RegExp(`^${provider.url} refused the API key \\(HTTP 401\\): Incorrect API key provided: \\[REDACTED\\]`));
    expectNoKey(await readable(run.id));
  });

  it("an answer that echoes the key is redacted in the output, logs and stream", async () => {
    const run = await runChat({ model: model("leaky"), prompt: "x" });
    expect(run.status).toBe("succeeded");
    expect((run.output?.llm as { text: string }).text).toBe("your key is [REDACTED] ([REDACTED])");
    expectNoKey(await readable(run.id));
  });

  it.each([
    ["no-choices", "llm_bad_response", /did not answer with a chat completion: no choices\[0\]\.message$/],
    ["refuses", "llm_refused", /^the model refused: I can't help with that\.$/],
    ["unknown", "llm_provider_error", /answered HTTP 404: unknown model unknown/],
  ])("a %s answer fails with %s", async (scenario, code, message) => {
    const run = await runChat({ model: model(scenario), prompt: "x" });
    expect(run.error).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it("a server that never answers fails with timeout after timeout_ms", async () => {
    const run = await runChat({ model: model("silent"), prompt: "x", timeout_ms: 300, retries: 0 });
    expect(run.error).toMatchObject({ code: "timeout", message: expect.stringContaining("within 300 ms") });
  });
});

describe("a run pinned with a literal key (before api_key was secret-only)", () => {
  it("the worker refuses the block with secret_required, sends nothing, and logs its input with the value redacted", async () => {
    const name = model("echo");
    const id = await createWorkflow(app, user.bearer, {
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "llm", type: "llm_chat", params: { base_url: `${provider.url}/v1`, model: name, prompt: "x", api_key: "{{secrets.LLM_KEY}}" } },
      ],
      edges: [{ source: "trg", target: "llm" }],
    });
    const stored = await getWorkflow(app.database.db, user.organizationId, id);
    if (!stored) throw new Error("the workflow just created is missing");
    // Validation refuses such a workflow at POST …/run; the run queue below it does not validate.
    const pinned = structuredClone(stored);
    pinned.definition.blocks[1].params.api_key = KEY;
    const { run } = await app.runtime.dispatch(user.organizationId, pinned, { trigger: "api", input: {} });
    const finished = await finishedRun(app, user.organizationId, run.id, 60_000);
    expect(finished.error).toMatchObject({ blockId: "llm", code: "secret_required", message: expect.stringContaining("api_key of llm_chat takes only a {{secrets.NAME}} reference") });
    expect(provider.received.filter((r) => r.body.model === name)).toHaveLength(0);
    const [entry] = (await runLogs(app, user.organizationId, run.id)).filter((e) => e.blockId === "llm");
    expect((entry.input as { api_key: string }).api_key).toBe("[REDACTED]");
    const logs = await call(app, "GET", `/api/runs/${run.id}/logs`, { headers: user.bearer });
    expect(JSON.stringify([finished, logs.body])).not.toContain(KEY);
  });
});

describe("llm_chat without the worker", () => {
  const ctx = directContext({ runId: "run_1", blockId: "llm", organizationId: "org_1" });

  it("base_url goes through the SSRF guard: a loopback server is refused unless the operator allows private networks, and no request is sent", async () => {
    const before = provider.received.length;
    const params = llmChat.params.parse({ base_url: `${provider.url}/v1`, model: "echo", api_key: "k", prompt: "x", allow_private_network: false });
    await expect(llmChat.run!(ctx, params)).rejects.toMatchObject({ code: "ssrf_blocked" });
    expect(provider.received.length).toBe(before);
  });

  it("the params need exactly one of prompt and messages, and a usable json_schema", () => {
    const base = { model: "m", api_key: "{{secrets.K}}" };
    const issues = (params: Record<string, unknown>) => llmChat.params.safeParse({ ...base, ...params }).error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(issues({})).toEqual([["prompt", "give prompt (one user message) or messages (a conversation)"]]);
    expect(issues({ prompt: "a", messages: [{ role: "user", content: "b" }] })).toEqual([["messages", "give prompt or messages, not both: remove one"]]);
    expect(issues({ prompt: "a", json_schema: { $ref: "#/nowhere" } })?.[0][0]).toBe("json_schema");
    expect(issues({ messages: [{ role: "robot", content: "b" }] })?.[0][0]).toBe("messages.0.role");
    expect(issues({ prompt: "a" })).toBeUndefined();
  });

  it("withoutKeyFragments hides the key and any 8 characters of it in a row, nothing else", () => {
    const key = "sk-abcdefghijklmnop";
    expect(withoutKeyFragments(`bad key sk-abcdef****mnop or ${key}.`, key)).toBe("bad key [REDACTED]****mnop or [REDACTED].");
    expect(withoutKeyFragments("nothing to hide here", key)).toBe("nothing to hide here");
  });
});
