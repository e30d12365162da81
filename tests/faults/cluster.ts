/**
 * A throwaway PostgreSQL cluster the fault tests own, so they can stop and restart it without
 * touching anyone else's server: initdb in a temporary folder, pg_ctl on a free port (from 55460),
 * the distribution's binaries (`CI_PGBIN`, else the newest /usr/lib/postgresql/<v>/bin). As root,
 * Postgres runs as the `postgres` OS user, the way .ci/start-pg.sh does it.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Cluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Stops the server (`immediate`: like a crash, WAL replay on the next start; `fast`: clean). */
  stop(mode?: "immediate" | "fast"): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Whether the server is up (pg_ctl status). */
  isRunning(): Promise<boolean>;
  /** Stops it if it runs and deletes its files. */
  destroy(): Promise<void>;
}

function pgBin(): string {
  if (process.env.CI_PGBIN && existsSync(join(process.env.CI_PGBIN, "initdb"))) return process.env.CI_PGBIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)");
  return join(root, versions[versions.length - 1], "bin");
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 200; port++) if (await portIsFree(port)) return port;
  throw new Error(`no free port in ${from}–${from + 199}`);
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root. */
async function pg(bin: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  if (asRoot) await run("su", ["postgres", "-c", `${bin} ${quoted}`]);
  else await run(bin, args);
}

/** Where a cluster lives: enough to control it from another process (the test files). */
export interface ClusterInfo {
  bin: string;
  dir: string;
  port: number;
}

/** initdb + start; the cluster has a `postgres` superuser (trust auth) and max_connections 300. */
export async function startCluster(): Promise<Cluster & { info: ClusterInfo }> {
  const bin = pgBin();
  const dir = mkdtempSync("/tmp/weft-faults-pg-");
  if (process.getuid?.() === 0) {
    const id = async (flag: string) => Number((await run("id", [flag, "postgres"])).stdout.trim());
    chownSync(dir, await id("-u"), await id("-g"));
  }
  await pg(join(bin, "initdb"), ["-D", join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const cluster = clusterOf({ bin, dir, port: await freePort(55460) });
  await cluster.start();
  return cluster;
}

/** Controls the cluster described by `info` (started by startCluster, possibly in another process). */
export function clusterOf(info: ClusterInfo): Cluster & { info: ClusterInfo } {
  const { bin, dir, port } = info;
  const data = join(dir, "data");
  // Durability as in production for commits (synchronous_commit on), no fsync: an immediate stop is
  // a process crash, not an OS crash, so every acknowledged commit is still in the OS's page cache.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300`;
  const start = () => pg(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "log"), "-w", "-t", "60", "-o", options, "start"]);
  const stop = (mode: "immediate" | "fast" = "fast") => pg(join(bin, "pg_ctl"), ["-D", data, "-m", mode, "-w", "stop"]);
  const running = async () => {
    try {
      await pg(join(bin, "pg_ctl"), ["-D", data, "status"]);
      return true;
    } catch {
      return false;
    }
  };
  return {
    info,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: (mode) => stop(mode),
    start,
    isRunning: running,
    async destroy() {
      if (await running()) await stop("immediate").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
