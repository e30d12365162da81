/**
 * Memory and CPU of the processes a benchmark started, from /proc (Linux): every process of the
 * app's process group, named by role (the `npm start` supervisor, the web app, the worker), and the
 * backends of one PostgreSQL cluster (the postmaster's children). Only these: other work on the
 * machine (another PostgreSQL, other people's tests) is not counted.
 */
import { readdirSync, readFileSync } from "node:fs";

export type Role = "npm" | "supervisor" | "web" | "worker" | "other" | "postgres" | "autovacuum" | "pg-background";

interface Proc {
  pid: number;
  role: Role;
  rssKb: number;
  /** utime + stime, clock ticks (USER_HZ, 100 here). */
  ticks: number;
}

const TICKS_PER_SECOND = 100;

function roleOf(comm: string, cmdline: string): Role {
  if (comm.startsWith("next-server") || comm === "weft-web" || cmdline.includes("dist/server/web.js")) return "web";
  if (cmdline.includes("dist/server/worker.js") || cmdline.includes("worker/index.ts")) return "worker";
  if (cmdline.includes("scripts/run.mjs") || cmdline.includes("scripts/start.ts")) return "supervisor";
  if (comm === "npm" || cmdline.startsWith("npm ")) return "npm";
  return "other";
}

/** A PostgreSQL process: a client's backend, an autovacuum worker, or another background process (WAL writer, checkpointer…). */
function postgresRole(cmdline: string): Role {
  if (cmdline.includes("autovacuum worker")) return "autovacuum";
  return /postgres: \S+ \S+ [0-9.]+\(/.test(cmdline) ? "postgres" : "pg-background";
}

/** The processes of process group `pgid` and the children of `postmaster` (0: none), now. */
export function processes(pgid: number, postmaster = 0): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      // After the command: state(0) ppid(1) pgrp(2) … utime(11) stime(12) … rss(21, pages).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      const pgrp = Number(fields[2]);
      const inGroup = pgrp === pgid;
      const pid = Number(name);
      const isPostgres = postmaster > 0 && (pid === postmaster || ppid === postmaster);
      if (!inGroup && !isPostgres) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ");
      const status = readFileSync(`/proc/${name}/status`, "utf8");
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      out.push({ pid, role: isPostgres ? postgresRole(cmdline) : roleOf(comm, cmdline), rssKb, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

/** RSS in MB by role (postgres excluded unless asked for). */
export function rssByRole(procs: Proc[]): Partial<Record<Role, number>> {
  const out: Partial<Record<Role, number>> = {};
  for (const p of procs) out[p.role] = (out[p.role] ?? 0) + p.rssKb / 1024;
  return out;
}

/** CPU milliseconds each role used between two snapshots (processes that began in between count whole). */
export function cpuMsByRole(before: Proc[], after: Proc[]): Partial<Record<Role, number>> {
  const then = new Map(before.map((p) => [p.pid, p.ticks]));
  const out: Partial<Record<Role, number>> = {};
  for (const p of after) out[p.role] = (out[p.role] ?? 0) + ((p.ticks - (then.get(p.pid) ?? 0)) * 1000) / TICKS_PER_SECOND;
  return out;
}
