/**
 * The runtime migrator used by `npm start`, `npm run db:migrate`, the tests and CI: Weft's own
 * drizzle migrations (db/migrations), then openworkflow's schema, then the queue tuning and the
 * fair claim (db/admission.ts) on openworkflow's tables. Safe to run repeatedly.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { BackendPostgres } from "openworkflow/postgres";
import { installAdmission } from "./admission";
import { checkSchemaName, DEFAULT_SCHEMA, openworkflowSchemaOf, schemaPoolOptions } from "./client";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/** openworkflow's indexes that serve nothing Weft or openworkflow's code that Weft runs sends (see tuneQueueTables). */
export const UNUSED_OPENWORKFLOW_INDEXES = [
  "workflow_runs_claim_idx",
  "workflow_runs_status_available_at_created_at_idx",
  "workflow_runs_created_at_desc_idx",
  "workflow_runs_status_created_at_desc_idx",
  "workflow_runs_workflow_name_status_created_at_desc_idx",
  "workflow_runs_workflow_name_idempotency_key_created_at_idx",
  "step_attempts_workflow_run_step_name_created_at_idx",
];

/**
 * Tuning for the tables every run churns through, re-applied on each migrate (idempotent). Not a
 * drizzle migration because openworkflow's tables only exist after its own migrations, which run
 * after ours.
 * - `workflow_runs_deadline_idx` (empty: Weft sets no deadlines): the fair claim first fails
 *   runs past their deadline, as openworkflow's claim does; this spares it a pass over every
 *   active run.
 * - openworkflow's indexes for what Weft never asks of it are dropped: its own claim
 *   (`status_available_at_created_at`, and `workflow_runs_claim_idx` that Weft once added for it:
 *   Weft claims through `claim_workflow_runs`, db/admission.ts, on indexes of its own), its run
 *   listings (`created_at_desc`, `status_created_at_desc`, `workflow_name_status_created_at_desc`:
 *   Weft lists its own `runs` table) and its run idempotency keys (Weft inserts openworkflow's
 *   rows itself, without a key; its own `runs` table holds the keys). Every change of a run's
 *   status rewrites the row with new entries in every index, so each of them cost about three
 *   index insertions per run for nothing (README, "Benchmarks"). Weft reads `workflow_runs` only
 *   by primary key and through the claim's indexes. openworkflow records its migrations by
 *   version, so it does not create them again. On `step_attempts`, nothing reads by step name
 *   (openworkflow lists a run's attempts by creation time), so that index goes too.
 * - Autovacuum: these tables are updated several times per run, so they are vacuumed and analyzed
 *   after 1–2 % of their rows change instead of Postgres's default 10–20 %. Fresh statistics keep
 *   cached plans on indexes; stale ones (a table analyzed while nearly empty) turned primary-key
 *   lookups into sequential scans under load in `npm run bench -- webhooks`.
 */
async function tuneQueueTables(sql: postgres.Sql, weftSchema: string): Promise<void> {
  const owSchema = openworkflowSchemaOf(weftSchema);
  const runs = sql(`${owSchema}.workflow_runs`);
  for (const unused of UNUSED_OPENWORKFLOW_INDEXES) await sql`DROP INDEX IF EXISTS ${sql(`${owSchema}.${unused}`)}`;
  await sql`
    CREATE INDEX IF NOT EXISTS workflow_runs_deadline_idx ON ${runs} (namespace_id, deadline_at)
      WHERE status IN ('pending', 'running', 'sleeping') AND deadline_at IS NOT NULL`;
  const churned = [runs, sql(`${owSchema}.step_attempts`), sql(`${weftSchema}.runs`), sql(`${weftSchema}.run_logs`)];
  for (const table of churned) {
    await sql`
      ALTER TABLE ${table} SET (
        autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 200,
        autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 200
      )`;
  }
}

/**
 * Applies every pending migration to the database at `url`, for Weft's tables in `schema`
 * (default public) and openworkflow's beside them. Throws on failure.
 */
export async function migrateDatabase(url: string, options: { schema?: string } = {}): Promise<void> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const sql = postgres(url, { max: 1, onnotice: () => {}, ...schemaPoolOptions(schema) });
  let folder = MIGRATIONS_FOLDER;
  try {
    // One migrator at a time per database: a second `npm start` or a parallel test file waits here.
    await sql`select pg_advisory_lock(hashtext('weft:migrate'))`;
    if (schema !== DEFAULT_SCHEMA) {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
      folder = await migrationsFor(schema);
    }
    // Each schema keeps its own migration journal (public's stays where it always was: schema "drizzle").
    await migrate(drizzle({ client: sql }), { migrationsFolder: folder, migrationsSchema: schema === DEFAULT_SCHEMA ? "drizzle" : schema });
    const backend = await BackendPostgres.connect(url, { schema: openworkflowSchemaOf(schema), runMigrations: true });
    await backend.stop();
    await tuneQueueTables(sql, schema);
    await installAdmission(sql, schema);
  } finally {
    await sql.end({ timeout: 5 });
    if (folder !== MIGRATIONS_FOLDER) await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The migrations rewritten for `schema`: drizzle-kit qualifies foreign-key targets with
 * `"public".`, which would tie another schema's tables to public's rows; everything else in them
 * is unqualified and lands in the pool's search_path.
 */
async function migrationsFor(schema: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), `weft-migrations-${schema}-`));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  for (const name of await readdir(folder)) {
    if (!name.endsWith(".sql")) continue;
    const file = path.join(folder, name);
    await writeFile(file, (await readFile(file, "utf8")).replaceAll('"public".', `"${schema}".`));
  }
  return folder;
}
