/**
 * The README's `http_request` and `llm_chat` examples, run word for word in bash against a served
 * control plane with a worker, in the quickstart's shell ($URL, $TOKEN, $KEY). Only the outside
 * services are swapped for one local stand-in on 127.0.0.1 (GitHub's API, the report hook, the
 * OpenAI API), which checks what each example sends; the printed answers are checked as the README
 * shows them.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bashBlock } from "@/app/docs/api/quickstart";
import { createApiKey, type TestApp, type TestUser } from "../helpers/api";
import { startWorkerTestApp } from "../helpers/runtime";
import { serveApi, type ServedApi } from "../helpers/serve";

const execute = promisify(execFile);
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let app: TestApp;
let owner: TestUser;
let key: string;
let close: (() => Promise<void>) | undefined;
let served: ServedApi;
let stand: { url: string; seen: Seen[]; close(): Promise<void> };

beforeAll(async () => {
  ({ app, user: owner, close } = await startWorkerTestApp());
  key = (await createApiKey(app, owner, "readme")).key;
  served = await serveApi(app);
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/repos/")) return res.end(JSON.stringify([{ number: 7, title: "Crash on start" }, { number: 5, title: "Docs typo" }]));
      if (req.url === "/report") return res.end(JSON.stringify({ received: true }));
      if (req.url === "/v1/chat/completions") {
        const answer = { urgency: "high", summary: "Checkout is down for everyone." };
        return res.end(
          JSON.stringify({
            model: "gpt-4.1-mini-2025-04-14",
            choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(answer) }, finish_reason: "stop" }],
            usage: { prompt_tokens: 41, completion_tokens: 18, total_tokens: 59 },
          }),
        );
      }
      res.statusCode = 404;
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stand = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
});
afterAll(async () => {
  await served?.close();
  await close?.();
  await stand?.close();
});

/** Runs the README's bash block under `heading`, with the outside services pointed at the stand-in; its stdout. */
async function runExample(heading: string): Promise<string> {
  const block = bashBlock(readme, heading);
  expect(block, heading).toBeTruthy();
  const script = block!
    .replaceAll("https://api.github.com", stand.url)
    .replaceAll("https://hooks.example.com", stand.url)
    .replaceAll("https://api.openai.com/v1", `${stand.url}/v1`);
  const { stdout } = await execute("bash", ["-euo", "pipefail", "-c", script], {
    env: { ...process.env, URL: served.url, TOKEN: owner.token, KEY: key },
    timeout: 60_000,
  });
  return stdout;
}

/** The lines of `output` that are JSON objects. */
function objects(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("the README's connector examples work as written", () => {
  it("http_request: the GET carries the secret as a bearer token and the query; the form POST carries its answer", { timeout: 90_000 }, async () => {
    const output = objects(await runExample("### `http_request`: call any HTTP API"));
    const [secret, patch, run] = output;
    expect(secret).toMatchObject({ name: "GITHUB_TOKEN" });
    expect(patch).toMatchObject({ ok: true, skipped_items: [], validation_errors: [] });
    expect(run).toMatchObject({
      status: "succeeded",
      output: {
        trg: { repo: "octo/hello" },
        issues: { status: 200, body: [{ number: 7, title: "Crash on start" }, { number: 5, title: "Docs typo" }] },
        report: { status: 200 },
      },
    });
    const get = stand.seen.find((s) => s.url.startsWith("/repos/"));
    expect(get).toMatchObject({ method: "GET", url: "/repos/octo/hello/issues?state=open&per_page=3" });
    expect(get?.headers).toMatchObject({ authorization: "Bearer ghp_your_token", accept: "application/vnd.github+json" });
    const post = stand.seen.find((s) => s.url === "/report");
    expect(post?.method).toBe("POST");
    // Field order is the stored definition's (PostgreSQL's jsonb keeps shorter keys first).
    expect(Object.fromEntries(new URLSearchParams(post?.body))).toEqual({ repo: "octo/hello", top: "Crash on start" });
    expect(post?.body).toContain("repo=octo%2Fhello");
    expect(post?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(JSON.stringify(output.slice(1))).not.toContain("ghp_your_token");
  });

  it("llm_chat: structured output reaches the log block, and a literal key is skipped with the fix and echoed nowhere", { timeout: 90_000 }, async () => {
    const output = objects(await runExample("### `llm_chat`: ask an OpenAI-compatible model"));
    const [secret, patch, run, refused] = output;
    expect(secret).toMatchObject({ name: "OPENAI_API_KEY" });
    expect(patch).toMatchObject({ ok: true, skipped_items: [] });
    expect(run).toMatchObject({
      status: "succeeded",
      output: {
        triage: {
          json: { urgency: "high", summary: "Checkout is down for everyone." },
          usage: { prompt_tokens: 41, completion_tokens: 18, total_tokens: 59 },
          finish_reason: "stop",
          model: "gpt-4.1-mini-2025-04-14",
        },
        note: { message: "high: Checkout is down for everyone." },
      },
    });
    const asked = stand.seen.find((s) => s.url === "/v1/chat/completions");
    expect(asked?.headers.authorization).toBe("Bearer sk-your-key");
    expect(JSON.parse(asked?.body ?? "{}")).toMatchObject({
      model: "gpt-4.1-mini",
      temperature: 0,
      messages: [
        { role: "system", content: "You triage support tickets." },
        { role: "user", content: "Ticket: Checkout fails for every customer since 9:00." },
      ],
      response_format: { type: "json_schema", json_schema: { name: "output", strict: true } },
    });
    expect(refused).toMatchObject({
      ok: false,
      saved: false,
      skipped_items: [{ index: 0, reason_code: "secret_required", details: { params: ["api_key"], suggested_ops: [{ params: { api_key: "{{secrets.OPENAI_API_KEY}}" } }] } }],
    });
    expect(JSON.stringify(refused)).not.toContain("sk-live-oops");
    expect(JSON.stringify(output.slice(1))).not.toContain("sk-your-key");
  });
});
