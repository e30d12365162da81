/**
 * Route fuzz (issue 12): every route of the OpenAPI document, plus the inbound webhook with a real
 * endpoint and its bearer secret, gets requests whose bodies start from the route's schema and are
 * then broken, with random path ids, query strings and header garbage, as an org API key, a session
 * or nobody. Every response must be < 500, a `{ error }` JSON body when ≥ 400, carry no stack trace,
 * and a 4xx must change none of the organization's rows. Fixed seed; `WEFT_FUZZ_RUNS=<n>` runs longer.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { quickstart } from "../helpers/runtime";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  minLength?: number;
  minimum?: number;
  default?: unknown;
};
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Route {
  method: string;
  path: string;
  op: Operation;
}

const SEED = 20261207;
const RUNS = Number(process.env.WEFT_FUZZ_RUNS) || 0;
/** Cases per route by default: enough to reach every generator branch, small enough for CI on 2 cores. */
const PER_ROUTE = RUNS > 0 ? RUNS : 100;

let app: TestApp;
let owner: TestUser;
let key: Record<string, string>;
let components: Record<string, Schema> = {};
const routes: Route[] = [];
/** Real ids per path parameter name, so bodies reach validation past the lookup. */
const real: Record<string, string[]> = {};
let inboundSecret = "";

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  key = (await createApiKey(app, owner, "fuzz")).headers;
  const doc = await call(app, "GET", "/api/openapi.json");
  expect(doc.status).toBe(200);
  components = doc.body.components?.schemas ?? {};
  for (const [path, methods] of Object.entries(doc.body.paths as Record<string, Record<string, Operation>>)) {
    if (path.startsWith("/api/auth/")) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      routes.push({ method: method.toUpperCase(), path, op });
    }
  }
  const wf = await call(app, "POST", "/api/workflows", { headers: key, body: { name: "fuzz", definition: quickstart } });
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  const run = await call(app, "POST", `/api/workflows/${wf.body.id}/run`, { headers: key, body: { input: { name: "Ada" } } });
  expect(run.status, JSON.stringify(run.body)).toBeLessThan(300);
  const schedule = await call(app, "POST", "/api/schedules", { headers: key, body: { workflowId: wf.body.id, cron: "0 0 * * *" } });
  expect(schedule.status, JSON.stringify(schedule.body)).toBe(201);
  const endpoint = await call(app, "POST", `/api/workflows/${wf.body.id}/webhooks`, { headers: owner.bearer });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  const secret = await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "FUZZ_TOKEN", value: "s3cret-value" } });
  expect(secret.status, JSON.stringify(secret.body)).toBeLessThan(300);
  inboundSecret = endpoint.body.secret;
  real.id = [wf.body.id, schedule.body.id];
  real.runId = [run.body.id ?? run.body.runId];
  real.endpointId = [endpoint.body.id];
  real.version = ["1"];
  real.type = ["http_request", "greet"];
  real.name = ["FUZZ_TOKEN"];
}, 60_000);
afterAll(async () => {
  await app?.close();
});

/** One row per table: count and a digest of the org's rows (apikey: identity only, since use updates it). */
async function snapshot(): Promise<string> {
  const org = owner.organizationId;
  const rows = await app.database.sql<{ t: string; n: number; h: string | null }[]>`
    select 'workflows' t, count(*)::int n, md5(string_agg(w::text, ',' order by w.id)) h from workflows w where organization_id = ${org}
    union all select 'workflow_versions', count(*)::int, md5(string_agg(v::text, ',' order by v.workflow_id, v.version)) from workflow_versions v where organization_id = ${org}
    union all select 'runs', count(*)::int, md5(string_agg(r::text, ',' order by r.id)) from runs r where organization_id = ${org}
    union all select 'events', count(*)::int, md5(string_agg(e::text, ',' order by e::text)) from events e where organization_id = ${org}
    union all select 'schedules', count(*)::int, md5(string_agg(s::text, ',' order by s.id)) from schedules s where organization_id = ${org}
    union all select 'webhook_endpoints', count(*)::int, md5(string_agg(h::text, ',' order by h.id)) from webhook_endpoints h where organization_id = ${org}
    union all select 'secrets', count(*)::int, md5(string_agg(x::text, ',' order by x.name)) from secrets x where organization_id = ${org}
    union all select 'apikey', count(*)::int, md5(string_agg(k.id || ':' || coalesce(k.enabled::text, '') || ':' || coalesce(k.name, ''), ',' order by k.id)) from apikey k where reference_id = ${org}`;
  return JSON.stringify(rows);
}

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 10; i++) s = components[s.$ref.split("/").pop() ?? ""] ?? {};
  if (s.allOf?.length) return resolve(s.allOf[0]);
  if (s.anyOf?.length) return resolve(s.anyOf.find((x) => resolve(x).type !== "null") ?? s.anyOf[0]);
  if (s.oneOf?.length) return resolve(s.oneOf[0]);
  return s;
}

/** A plausible value for a schema: the starting point the mutations break. */
function plausible(schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (type === "object" || s.properties) {
    const out: Record<string, unknown> = {};
    if (depth < 4) for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = plausible(v, depth + 1);
    return out;
  }
  if (type === "array") return depth < 4 ? [plausible(s.items, depth + 1)] : [];
  if (type === "integer" || type === "number") return s.minimum ?? 1;
  if (type === "boolean") return true;
  if (type === "string") return "x".repeat(Math.max(1, s.minLength ?? 1));
  return null;
}

const nasty = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udfffy",
    "'; drop table runs; --",
    "' or 1=1 --",
    "{{trg.body.name}}",
    "{{__proto__.polluted}}",
    "{{constructor.constructor('return process')()}}",
    "${process.env}",
    "../../etc/passwd",
    "",
    " ",
    "%00",
    "\u202e\ufeff",
    "🙂".repeat(50),
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constant("y".repeat(70_000)),
);
const weird: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, 1.5, [], {}, [null], { __proto__: 1 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer().map((n) => {
    // Deep nesting: arrays and objects a few hundred levels down.
    let v: unknown = n;
    for (let i = 0; i < 300 + (Math.abs(n) % 500); i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

/** Breaks a plausible body: replaces, drops or adds a field (also __proto__/constructor), or replaces it all. */
function mutate(base: unknown, choice: number, value: unknown, keyName: string): unknown {
  if (base === null || typeof base !== "object" || Array.isArray(base)) return choice % 2 ? value : base;
  const out = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const keys = Object.keys(out);
  const k = keys.length ? keys[choice % keys.length] : keyName;
  switch (choice % 7) {
    case 0:
      return value;
    case 1:
      delete out[k];
      return out;
    case 2: {
      // JSON.parse so the key is an own property, as a client's JSON would make it.
      const extra = JSON.parse(`{"${["__proto__", "constructor", "prototype"][choice % 3]}": ${JSON.stringify(value) ?? "null"}}`);
      return { ...out, ...extra };
    }
    case 3: {
      const inner = out[k];
      out[k] = inner && typeof inner === "object" && !Array.isArray(inner) ? mutate(inner, choice + 1, value, keyName) : value;
      return out;
    }
    case 4:
      out[keyName] = value;
      return out;
    default:
      out[k] = value;
      return out;
  }
}

const pathId = fc.oneof(
  fc.constantFrom("%00", "a%00b", "%ff", "%", "%E2%80%AE", "..", "x".repeat(5000), "🙂", "null", "0", "-1", "1e999", "wf_" + "z".repeat(30), "%F0%9F%99%82"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "?"))),
);
const queryString = fc.oneof(
  fc.constant(""),
  fc.constantFrom(
    "?limit=-1",
    "?limit=abc",
    "?limit=1e309",
    "?limit=99999999999999999999",
    "?cursor=%00",
    "?cursor=" + "A".repeat(4000),
    "?cursor=eyJhIjoxfQ",
    "?status=%00&status=bogus",
    "?workflowId=%ff",
    "?a[b]=1&__proto__[x]=1",
    "?since=not-a-date",
    "?limit=1&limit=2",
    "?%",
  ),
  fc.dictionary(fc.constantFrom("limit", "cursor", "status", "workflowId", "since", "q", "version", "from", "to", "triggeredBy"), fc.string({ maxLength: 20 })).map(
    (d) => "?" + new URLSearchParams(d).toString(),
  ),
);
const garbageHeader = fc.oneof(fc.constantFrom("", "*", '"', 'W/"x"', '"1", "2"', "null", "x".repeat(3000), '"\u00ff"'), fc.string({ unit: "grapheme-ascii", maxLength: 60 }));
const contentType = fc.constantFrom("application/json", "application/json", "application/json", "application/json", "application/json", "application/json", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "");
const rawText = fc.oneof(
  fc.constantFrom("{", "[1,", '{"a":}', "nul", "\u0000", "'", '{"a":"\\ud800"}', '{"__proto__":{"x":1}}', "1".repeat(400), "[".repeat(5000) + "]".repeat(5000), '"\\u0000"', "{}garbage"),
  fc.string({ unit: "binary", maxLength: 200 }),
);

const auth = fc.constantFrom("key", "key", "key", "session", "none");

interface Case {
  useReal: boolean[];
  ids: string[];
  query: string;
  bodyKind: number;
  choice: number;
  value: unknown;
  keyName: string;
  raw: string;
  contentType: string;
  auth: "key" | "session" | "none";
  ifMatch?: string;
  idempotencyKey?: string;
  lastEventId?: string;
}
const caseArb: fc.Arbitrary<Case> = fc.record(
  {
    useReal: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    ids: fc.array(pathId, { minLength: 3, maxLength: 3 }),
    query: queryString,
    bodyKind: fc.nat(9),
    choice: fc.nat(1000),
    value: weird,
    keyName: fc.oneof(fc.constantFrom("__proto__", "constructor", "definition", "\u0000", "\ud800", "x".repeat(1000)), fc.string({ maxLength: 10 })),
    raw: rawText,
    contentType,
    auth,
    ifMatch: garbageHeader,
    idempotencyKey: garbageHeader,
    lastEventId: garbageHeader,
  },
  { requiredKeys: ["useReal", "ids", "query", "bodyKind", "choice", "value", "keyName", "raw", "contentType", "auth"] },
);

const STACK = /\n\s+at |\bat .+\.(ts|js|mjs):\d+|\/(work|node_modules|home)\/|Error: .*\n/;
/** Routes whose success with a real id would remove or change the fixtures every later case relies on. */
const keepFixtures = (route: Route) => route.method === "DELETE" || route.path.endsWith("/rotate");

async function fire(route: Route, c: Case): Promise<{ status: number; text: string; contentType: string | null; request: string }> {
  let n = 0;
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const i = n++;
    const ids = real[name];
    return c.useReal[i % 3] && ids && !keepFixtures(route) ? ids[c.choice % ids.length] : c.ids[i % 3];
  });
  const headers: Record<string, string> = {};
  const inbound = route.path === "/api/webhooks/{endpointId}";
  if (inbound) {
    if (c.auth !== "none") headers.authorization = c.auth === "key" ? `Bearer ${inboundSecret}` : owner.bearer.authorization;
  } else if (c.auth === "key") Object.assign(headers, key);
  else if (c.auth === "session") Object.assign(headers, owner.bearer);
  if (c.ifMatch !== undefined) headers["if-match"] = c.ifMatch;
  if (c.idempotencyKey !== undefined) headers["idempotency-key"] = c.idempotencyKey;
  if (c.lastEventId !== undefined) headers["last-event-id"] = c.lastEventId;
  let body: string | undefined;
  if (route.method !== "GET") {
    const schema = route.op.requestBody?.content?.["application/json"]?.schema;
    const base = plausible(schema);
    if (c.bodyKind < 6) body = JSON.stringify(mutate(base, c.choice, c.value, c.keyName));
    else if (c.bodyKind < 8) body = c.raw;
    else if (c.bodyKind === 8) body = JSON.stringify(base);
    if (body !== undefined) headers["content-type"] = c.bodyKind === 8 ? "application/json" : c.contentType;
    if (headers["content-type"] === "") delete headers["content-type"];
  }
  const url = path + c.query;
  const init: RequestInit = { method: route.method, headers, body };
  const request = `${route.method} ${url.slice(0, 300)} headers=${JSON.stringify(headers).slice(0, 400)} body=${(body ?? "").slice(0, 400)}`;
  // The SSE stream's success path never ends by itself: read the head, then cancel the body.
  const controller = new AbortController();
  init.signal = controller.signal;
  const response = await app.api.request(url, init);
  const type = response.headers.get("content-type");
  if (type?.startsWith("text/event-stream")) {
    controller.abort();
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, text: "", contentType: type, request };
  }
  return { status: response.status, text: await response.text(), contentType: type, request };
}

describe("route fuzz", () => {
  it("finds routes in the OpenAPI document, including the inbound webhook", () => {
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.some((r) => r.path === "/api/webhooks/{endpointId}")).toBe(true);
  });

  it(
    "every route: < 500, `{ error }` on 4xx, no stack trace, and a 4xx changes nothing",
    async () => {
      const failures: string[] = [];
      const statuses: Record<number, number> = {};
      for (const [index, route] of routes.entries()) {
        await fc.assert(
          fc.asyncProperty(caseArb, async (c) => {
            const before = await snapshot();
            const res = await fire(route, c);
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            const problems: string[] = [];
            if (res.status >= 500) problems.push(`status ${res.status}`);
            if (STACK.test(res.text)) problems.push("stack trace in body");
            if (res.status >= 400) {
              let parsed: unknown;
              try {
                parsed = JSON.parse(res.text);
              } catch {
                parsed = undefined;
              }
              const error = (parsed as { error?: unknown } | undefined)?.error;
              if (typeof error !== "string") problems.push(`non-{error} body ${res.text.slice(0, 200)}`);
              if (res.status < 500 && (await snapshot()) !== before) problems.push("a 4xx changed the organization's rows");
            }
            if (problems.length) {
              failures.push(`${problems.join(", ")} — ${res.status} ${res.request} → ${res.text.slice(0, 300)}`);
              return false;
            }
            return true;
          }),
          { seed: SEED + index, numRuns: PER_ROUTE, endOnFailure: true },
        ).catch((error: unknown) => {
          // A thrown request (not a returned false) is a failure too; fast-check's message carries the case.
          if (!failures.length || !String(error).includes(failures[failures.length - 1].slice(0, 40))) failures.push(`${route.method} ${route.path}: ${String(error).slice(0, 1500)}`);
        });
      }
      if (process.env.WEFT_FUZZ_VERBOSE) console.log(statuses);
      expect(failures).toEqual([]);
      // Most cases must get past authentication, or the fuzz tests nothing but the 401.
      expect(Object.entries(statuses).filter(([s]) => s !== "401").reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(routes.length * PER_ROUTE * 0.5);
    },
    RUNS > 0 ? 3_600_000 : 120_000,
  );
});
