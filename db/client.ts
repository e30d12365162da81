/**
 * The database handle every store function takes. One postgres.js pool per process; drizzle on top.
 */
import postgres from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;

/** The Postgres schema openworkflow's tables live in (migrated by db/migrate.ts). */
export const OPENWORKFLOW_SCHEMA = "openworkflow";

export interface DatabaseHandle {
  db: Database;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/** Opens a pool on `url` (connections are made lazily, on first query). */
export function openDatabase(url: string, options: { max?: number } = {}): DatabaseHandle {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle({ client: sql, schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
