/**
 * For tests/api/secrets.test.ts: runs a workflow whose blocks echo secret values back (an
 * http_request to a local echo server, a transform, a log) and then fail with one inside a URL
 * host, and reads everything a client can about it over real HTTP: the run, its logs (page by
 * page), the run lists, its definition, its Server-Sent Events stream (live, until the run ends,
 * and replayed), the workflow and its versions, and a webhook's `?wait` answer.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { call, type TestApp, type TestUser } from "../helpers/api";
import { startTestWorker } from "../helpers/runtime";
import { serveApi } from "../helpers/serve";

export interface SecretRunReads {
  /** The secret values the run used. */
  secrets: string[];
  /** Every response body read (headers included), named by what was read. */
  texts: { what: string; text: string }[];
}

interface Echoed {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers every request with what it received, as JSON, and base64 of its Authorization header. */
async function startEcho(): Promise<{ url: string; requests: Echoed[]; close(): Promise<void> }> {
  const requests: Echoed[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const echoed = { url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(echoed);
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.end(JSON.stringify({ ...echoed, authorizationBase64: Buffer.from(req.headers.authorization ?? "", "latin1").toString("base64") }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function readsOfARunUsingSecrets(app: TestApp, owner: TestUser, apiKey: Record<string, string>): Promise<SecretRunReads> {
  const hex = randomBytes(6).toString("hex");
  // Characters that change under URL-encoding (by encodeURI and by a URL parser, which differ on
  // "%", "'" and "\\") and JSON escaping, and non-ASCII (Latin-1, so it may travel in a header);
  // no "?" or "#", which would cut it in two inside a URL. And a non-ASCII value that only fits a
  // host in punycode.
  const special = `Sëcret "Tøken" /&=+%25'\\ <${hex}>`;
  const host = `Ünïcödé-${hex}`;
  for (const [name, value] of [["SPECIAL", special], ["HOST_PART", host]]) {
    expect((await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name, value } })).status).toBe(201);
  }

  const echo = await startEcho();
  const worker = await startTestWorker(app);
  const served = await serveApi(app);
  const texts: { what: string; text: string }[] = [];
  const read = async (what: string, path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${served.url}${path}`, { ...init, headers: { ...apiKey, ...(init.headers as Record<string, string>) } });
    const text = await response.text();
    texts.push({ what, text: `${JSON.stringify([...response.headers])}\n${text}` });
    return { status: response.status, text };
  };
  try {
    const definition = {
      blocks: [
        { id: "trg", type: "trigger_webhook", params: {} },
        {
          id: "echo",
          type: "http_request",
          params: {
            method: "POST",
            url: `${echo.url}/echo/{{secrets.SPECIAL}}?raw={{secrets.SPECIAL}}`,
            headers: { authorization: "Bearer {{secrets.SPECIAL}}", "x-token": "{{secrets.SPECIAL}}" },
            body: { token: "{{secrets.SPECIAL}}", host: "{{secrets.HOST_PART}}" },
          },
        },
        // `query` re-encodes the whole query string as a form would.
        { id: "form", type: "http_request", params: { method: "GET", url: `${echo.url}/form`, query: { token: "{{secrets.SPECIAL}}" } } },
        { id: "shape", type: "transform", params: { value: { token: "{{secrets.SPECIAL}}", bearer: "Bearer {{secrets.SPECIAL}}", host: "{{secrets.HOST_PART}}" } } },
        { id: "say", type: "log", params: { message: "token {{secrets.SPECIAL}}, host {{secrets.HOST_PART}}" } },
        // Fails with a DNS error that names the host (issue 12, defect 1).
        { id: "lookup", type: "http_request", params: { method: "GET", url: "http://api-{{secrets.HOST_PART}}.invalid/x" } },
      ],
      edges: [
        { source: "trg", target: "echo" },
        { source: "echo", target: "form" },
        { source: "form", target: "shape" },
        { source: "shape", target: "say" },
        { source: "say", target: "lookup" },
      ],
    };
    const created = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "echoes secrets", definition } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const workflowId = created.body.id as string;

    const dispatched = await read("dispatch", `/api/workflows/${workflowId}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: { body: { note: "hi" } } }),
    });
    expect(dispatched.status).toBe(202);
    const runId = JSON.parse(dispatched.text).runId as string;
    // Opened at once: the stream follows the run live and ends after its final status.
    const live = await read("the run's stream, live", `/api/runs/${runId}/stream`);
    expect(live.status).toBe(200);
    const statuses = [...live.text.matchAll(/^event: status\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]).status as string);
    expect(statuses.at(-1)).toBe("failed");
    for (const block of ["echo", "form", "shape", "say", "lookup"]) expect(live.text).toContain(`"blockId":"${block}"`);

    const run = await read("the run", `/api/runs/${runId}`);
    const failed = JSON.parse(run.text);
    expect(failed).toMatchObject({ status: "failed", error: { blockId: "lookup", code: "dns_error" } });
    expect(failed.error.message).toContain("[REDACTED].invalid");
    // The values were really used, and come back redacted.
    expect(echo.requests[0].body).toContain(JSON.stringify(special).slice(1, -1));
    expect(echo.requests[0].headers["x-token"]).toBe(Buffer.from(special, "utf8").toString("latin1"));
    expect(failed.output.shape.value).toEqual({ token: "[REDACTED]", bearer: "Bearer [REDACTED]", host: "[REDACTED]" });
    expect(failed.output.echo.body.body).toContain("[REDACTED]");

    let cursor: string | null = null;
    let page = 0;
    do {
      const logs = await read(`logs, page ${++page}`, `/api/runs/${runId}/logs?limit=2${cursor ? `&after=${cursor}` : ""}`);
      expect(logs.status).toBe(200);
      cursor = JSON.parse(logs.text).nextCursor;
    } while (cursor);
    expect(page).toBeGreaterThanOrEqual(3);
    await read("the run's stream, replayed", `/api/runs/${runId}/stream`);
    await read("the run's definition", `/api/runs/${runId}/definition`);
    for (const query of ["", "?status=failed", `?workflowId=${workflowId}`]) await read(`runs${query}`, `/api/runs${query}`);
    for (const path of ["", "/definition", "/versions", "/versions/1"]) await read(`workflow${path}`, `/api/workflows/${workflowId}${path}`);
    await read("workflows", "/api/workflows");

    const endpoint = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer, body: {} });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const waited = await read("a webhook's ?wait answer", `/api/webhooks/${endpoint.body.id}?wait=30`, {
      method: "POST",
      headers: { authorization: `Bearer ${endpoint.body.secret}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(waited.status).toBe(200);
    expect(JSON.parse(waited.text)).toMatchObject({ status: "failed", output: { shape: { value: { token: "[REDACTED]" } } } });
    return { secrets: [special, host], texts };
  } finally {
    await served.close();
    await worker.stop();
    await echo.close();
  }
}
