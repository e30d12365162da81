/**
 * The app as it runs in production, for the HTTP benchmarks: the web process (dist/server/web.js,
 * Next built if stale) on a free port, and worker processes, with limits raised so the benchmark measures the work and
 * not the rate limiter.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort } from "@/db/embedded";
import { buildIfStale } from "@/scripts/next-build";
import { buildServerIfStale, SERVER_DIR } from "@/scripts/build-server.mjs";

const root = resolve(import.meta.dirname, "..");

export interface BenchApp {
  base: string;
  /** Starts one more worker process (compiled, as `npm start` runs it: dist/server/worker.js) on the same database. */
  startWorker(): void;
  /** Stops every process this app started. */
  stop(): Promise<void>;
}

/** Stops a child process and waits for it (SIGKILL after 15 s). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once("exit", res));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((res) => setTimeout(res, 15_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Builds if stale, starts `next start` on a free port against `databaseUrl`, waits for /api/health. */
export async function startBenchApp(databaseUrl: string): Promise<BenchApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    WEFT_BASE_URL: base,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    WEFT_SECRETS_KEY: randomBytes(32).toString("base64"),
    WEFT_RATE_LIMIT_PER_MIN: "1000000",
    WEFT_SESSION_RATE_LIMIT_PER_MIN: "1000000",
    WEFT_WEBHOOK_RATE_LIMIT_PER_MIN: "1000000",
    WEFT_AUTH_RATE_LIMIT: "off",
    LOG_LEVEL: "warn",
  };
  await buildIfStale(root, env, (m) => console.log(`[bench] ${m}`));
  await buildServerIfStale((m) => console.log(`[bench] ${m}`));
  const children: ChildProcess[] = [];
  // BENCH_CPU_PROF=<dir>: each process writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", resolve(process.env.BENCH_CPU_PROF)] : [];
  const stdio: ["ignore", "ignore", "inherit"] = ["ignore", "ignore", "inherit"];
  // The web process as `npm start` runs it (web/index.ts compiled: the API itself, pages through Next), with its preload.
  const peerHook = `--import=${pathToFileURL(join(root, "scripts/peer-address.mjs")).href}`;
  children.push(spawn(process.execPath, [...profile, peerHook, join(SERVER_DIR, "web.js")], { cwd: root, env: { ...env, PORT: String(port) }, stdio }));
  const app: BenchApp = {
    base,
    startWorker: () => void children.push(spawn(process.execPath, [...profile, join(SERVER_DIR, "worker.js")], { cwd: root, env, stdio })),
    stop: async () => {
      for (const child of children.reverse()) await stopChild(child);
    },
  };
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) return app;
    if (i > 240) {
      await app.stop();
      throw new Error("the web process did not answer within 60 s");
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}
