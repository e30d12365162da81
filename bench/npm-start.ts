/**
 * The app as a new user starts it (`npm start`: embedded PostgreSQL, migrations, `next build` when
 * stale, web app and one worker), started the way playwright.config.ts starts it for the browser
 * tests, in a fresh state folder, for the browser benchmarks.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const root = resolve(import.meta.dirname, "..");

export interface StartedWeft {
  base: string;
  /** Where the app's output goes. */
  logFile: string;
  /** SIGTERM to the process group started here; SIGKILL after 20 s. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `node scripts/run.mjs start` (what `npm start` runs) in its own process group on `port`, with its state in
 * `dataDir` (emptied first) and its embedded PostgreSQL on `pgPort`, and waits for /health.
 * Lines starting with `[weft]` are echoed with `say`; everything goes to `<dataDir>.log`.
 */
export async function startWeft({ port, pgPort, dataDir, say }: { port: number; pgPort: number; dataDir: string; say: (line: string) => void }): Promise<StartedWeft> {
  const base = `http://127.0.0.1:${port}`;
  rmSync(join(root, dataDir), { recursive: true, force: true });
  mkdirSync(join(root, dataDir), { recursive: true });
  const logFile = join(root, `${dataDir}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ["scripts/run.mjs", "start"], {
    cwd: root,
    detached: true, // its own process group, so stop() reaches next-server, the worker and Postgres too
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      WEFT_BASE_URL: base,
      DATABASE_URL: "",
      WEFT_AUTH_RATE_LIMIT: "off",
      WEFT_DATA_DIR: dataDir,
      WEFT_EMBEDDED_PG_PORT: String(pgPort),
    },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(log, { end: false });
    createInterface({ input: stream }).on("line", (line) => line.startsWith("[weft]") && say(line));
  }
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async () => {
    if (gone || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return; // the group is gone already
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }, 20_000);
    await exited;
    clearTimeout(timer);
    log.end();
  };

  // A first start builds Next (minutes on two cores), so wait long, but not for a process that died.
  const deadline = Date.now() + 15 * 60_000;
  while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) {
    if (gone || Date.now() > deadline) {
      await stop();
      const tail = readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n");
      throw new Error(`the app ${gone ? "exited" : "did not answer /health in 15 minutes"}; the end of ${logFile}:\n${tail}`);
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  return { base, logFile, stop };
}
