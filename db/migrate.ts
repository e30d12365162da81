/**
 * The runtime migrator used by `npm start`, `npm run db:migrate`, the tests and CI: Weft's own
 * drizzle migrations (db/migrations), then openworkflow's schema. Safe to run repeatedly.
 */
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { BackendPostgres } from "openworkflow/postgres";
import { OPENWORKFLOW_SCHEMA } from "./client";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Tuning for the tables every run churns through, re-applied on each migrate (idempotent). Not a
 * drizzle migration because openworkflow's tables only exist after its own migrations, which run
 * after ours.
 * - `workflow_runs_claim_idx`: openworkflow 0.10.1 claims with `WHERE status IN ('pending',
 *   'running', 'sleeping') AND available_at <= now() ORDER BY CASE WHEN status = 'pending' THEN 0
 *   ELSE 1 END, available_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`. Its own indexes cannot
 *   give that order, so every claim read and sorted every active run; this partial index holds
 *   only active runs, in claim order, so a claim reads the first claimable one. The same claim
 *   first fails runs past their deadline; `workflow_runs_deadline_idx` (empty: Weft sets no
 *   deadlines) spares it a pass over every active run.
 * - Autovacuum: these tables are updated several times per run, so they are vacuumed and analyzed
 *   after 1–2 % of their rows change instead of Postgres's default 10–20 %. Fresh statistics keep
 *   cached plans on indexes; stale ones (a table analyzed while nearly empty) turned primary-key
 *   lookups into sequential scans under load in `npm run bench -- webhooks`.
 */
async function tuneQueueTables(sql: postgres.Sql): Promise<void> {
  const runs = sql(`${OPENWORKFLOW_SCHEMA}.workflow_runs`);
  await sql`
    CREATE INDEX IF NOT EXISTS workflow_runs_claim_idx ON ${runs}
      (namespace_id, (CASE WHEN status = 'pending' THEN 0 ELSE 1 END), available_at, created_at)
      WHERE status IN ('pending', 'running', 'sleeping')`;
  await sql`
    CREATE INDEX IF NOT EXISTS workflow_runs_deadline_idx ON ${runs} (namespace_id, deadline_at)
      WHERE status IN ('pending', 'running', 'sleeping') AND deadline_at IS NOT NULL`;
  const churned = [runs, sql(`${OPENWORKFLOW_SCHEMA}.step_attempts`), sql("runs"), sql("run_logs")];
  for (const table of churned) {
    await sql`
      ALTER TABLE ${table} SET (
        autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 200,
        autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 200
      )`;
  }
}

/** Applies every pending migration to the database at `url`. Throws on failure. */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // One migrator at a time per database: a second `npm start` or a parallel test file waits here.
    await sql`select pg_advisory_lock(hashtext('weft:migrate'))`;
    await migrate(drizzle({ client: sql }), { migrationsFolder: MIGRATIONS_FOLDER });
    const backend = await BackendPostgres.connect(url, { schema: OPENWORKFLOW_SCHEMA, runMigrations: true });
    await backend.stop();
    await tuneQueueTables(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
