/**
 * A throwaway PostgreSQL cluster with the distribution's default durability (fsync on,
 * synchronous_commit on), started the way the n8n anchor script (n8n-webhook-bench.sh) starts
 * its own: initdb in a temporary folder, trust auth, 127.0.0.1 only, as the `postgres` OS user when
 * this process is root. For benchmarks that compare against that script on the same server kind.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  bin: string;
  /** The postmaster's pid: its children are the cluster's backends. */
  postmasterPid(): number;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<v>/bin, or `preferred`'s when installed. */
function pgBin(preferred = "15"): string {
  const root = "/usr/lib/postgresql";
  if (existsSync(join(root, preferred, "bin", "initdb"))) return join(root, preferred, "bin");
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)");
  return join(root, versions[versions.length - 1], "bin");
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root. */
export async function asPostgres(bin: string, args: string[]): Promise<string> {
  if (process.getuid?.() !== 0) return (await run(bin, args, { maxBuffer: 1 << 24 })).stdout;
  return (await run("runuser", ["-u", "postgres", "--", bin, ...args], { maxBuffer: 1 << 24 })).stdout;
}

/** initdb + start on 127.0.0.1:`port` with `max_connections`, default durability, and `extraOptions` (`-c name=value …`). */
export async function startThrowawayPostgres(port: number, maxConnections = 200, extraOptions = ""): Promise<ThrowawayPostgres> {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-durable-pg-"));
  if (process.getuid?.() === 0) {
    const id = async (flag: string) => Number((await run("id", [flag, "postgres"])).stdout.trim());
    chownSync(dir, await id("-u"), await id("-g"));
  }
  const data = join(dir, "data");
  await asPostgres(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=${maxConnections} ${extraOptions}`.trim();
  await asPostgres(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "server.log"), "-o", options, "-w", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    bin,
    postmasterPid: () => Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]),
    async destroy() {
      await asPostgres(join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => "");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
