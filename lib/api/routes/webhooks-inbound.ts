/**
 * Inbound webhooks at `/api/webhooks/*` (docs/runs.md, "Inbound webhooks"), an OPEN route group: callers carry no Weft
 * session or key, they prove they hold the endpoint's secret (lib/webhooks/signature.ts).
 *
 * `/api/webhooks/whk_…` is a per-tenant endpoint; any other path is looked up among the
 * code-defined routes (./code-webhooks.ts). For an endpoint, in this order:
 * unknown or deleted (or its workflow deleted) → 404 `not_found`; method not allowed → 405
 * `method_not_allowed` with `Allow`; bad or missing credentials → 401 `invalid_signature` (no run);
 * bad `?wait` → 400 `invalid_query`, bad `Idempotency-Key` → 400 `invalid_headers`; a JSON body
 * too deep or with a NUL / lone surrogate in a string → 400 `invalid_body`; over the
 * endpoint's rate limit → 429 `rate_limited`; an `Idempotency-Key` already used (24 h) with a
 * different body → 409 `idempotency_key_reused` (no new run). Endpoints come from a cache whose runs'
 * INSERT checks the endpoint is unchanged (docs/runs.md, "Inbound webhooks"): a call whose endpoint
 * keeps changing under it gets 409 `endpoint_changed` (no run). Then `startRun` (lib/runs/start.ts, trigger
 * `webhook`) validates and dispatches, as for every other way a run starts: an invalid workflow
 * → 422 `workflow_invalid`; 202 `{ runId }`. A call that waits (`?wait`, or an endpoint whose
 * `responseMode` is `wait`) gets the workflow's own answer as soon as a `respond_webhook` block
 * records it (its status, headers and body, plus `X-Weft-Run-Id`) while the run goes on; else 200
 * `{ runId, status, output, error }` once the run finishes in time; else 202. An Idempotency-Key
 * retry that waits gets the first call's answer again (docs/runs.md, "Answering the caller").
 *
 * The rate limit is taken only by authenticated requests: it caps the runs an endpoint starts, and
 * someone who knows the URL but not the secret cannot use up the sender's budget.
 * The body limit (1 MB → 413) is applied app-wide before this router; the raw body is read here
 * once, for the HMAC and the run input. The handler is plain Hono (zod validation would read the
 * body first), so the endpoint is described to the OpenAPI document separately (./webhooks-inbound-doc.ts).
 */
import { isDeepStrictEqual } from "node:util";
import type { Context } from "hono";
import type { ContentfulStatusCode, StatusCode } from "hono/utils/http-status";
import type { AppEnv, ApiDeps } from "../context";
import { ApiError, errorResponse, unwrap } from "../errors";
import { MAX_BODY_BYTES, payloadTooLarge, rateLimitedResponse, rateLimitHeaders, unstorableBodyResponse } from "../middleware";
import type { RateLimiter } from "../rate-limit";
import { createRouter } from "../router";
import type { CodeWebhookRegistry } from "../code-webhooks";
import { toJson } from "@/lib/engine/json";
import { headerValueProblem, refusedHeaderReason, type WebhookResponse } from "@/lib/engine/webhook-response";
import type { Logger } from "@/lib/log";
import { startRun } from "@/lib/runs/start";
import type { RunWatch } from "@/lib/runtime/wait-for-change";
import { newRunId } from "@/lib/store/runs";
import { awaitWebhookAnswer, watchForAnswer } from "@/lib/runs/webhook-answer";
import { InboundEndpointCache, type InboundEndpoint, type ServedEndpoint } from "@/lib/store/webhook-endpoints";
import { RunFenceError } from "@/lib/runtime/types";
import { buildWebhookRunInput, UnstorableWebhookBodyError } from "@/lib/webhooks/run-input";
import { WEBHOOK_ENDPOINT_ID_PATTERN } from "@/lib/webhooks/secret";
import type { Actor } from "@/lib/workflows/outcome";
import { verifyWebhookCredentials, type WebhookAuthFailure } from "@/lib/webhooks/signature";
import { describeInboundEndpoint, MAX_WAIT_SECONDS } from "./webhooks-inbound-doc";

const PREFIX = "/api/webhooks";
/** How many times one call may be decided (the first maybe from the cache, then on fresh reads) while its endpoint keeps changing; then 409 `endpoint_changed`. */
const MAX_ENDPOINT_ATTEMPTS = 3;

/** The endpoint a call was served from may be stale (a refusal from the cache): serve it again from a fresh read. */
class ReadAgain extends Error {}

const FAILURE_MESSAGES: Record<WebhookAuthFailure, string> = {
  missing_credentials: "Send the endpoint secret as `Authorization: Bearer <secret>`, or sign the request with X-Weft-Signature.",
  malformed_signature: "X-Weft-Signature must be `t=<unix seconds>,v1=<64 hex digits>`.",
  timestamp_out_of_tolerance: "The X-Weft-Signature timestamp is more than 5 minutes away from now; sign with the current time.",
  mismatch: "The credentials do not match this endpoint's secret.",
};

/**
 * How long the call waits, in ms: `?wait=<seconds>` (0–30, up to 3 decimals) when given, else the
 * endpoint's `waitSeconds` in response mode `wait`, else 0. Throws 400 `invalid_query`.
 */
function waitMs(raw: string | undefined, endpoint: InboundEndpoint): number {
  if (raw === undefined) return endpoint.responseMode === "wait" ? endpoint.waitSeconds * 1000 : 0;
  const seconds = /^[0-9]{1,2}(\.[0-9]{1,3})?$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds <= MAX_WAIT_SECONDS)) {
    throw new ApiError(400, "invalid_query", `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}.`, {
      issues: [{ path: ["wait"], message: `a number from 0 to ${MAX_WAIT_SECONDS}`, code: "invalid_value" }],
    });
  }
  return Math.round(seconds * 1000);
}

/** The `Idempotency-Key` header (1–200 characters), or undefined. Throws 400 `invalid_headers`. */
function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length < 1 || raw.length > 200) {
    throw new ApiError(400, "invalid_headers", "Idempotency-Key must be 1 to 200 characters.", {
      issues: [{ path: ["idempotency-key"], message: "1 to 200 characters", code: "too_big" }],
    });
  }
  return raw;
}

/**
 * Whether a run started under an idempotency key got the same body as this request: the stored
 * input's `body` against this one as it would be stored (JSON values compared, so key order and
 * whitespace do not count; a text body must match exactly). Headers and query are not compared:
 * retries legitimately differ in them (signature timestamps, tracing headers).
 */
function sameBody(storedInput: unknown, body: unknown): boolean {
  const stored = typeof storedInput === "object" && storedInput !== null && Object.hasOwn(storedInput, "body") ? (storedInput as { body: unknown }).body : undefined;
  return isDeepStrictEqual(stored, toJson(body));
}

/**
 * Policy headers on every workflow answer: its body and content type come from the workflow (and
 * may echo the caller's data), so it must never run as a page on Weft's origin.
 */
const ANSWER_POLICY = { "content-security-policy": "default-src 'none'; frame-ancestors 'none'", "x-content-type-options": "nosniff" };

/**
 * The workflow's answer as the HTTP response: its status, its headers (the refused ones filtered
 * again, in case a row predates a rule), its body, the run's id and ANSWER_POLICY.
 */
function workflowAnswer(c: Context<AppEnv>, runId: string, answer: WebhookResponse): Response {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (refusedHeaderReason(name) === null && headerValueProblem(value) === null) headers[name] = value;
  }
  const all = { ...headers, "x-weft-run-id": runId, ...ANSWER_POLICY };
  return answer.body === null ? c.body(null, answer.status as StatusCode, all) : c.body(answer.body, answer.status as ContentfulStatusCode, all);
}

/** Takes a token from the endpoint's bucket; throws nothing, returns the 429 to send or null. */
async function overRateLimit(c: Context<AppEnv>, limiter: RateLimiter, endpointId: string): Promise<Response | null> {
  const decision = await limiter.take(`webhook:${endpointId}`);
  if (!decision.allowed) return rateLimitedResponse(c, decision, "Too many requests to this endpoint; slow down.");
  for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.header(name, value);
  return null;
}

/** The inbound sub-app. `limiter` limits each endpoint (key `webhook:<endpointId>`), apart from the per-principal buckets. */
export function inboundWebhookRoutes(deps: ApiDeps, codeWebhooks: CodeWebhookRegistry, limiter: RateLimiter) {
  const app = createRouter();
  describeInboundEndpoint(app);

  const endpoints = new InboundEndpointCache(deps.sql, deps.secretsKey);

  /** Serves a call to a per-tenant endpoint: from the cache, read again when the cached endpoint may be stale. */
  async function serveEndpointCall(c: Context<AppEnv>, endpointId: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const served = await endpoints.get(endpointId, { fresh: attempt > 0 });
      if (!served) return errorResponse(c, 404, "not_found", "No such webhook endpoint.");
      try {
        return await serveEndpoint(c, served);
      } catch (error) {
        if (!(error instanceof ReadAgain || error instanceof RunFenceError)) throw error;
        // It changed since it was read (or may have): nothing was stored; decide again on a fresh read.
        // (A run refused by its fence has taken a rate-limit token: a change mid-call costs one more.)
        endpoints.forget(endpointId);
        if (attempt + 1 >= MAX_ENDPOINT_ATTEMPTS) {
          return errorResponse(c, 409, "endpoint_changed", "The endpoint or its workflow changed while the call was handled; nothing was started. Send it again.");
        }
      }
    }
  }

  async function serveEndpoint(c: Context<AppEnv>, served: ServedEndpoint): Promise<Response> {
    const { endpoint } = served;
    if (!endpoint.methods.includes(c.req.method as InboundEndpoint["methods"][number])) {
      if (served.cached) throw new ReadAgain();
      c.header("Allow", endpoint.methods.join(", "));
      return errorResponse(c, 405, "method_not_allowed", `This endpoint accepts ${endpoint.methods.join(", ")}.`);
    }
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    // limitBody trusts a declared Content-Length (the HTTP server enforces it); this holds in process too.
    if (rawBody.byteLength > MAX_BODY_BYTES) {
      return payloadTooLarge(c);
    }
    const auth = verifyWebhookCredentials({
      authorization: c.req.header("authorization"),
      signature: c.req.header("x-weft-signature"),
      rawBody,
      secrets: endpoint.secrets,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    const log = c.get("log").child({ endpointId: endpoint.id, organizationId: endpoint.organizationId });
    if (!auth.ok) {
      // A cached endpoint may hold a secret rotated since: refuse only on what the database says.
      if (served.cached) throw new ReadAgain();
      log.info({ reason: auth.reason }, "webhook refused");
      return errorResponse(c, 401, "invalid_signature", FAILURE_MESSAGES[auth.reason]);
    }
    const wait = waitMs(c.req.query("wait"), endpoint);
    const key = idempotencyKey(c.req.header("idempotency-key"));
    let input: ReturnType<typeof buildWebhookRunInput>;
    try {
      input = buildWebhookRunInput(c.req.raw, rawBody);
    } catch (error) {
      if (error instanceof UnstorableWebhookBodyError) return unstorableBodyResponse(c, error.problem);
      throw error;
    }
    const limited = await overRateLimit(c, limiter, endpoint.id);
    if (limited) return limited;

    const actor: Actor = { organizationId: endpoint.organizationId, id: `webhook:${endpoint.id}`, kind: "system" };
    // A waiting caller watches its run from before it exists: the new run's state is then known
    // (queued, no answer) without a read, and no notification can come before the watch.
    const runId = wait > 0 ? newRunId() : undefined;
    const watch = runId === undefined ? undefined : watchForAnswer(deps, runId);
    try {
      return await answerCall(c, { endpoint, fence: served.fence, actor, input, key, wait, runId, watch, log, via: auth.via });
    } finally {
      watch?.close();
    }
  }

  /** Starts the run and answers the call: 202, or with `wait`, the run's answer or its end. */
  async function answerCall(
    c: Context<AppEnv>,
    call: {
      endpoint: InboundEndpoint;
      fence: ServedEndpoint["fence"];
      actor: Actor;
      input: ReturnType<typeof buildWebhookRunInput>;
      key: string | undefined;
      wait: number;
      runId: string | undefined;
      watch: RunWatch | undefined;
      log: Logger;
      via: string;
    },
  ): Promise<Response> {
    const { endpoint, actor, input, key, wait, log } = call;
    const { run, created } = unwrap(
      await startRun(deps, actor, {
        workflow: endpoint.workflow,
        input,
        idempotencyKey: key === undefined ? undefined : `webhook:${endpoint.id}:${key}`,
        trigger: "webhook",
        runId: call.runId,
        fence: call.fence,
      }),
    );
    if (!created && !sameBody(run.input, input.body)) {
      // Answering with the first run would tell the sender its new payload was handled.
      log.info({ runId: run.id }, "webhook idempotency key reused with another body");
      throw new ApiError(
        409,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different body in the last 24 hours; use a new key for a new request.",
      );
    }
    log.info({ runId: run.id, created, via: call.via }, "webhook accepted");
    if (wait > 0) {
      // An existing run (the same Idempotency-Key) is read as usual; the watch was on the new id.
      const fresh = created && run.id === call.runId ? call.watch : undefined;
      const answer = unwrap(await awaitWebhookAnswer(deps, actor, run.id, wait, { watch: fresh }));
      if (answer.kind === "responded") {
        log.info({ runId: run.id, status: answer.response.status }, "webhook answered by the workflow");
        return workflowAnswer(c, run.id, answer.response);
      }
      if (answer.kind === "finished") {
        const { status, output, error } = answer.run;
        return c.json({ runId: run.id, status, output, error }, 200);
      }
    }
    return c.json({ runId: run.id }, 202);
  }

  app.all("/*", async (c) => {
    const path = c.req.path.startsWith(PREFIX) ? c.req.path.slice(PREFIX.length) : c.req.path;
    const endpointId = path.slice(1);
    if (WEBHOOK_ENDPOINT_ID_PATTERN.test(endpointId)) return serveEndpointCall(c, endpointId);
    const match = codeWebhooks.match(c.req.method, path);
    if (!match) return errorResponse(c, 404, "not_found", `No webhook at ${c.req.path}.`);
    if (match.kind === "method_not_allowed") {
      c.header("Allow", match.allow.join(", "));
      return errorResponse(c, 405, "method_not_allowed", `${c.req.path} accepts ${match.allow.join(", ")}.`);
    }
    return match.handler(c);
  });

  return app;
}
