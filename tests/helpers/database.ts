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

/** Creates `weft_t_<random>`, migrates it, and opens a pool on it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `weft_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const handle = openDatabase(url.toString(), { max: 20 });
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
