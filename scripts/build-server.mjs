/**
 * Compiles the processes `npm start` runs beside Next into plain JavaScript under dist/server/, so
 * production runs `node` on them with no TypeScript loader (tsx) at run time: it costs every
 * process tens of MB and start-up time (README, "Benchmarks"). esbuild bundles the project's own
 * code (resolving the `@/` paths of tsconfig.json) and leaves packages as imports of node_modules.
 *
 * - dist/server/start.js: the supervisor (scripts/start.ts);
 * - dist/server/web.js: the web process (web/index.ts: the API itself, pages through Next);
 * - dist/server/worker.js: the worker process (worker/index.ts);
 * - dist/server/migrate.js: `npm run db:migrate` (db/migrate-cli.ts), which the supervisor also
 *   runs as a child, so the migrator's modules never stay loaded in it;
 * - dist/server/sandbox-thread.cjs: the `code` block's thread (lib/sandbox/sandbox-thread.ts),
 *   which lib/sandbox/run-in-sandbox.ts loads without tsx when it sits beside the bundle;
 * - dist/server/migrations/: a copy of db/migrations (db/migrate.ts finds them beside itself).
 *
 * Run by `npm install` (the `prepare` script), by `npm run build:server`, and by scripts/run.mjs
 * (`npm start`, `npm run worker`) when a source changed since the last build. Plain JavaScript so
 * it runs before anything is compiled; esbuild is loaded only when a build is needed.
 */
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fingerprintFiles } from "./fingerprint.mjs";

/** The checkout: the nearest folder above this file with package.json (it is also bundled into dist/server/start.js). */
function projectRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const root = projectRoot();
export const SERVER_DIR = join(root, "dist", "server");
const STAMP = join(SERVER_DIR, ".build-stamp");

/** Everything the bundles are built from; a change in any of them rebuilds on the next start (scripts/fingerprint.mjs). */
const INPUTS = ["lib", "db", "worker", "web", "scripts/start.ts", "scripts/next-build.ts", "scripts/build-server.mjs", "scripts/fingerprint.mjs", "package-lock.json", "tsconfig.json"];

/** Builds every bundle into dist/server/ and stamps it with the inputs' fingerprint. */
export async function buildServer() {
  const stamp = fingerprintFiles(root, INPUTS);
  const { build, stop } = await import("esbuild");
  const common = {
    bundle: true,
    platform: "node",
    target: "node20",
    packages: "external",
    tsconfig: join(root, "tsconfig.json"),
    logLevel: "warning",
    legalComments: "none",
    sourcemap: "linked",
  };
  // Built beside, then swapped in, so a process starting meanwhile never sees a half-written tree.
  const out = `${SERVER_DIR}.tmp-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  await build({
    ...common,
    format: "esm",
    // Shared code in chunks; a dynamic import (embedded PostgreSQL in the supervisor) stays a lazy chunk.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    entryPoints: {
      start: join(root, "scripts/start.ts"),
      web: join(root, "web/index.ts"),
      worker: join(root, "worker/index.ts"),
      migrate: join(root, "db/migrate-cli.ts"),
    },
    outdir: out,
  });
  await build({ ...common, format: "cjs", entryPoints: [join(root, "lib/sandbox/sandbox-thread.ts")], outfile: join(out, "sandbox-thread.cjs") });
  cpSync(join(root, "db", "migrations"), join(out, "migrations"), { recursive: true });
  writeFileSync(join(out, ".build-stamp"), stamp);
  // esbuild's service is a child process that would otherwise live as long as the supervisor.
  await stop();
  rmSync(SERVER_DIR, { recursive: true, force: true });
  renameSync(out, SERVER_DIR);
}

/** Builds unless dist/server/ was built from the current sources; true when it built. */
export async function buildServerIfStale(say = () => {}) {
  if (existsSync(STAMP) && readFileSync(STAMP, "utf8") === fingerprintFiles(root, INPUTS)) return false;
  say(existsSync(STAMP) ? "sources changed since the last server build: compiling dist/server" : "compiling dist/server (the worker and the supervisor, plain JavaScript)");
  await buildServer();
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildServer();
