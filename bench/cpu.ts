/**
 * CPU time by process group on Linux (from /proc), to say where a benchmark's time went: the web
 * app (`weft-web`, or `next-server` under a bare `next start`), worker processes, Postgres backends, Postgres's autovacuum workers, and the
 * benchmark itself (the load generator). Elsewhere `cpuSnapshot` returns null and the breakdown is skipped.
 */
import { readdirSync, readFileSync } from "node:fs";

export type CpuGroup = "web" | "worker" | "postgres" | "autovacuum" | "bench";
type Snapshot = Map<number, { group: CpuGroup; ticks: number }>;

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

function groupOf(pid: number, comm: string): CpuGroup | null {
  if (pid === process.pid) return "bench";
  if (comm === "postgres") return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("autovacuum") ? "autovacuum" : "postgres";
  if (comm.startsWith("next-server") || comm === "weft-web") return "web";
  if (comm !== "node") return null;
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  return cmdline.includes("dist/server/worker.js") || cmdline.includes("worker/index.ts") ? "worker" : null;
}

/** CPU ticks used so far by every process of a group, or null where /proc is not there. */
export function cpuSnapshot(): Snapshot | null {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((n) => /^[0-9]+$/.test(n)).map(Number);
  } catch {
    return null;
  }
  const snapshot: Snapshot = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const group = groupOf(pid, comm);
      if (!group) continue;
      // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      snapshot.set(pid, { group, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return snapshot;
}

/** CPU milliseconds each group used between two snapshots (processes that began in between count whole). */
export function cpuSpent(before: Snapshot, after: Snapshot): Record<CpuGroup, number> {
  const spent: Record<CpuGroup, number> = { web: 0, worker: 0, postgres: 0, autovacuum: 0, bench: 0 };
  for (const [pid, now] of after) {
    const then = before.get(pid)?.ticks ?? 0;
    spent[now.group] += ((now.ticks - then) * 1000) / TICKS_PER_SECOND;
  }
  return spent;
}

/** "web 4.1, worker 2.0, postgres 3.3, autovacuum 0.1, bench 1.2 ms CPU per request" for `count` units of work. */
export function cpuPer(before: Snapshot | null, after: Snapshot | null, count: number, unit: string): string {
  if (!before || !after) return "CPU breakdown needs /proc";
  const spent = cpuSpent(before, after);
  const parts = (Object.keys(spent) as CpuGroup[]).map((g) => `${g} ${(spent[g] / count).toFixed(2)}`);
  return `${parts.join(", ")} ms CPU per ${unit}`;
}
