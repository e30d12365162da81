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

/**
 * Seconds a pool connection waits before reconnecting after a failure (postgres.js `backoff`):
 * 50 ms doubling to at most 1 s, jittered. postgres.js's default grows to 20 s (×3 per failure,
 * counted across the pool), so after a few seconds of outage, queries waited up to 20 s for a
 * connection and a worker sat idle that long after the database came back.
 */
export function reconnectBackoff(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

/**
 * What every Weft pool and LISTEN connection is opened with: a connection attempt gives up after
 * 10 s (CONNECT_TIMEOUT, so a request cannot hang on an unreachable server beyond that), and
 * reconnects back off to 1 s at most (docs/architecture.md, "Errors and lists").
 */
export const CONNECTION_OPTIONS = { onnotice: () => {}, connect_timeout: 10, backoff: reconnectBackoff } as const;

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
  const sql = postgres(url, { ...CONNECTION_OPTIONS, max: options.max ?? 10, ...schemaPoolOptions(schemaName) });
  const db = drizzle({ client: sql, schema });
  return { db, sql, schema: schemaName, close: () => sql.end({ timeout: 5 }) };
}
