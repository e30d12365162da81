/**
 * Databases for the benchmarks: the server of $DATABASE_URL, or a throwaway embedded one, and a
 * fresh migrated database on it for each benchmark.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort, startEmbeddedPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";

/** A Postgres server: $DATABASE_URL's, or an embedded one in a temp folder (fsync off). */
export async function benchServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-pg-"));
  chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user, who must enter it
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, "data"), port: await freePort(), persistent: false, fast: true });
  return { url: pg.url, stop: async () => (await pg.stop(), rmSync(dir, { recursive: true, force: true })) };
}

/** A new, migrated database on `serverUrl`; `drop` removes it. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `weft_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      if (process.env.BENCH_KEEP_DB) return console.log(`[bench] kept database ${url.toString()}`);
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await sql.end();
    },
  };
}
