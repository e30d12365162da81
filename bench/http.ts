/**
 * Control-plane benchmark through real HTTP on loopback against `next start` (issue 3):
 * (a) throughput of GET /api/workflows/:id with an API key vs GET /health, same concurrency, same
 *     run, interleaved rounds so machine noise hits both alike (target ratio ≥ 0.5);
 * (b) p50/p99 of a 20-op patch on a 200-block workflow (target p50 ≤ 25 ms).
 */
import { startBenchApp } from "./app";
import { benchServer, freshDatabase } from "./database";
import { percentile } from "./percentiles";

const CONCURRENCY = 16;
const ROUND_MS = 2_000;
const ROUNDS = 3;
const PATCHES = 150;

async function json(res: Response): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Requests completed by CONCURRENCY loops hitting `url` for `ms`. */
async function load(url: string, headers: Record<string, string>, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${url} answered ${res.status}`);
        done++;
      }
    }),
  );
  return done;
}

/** Runs the control-plane benchmark and prints its figures. */
export async function benchHttp(): Promise<void> {
  const pg = await benchServer();
  const db = await freshDatabase(pg.url);
  const app = await startBenchApp(db.url);
  const base = app.base;
  try {
    const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email: "bench@example.com", password: "bench-password-123", name: "Bench" }),
    });
    const token = signUp.headers.get("set-auth-token");
    if (!signUp.ok || !token) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
    const session = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const key = (await json(await fetch(`${base}/api/keys`, { method: "POST", headers: session, body: JSON.stringify({ name: "bench" }) }))).key as string;
    const agent = { authorization: `Bearer ${key}`, "content-type": "application/json" };

    // A 200-block workflow: a webhook trigger and a chain of 199 greet blocks.
    const workflow = await json(await fetch(`${base}/api/workflows`, { method: "POST", headers: agent, body: JSON.stringify({ name: "bench" }) }));
    const id = workflow.id as string;
    const build: unknown[] = [{ operation_type: "add", block_id: "trg", type: "trigger_webhook" }];
    for (let i = 1; i < 200; i++) {
      build.push({ operation_type: "add", block_id: `b${i}`, type: "greet", params: { name: `{{trg.body.name}} ${i}` } });
      build.push({ operation_type: "connect", block_id: i === 1 ? "trg" : `b${i - 1}`, target_block_id: `b${i}` });
    }
    const built = await json(await fetch(`${base}/api/workflows/${id}/operations`, { method: "POST", headers: agent, body: JSON.stringify({ ops: build }) }));
    if ((built.workflow as { definition: { blocks: unknown[] } }).definition.blocks.length !== 200) throw new Error("the 200-block workflow was not built");

    // (a) throughput, interleaved rounds.
    await load(`${base}/health`, {}, 500);
    await load(`${base}/api/workflows/${id}`, agent, 500);
    let health = 0;
    let read = 0;
    for (let round = 0; round < ROUNDS; round++) {
      health += await load(`${base}/health`, {}, ROUND_MS);
      read += await load(`${base}/api/workflows/${id}`, agent, ROUND_MS);
    }
    const seconds = (ROUNDS * ROUND_MS) / 1000;
    const healthRps = health / seconds;
    const readRps = read / seconds;
    console.log(
      `GET /health: ${healthRps.toFixed(0)} req/s; GET /api/workflows/:id (API key, 200 blocks): ${readRps.toFixed(0)} req/s; ` +
        `ratio ${(readRps / healthRps).toFixed(2)} (target ≥ 0.5) [concurrency ${CONCURRENCY}, ${ROUNDS}×${ROUND_MS / 1000} s each, interleaved]`,
    );

    // (b) 20-op patches on the 200-block workflow, one at a time.
    const times: number[] = [];
    for (let n = 0; n < PATCHES; n++) {
      const ops = Array.from({ length: 20 }, (_, i) => ({
        operation_type: "update",
        block_id: `b${1 + ((n * 20 + i) % 199)}`,
        params: { name: `{{trg.body.name}} patched ${n}` },
      }));
      const started = performance.now();
      const res = await fetch(`${base}/api/workflows/${id}/operations`, { method: "POST", headers: agent, body: JSON.stringify({ ops }) });
      const body = await json(res);
      times.push(performance.now() - started);
      if (body.ok !== true) throw new Error(`patch ${n} not ok: ${String(body.summary)}`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `POST …/operations, 20 ops on 200 blocks (${PATCHES} sequential): p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 99).toFixed(1)} ms (target p50 ≤ 25 ms)`,
    );
  } finally {
    await app.stop();
    await db.drop();
    await pg.stop();
  }
}
