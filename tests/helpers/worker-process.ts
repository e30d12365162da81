/**
 * Real worker processes for tests: the worker from source (`node --import tsx worker/index.ts`), or
 * with `compiled` as `npm run worker` and `npm start` run it (`node dist/server/worker.js`, built
 * first when stale), as a child process against a test app's database, with the app's secrets key. Kill them with
 * signals (SIGKILL, SIGTERM) to test what a crash or a shutdown does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { buildServerIfStale, SERVER_DIR } from "../../scripts/build-server.mjs";

export { until } from "./until";

const root = resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output: string[];
  /** Resolves with the exit code (null when a signal ended it) once it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The pino lines it wrote as JSON (lines that do not parse are skipped). */
  lines(): Array<Record<string, unknown>>;
}

/** Starts a worker process; resolves once it logged "worker started" (it claims from then on). */
export async function startWorkerProcess(options: {
  databaseUrl: string;
  secretsKey: Buffer;
  concurrency?: number;
  /** Run the compiled bundle (dist/server/worker.js) instead of the TypeScript source. */
  compiled?: boolean;
  /** Set or, with undefined, unset variables (`WEFT_ALLOW_PRIVATE_HTTP: undefined`: the production default). */
  env?: Record<string, string | undefined>;
}): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    WEFT_SECRETS_KEY: options.secretsKey.toString("base64"),
    WEFT_ALLOW_PRIVATE_HTTP: "1",
    WORKER_CONCURRENCY: String(options.concurrency ?? 2),
    LOG_LEVEL: "info",
    ...options.env,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  if (options.compiled) await buildServerIfStale();
  const args = options.compiled ? [join(SERVER_DIR, "worker.js")] : ["--import", "tsx", "worker/index.ts"];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once("exit", (code, signal) => res({ code, signal })),
  );
  const lines = () =>
    output
      .join("")
      .split("\n")
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`worker did not start:\n${output.join("")}`)), 60_000);
    const check = () => {
      if (output.join("").includes("worker started")) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        res();
      }
    };
    child.stdout?.on("data", check);
    void exited.then(({ code, signal }) => (clearTimeout(timer), rej(new Error(`worker exited (${code ?? signal}):\n${output.join("")}`))));
  });
  return { child, output, exited, lines };
}

/** SIGKILLs every worker in `workers` that is still running (afterAll). */
export async function killAll(workers: WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
      worker.child.kill("SIGKILL");
      await worker.exited;
    }),
  );
}
