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

/** Applies every pending migration to the database at `url`. Throws on failure. */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // One migrator at a time per database: a second `npm start` or a parallel test file waits here.
    await sql`select pg_advisory_lock(hashtext('weft:migrate'))`;
    await migrate(drizzle({ client: sql }), { migrationsFolder: MIGRATIONS_FOLDER });
    const backend = await BackendPostgres.connect(url, { schema: OPENWORKFLOW_SCHEMA, runMigrations: true });
    await backend.stop();
  } finally {
    await sql.end({ timeout: 5 });
  }
}
