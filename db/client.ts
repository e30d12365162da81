/**
 * The database handle every store function takes. One postgres.js pool per process; drizzle on top.
 *
 * Weft's tables live in one Postgres schema, `public` unless the caller picks another (two
 * instances can then share a database: docs/architecture.md, "One database, several instances"). A
 * pool opened for a schema has it as its whole `search_path`, so every unqualified name in the
 * store and in better-auth resolves there and nowhere else. openworkflow's tables live in a schema
 * of their own beside it (`openworkflowSchemaOf`).
 */
import postgres from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;

/** The schema Weft's tables live in unless the caller picks another. */
export const DEFAULT_SCHEMA = "public";

/** A schema name Weft accepts: lowercase, so it needs no quoting, and short enough for its openworkflow twin. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

/** The Postgres schema openworkflow's tables live in for the default schema (migrated by db/migrate.ts). */
export const OPENWORKFLOW_SCHEMA = "openworkflow";

/** The schema of openworkflow's tables for Weft's tables in `weftSchema`. */
export function openworkflowSchemaOf(weftSchema: string): string {
  return weftSchema === DEFAULT_SCHEMA ? OPENWORKFLOW_SCHEMA : `${weftSchema}_openworkflow`;
}

/** Throws when `name` is not a schema name Weft accepts (a start-up error, not a request error). */
export function checkSchemaName(name: string): string {
  if (!SCHEMA_NAME_PATTERN.test(name)) {
    throw new Error(`"${name}" is not a usable schema name: use lowercase letters, digits and _ (at most 48, not starting with a digit).`);
  }
  return name;
}

/** postgres.js options that put a pool's unqualified names in `schema`. */
export function schemaPoolOptions(schemaName: string = DEFAULT_SCHEMA): { connection?: { search_path: string } } {
  return schemaName === DEFAULT_SCHEMA ? {} : { connection: { search_path: checkSchemaName(schemaName) } };
}

export interface DatabaseHandle {
  db: Database;
  sql: postgres.Sql;
  /** The schema Weft's tables are read and written in. */
  schema: string;
  close: () => Promise<void>;
}

/** Opens a pool on `url` for the tables in `schema` (default public); connections are made lazily, on first query. */
export function openDatabase(url: string, options: { max?: number; schema?: string } = {}): DatabaseHandle {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10, ...schemaPoolOptions(schemaName) });
  const db = drizzle({ client: sql, schema });
  return { db, sql, schema: schemaName, close: () => sql.end({ timeout: 5 }) };
}
