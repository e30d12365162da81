/**
 * The agent's tools over Weft's HTTP API (docs/patch-endpoint.md, docs/runs.md), authenticated by
 * an organization API key. `run_workflow` with `wait_seconds` follows the run's event stream
 * (`GET /api/runs/:id/stream`) until its final status, so it waits on events, not on a timer.
 */
import { errorCodeOf, ToolError, type PatchResult, type Run, type WeftTransport } from "./tools";

const FINAL = new Set(["succeeded", "failed", "canceled"]);

async function request(base: string, tool: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error
  }
  if (!response.ok) {
    throw new ToolError(tool, errorCodeOf(json, `http_${response.status}`), json);
  }
  return json;
}

/** Reads the run's Server-Sent Events until a `status` event with a final status; returns that run, or null when the stream ended first. */
async function followRun(base: string, runId: string, headers: Record<string, string>, signal: AbortSignal): Promise<Run | null> {
  const response = await fetch(new URL(`/api/runs/${encodeURIComponent(runId)}/stream`, base), { headers: { ...headers, accept: "text/event-stream" }, signal });
  if (!response.ok || !response.body) throw new ToolError("run_workflow", `http_${response.status}`, await response.text());
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const lines = buffer.slice(0, end).split("\n");
      buffer = buffer.slice(end + 2);
      const event = lines.find((l) => l.startsWith("event:"))?.slice(6).trim();
      const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
      if (event !== "status" || data === "") continue;
      const run = JSON.parse(data) as Run;
      if (FINAL.has(run.status)) {
        await reader.cancel();
        return run;
      }
    }
  }
  return null;
}

/** The tools over HTTP at `url` with an organization API key. */
export function httpTransport(url: string, apiKey: string): WeftTransport {
  const auth = { authorization: `Bearer ${apiKey}` };
  return {
    description: `HTTP ${url}`,
    tools: {
      async create_workflow({ name, description }) {
        return (await request(url, "create_workflow", "POST", "/api/workflows", auth, { name, description })) as { id: string; version: number };
      },
      async patch_workflow({ workflow_id, ops, if_match, dry_run, atomic }) {
        const headers = if_match === undefined ? auth : { ...auth, "if-match": String(if_match) };
        return (await request(url, "patch_workflow", "POST", `/api/workflows/${encodeURIComponent(workflow_id)}/operations`, headers, { ops, dry_run, atomic })) as PatchResult;
      },
      async run_workflow({ workflow_id, input, wait_seconds }) {
        const started = (await request(url, "run_workflow", "POST", `/api/workflows/${encodeURIComponent(workflow_id)}/run`, auth, { input })) as { runId: string };
        const read = async () => (await request(url, "get_run", "GET", `/api/runs/${encodeURIComponent(started.runId)}`, auth)) as Run;
        if (!wait_seconds) return read();
        try {
          return (await followRun(url, started.runId, auth, AbortSignal.timeout(wait_seconds * 1000))) ?? (await read());
        } catch (error) {
          if (error instanceof Error && error.name === "TimeoutError") return read();
          throw error;
        }
      },
    },
    close: async () => {},
  };
}

/**
 * Signs a throwaway user up at `url` (a personal organization comes with it) and mints an
 * organization API key for the agent; returns the key. Needs open sign-up on that server.
 */
export async function signUpForKey(url: string): Promise<{ key: string; email: string }> {
  const email = `repair-loop-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const response = await fetch(new URL("/api/auth/sign-up/email", url), {
    method: "POST",
    // better-auth refuses a sign-up without an Origin it trusts; the app's own URL is one.
    headers: { "content-type": "application/json", origin: new URL(url).origin },
    body: JSON.stringify({ email, name: "Repair loop example", password: `pw-${crypto.randomUUID()}` }),
  });
  const token = response.headers.get("set-auth-token");
  if (!response.ok || !token) {
    throw new ToolError("sign_up", `http_${response.status}`, `${await response.text()} — sign-up is not open on ${url}? Pass WEFT_API_KEY instead.`);
  }
  const created = (await request(url, "create_key", "POST", "/api/keys", { authorization: `Bearer ${token}` }, { name: "repair-loop example" })) as { key: string };
  return { key: created.key, email };
}
