/**
 * Secret values never leave a run in any form (docs/runs.md, "Templates and secrets"): a real
 * worker runs http_request blocks whose requests, responses and errors carry a secret as is,
 * lower- and uppercased, as a URL host (IDNA/punycode), URL-encoded, JSON-escaped and in base64;
 * the run, its logs and its SSE stream, read over HTTP, contain none of those forms.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { domainToASCII } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, startWorkerTestApp } from "../helpers/runtime";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;
let echo: http.Server;
let echoUrl: string;

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

/** Every form of `secret` this file checks for, each with the name the echo server gives it. */
function forms(secret: string): Record<string, string> {
  return {
    raw: secret,
    lower: secret.toLowerCase(),
    upper: secret.toUpperCase(),
    host: domainToASCII(secret), // "" when the secret cannot be a host
    component: encodeURIComponent(secret),
    uri: encodeURI(secret),
    form: new URLSearchParams({ v: secret }).toString().slice(2),
    json: JSON.stringify(secret).slice(1, -1),
    base64: base64(secret),
    base64url: base64url(secret),
    basic: `Basic ${base64(`user:${secret}`)}`,
    basicLong: `Basic ${base64(`a-longer-user:${secret}`)}`,
    bearer: base64url(`{"tok":"${secret}","n":1}`),
  };
}

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp());
  // Echoes the secret it is sent (a JSON body { token }) in every form, as text/plain lines.
  echo = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { token } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { token: string };
      const lines = Object.entries(forms(token)).filter(([, value]) => value !== "").map(([name, value]) => `${name}=${value}`);
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.setHeader("x-echo", encodeURIComponent(token));
      res.statusCode = req.url === "/fail" ? 500 : 200;
      res.end(lines.join("\n"));
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await close?.();
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
});

async function setSecret(name: string, value: string): Promise<void> {
  const res = await call(app, "POST", "/api/secrets", { headers: user.bearer, body: { name, value } });
  expect(res.status).toBe(201);
}

/** Everything a client can read about a finished run: the run, its logs and its stream, as text. */
async function everythingReadable(runId: string): Promise<{ run: string; logs: string; stream: string }> {
  const run = await call(app, "GET", `/api/runs/${runId}`, { headers: user.bearer });
  const logs = await call(app, "GET", `/api/runs/${runId}/logs?limit=100`, { headers: user.bearer });
  expect(run.status).toBe(200);
  expect(logs.status).toBe(200);
  const stream = await app.api.request(`/api/runs/${runId}/stream`, { headers: user.bearer });
  expect(stream.status).toBe(200);
  return { run: JSON.stringify(run.body), logs: JSON.stringify(logs.body), stream: await stream.text() };
}

/** Asserts that no form of `secret` appears in any readable text, in any letter case, nor JSON-escaped. */
function expectNoForm(texts: Record<string, string>, secret: string): void {
  for (const [where, text] of Object.entries(texts)) {
    // The texts are JSON (or SSE data lines of JSON): read them the way a client would, too.
    const haystacks = [text.toLowerCase(), text.replace(/\\"/g, '"').replace(/\\\\/g, "\\").toLowerCase()];
    for (const [name, form] of Object.entries(forms(secret)).filter(([, value]) => value !== "")) {
      for (const haystack of haystacks) {
        expect(haystack.includes(form.toLowerCase()), `${name} form of the secret in ${where}`).toBe(false);
      }
    }
  }
}

const trigger = { id: "trg", type: "trigger_manual", params: {} };

/** Stores `secret` as `name` and runs a workflow that POSTs `{ token: "{{secrets.<name>}}" }` to the echo server's `path`. */
async function postSecretToEcho(name: string, secret: string, path: "/ok" | "/fail") {
  await setSecret(name, secret);
  const workflowId = await createWorkflow(app, user.bearer, {
    blocks: [trigger, { id: "call", type: "http_request", params: { method: "POST", url: `${echoUrl}${path}`, body: { token: `{{secrets.${name}}}` } } }],
    edges: [{ source: "trg", target: "call" }],
  });
  const runId = await dispatchRun(app, user.bearer, workflowId);
  return { runId, run: await finishedRun(app, user.organizationId, runId) };
}

describe("secret redaction, end to end", () => {
  it("a response echoing the secret in every form (case, host, URL, JSON, base64) is redacted in the run, its logs and its stream", async () => {
    const secret = `Sëcret Tøken/"(${randomBytes(9).toString("hex")})&x=1`;
    const { runId, run } = await postSecretToEcho("ECHO_TOKEN", secret, "/ok");
    expect(run.status).toBe("succeeded");
    const body = (run.output as { call: { body: string } }).call.body;
    // The request really carried the secret: every line came back, each with its form hidden.
    for (const name of ["raw", "lower", "upper", "component", "uri", "form", "json", "base64", "base64url"]) {
      expect(body).toContain(`${name}=[REDACTED]`);
    }
    for (const name of ["basic", "basicLong", "bearer"]) expect(body).toMatch(new RegExp(`${name}=.*\\[REDACTED\\]`));
    expectNoForm(await everythingReadable(runId), secret);
  });

  it("a failed response's error and body are redacted the same way", async () => {
    const secret = `fail-Tøken-${randomBytes(9).toString("hex")}`;
    const { runId, run } = await postSecretToEcho("FAIL_TOKEN", secret, "/fail");
    expect(run.status).toBe("failed");
    expectNoForm(await everythingReadable(runId), secret);
  });

  it.each([
    ["a mixed-case ASCII host (normalised to lowercase)", () => `MiXeDHost${randomBytes(6).toString("hex")}`],
    ["a non-ASCII host (normalised to punycode)", () => `Ünïcödé${randomBytes(6).toString("hex")}`],
  ])("a URL whose host is the secret, %s, fails without the host in the error, logs or stream", async (_name, makeSecret) => {
    const secret = makeSecret();
    const name = `HOST_${randomBytes(4).toString("hex").toUpperCase()}`;
    await setSecret(name, secret);
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "call", type: "http_request", params: { method: "GET", url: `http://{{secrets.${name}}}.invalid/x` } }],
      edges: [{ source: "trg", target: "call" }],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const run = await finishedRun(app, user.organizationId, runId);
    expect(run.status).toBe("failed");
    expect(run.error?.message).toContain("[REDACTED].invalid");
    expectNoForm(await everythingReadable(runId), secret);
  });
});
