/**
 * A fresh, migrated database per test file on the run's PostgreSQL server, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export interface TestDatabase extends DatabaseHandle {
  url: string;
  drop: () => Promise<void>;
}

function serverUrl(): string {
  const url = process.env.WEFT_TEST_SERVER_URL;
  if (!url) throw new Error("WEFT_TEST_SERVER_URL is unset: tests/global-setup.ts did not run");
  return url;
}

/** Creates `weft_t_<random>`, migrates it (Weft's tables in `schema`, default public), and opens a pool on it. */
export async function createTestDatabase(options: { schema?: string } = {}): Promise<TestDatabase> {
  const name = `weft_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), { schema: options.schema });
  const handle = openDatabase(url.toString(), { max: 20, schema: options.schema });
  return {
    ...handle,
    url: url.toString(),
    drop: async () => {
      await handle.close();
      const cleanup = postgres(serverUrl(), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/**
 * Migrates `schema` in the existing database at `url` and opens a pool on it: a second instance
 * beside another. Its `drop` closes the pool only (the database belongs to the first instance).
 */
export async function openSchemaDatabase(url: string, schema: string): Promise<TestDatabase> {
  await migrateDatabase(url, { schema });
  const handle = openDatabase(url, { max: 20, schema });
  return { ...handle, url, drop: () => handle.close() };
}
