/**
 * The worker process (`npm run worker`; `npm start` runs one). It executes runs through
 * openworkflow (lib/runtime), fires due cron schedules with the ticker loop (lib/schedules,
 * about once a second), and deletes expired runs and events with the retention sweeper
 * (lib/runtime/retention.ts, every WEFT_RETENTION_SWEEP_INTERVAL_MS); it never serves HTTP. Run
 * as many as you like against one database.
 * SIGTERM/SIGINT: stop the ticker and the sweeper (their passes in flight finish), then stop
 * claiming runs, let the blocks in flight finish (no new block starts), hand each unfinished run
 * back so another worker continues it at once, close the pools, exit 0.
 * Further signals are ignored (Ctrl-C reaches both `npm start` and this process, and `npm start`
 * then sends SIGTERM too); SIGKILL ends a stuck worker, whose runs are re-claimed after 30 s.
 */
import { ConfigError, loadConfig, type Config } from "@/lib/config";
import { openDatabase } from "@/db/client";
import { createLogger } from "@/lib/log";
import { startWorker } from "@/lib/runtime";
import { startRetentionSweeper } from "@/lib/runtime/retention";
import { createRunQueue } from "@/lib/runtime/queue";
import { openRunStorePool } from "@/lib/store/runs";
import { startScheduleTicker } from "@/lib/schedules/ticker-loop";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL).child({ process: "worker" });
  if (!config.DATABASE_URL) {
    logger.fatal("DATABASE_URL is not set; `npm start` sets it, or export it before `npm run worker`");
    process.exit(1);
  }
  if (!config.WEFT_SECRETS_KEY) {
    logger.fatal("WEFT_SECRETS_KEY is not set; it must be the web app's key (`npm start` sets both), see .env.example");
    process.exit(1);
  }
  const secretsKey = Buffer.from(config.WEFT_SECRETS_KEY, "base64");
  const database = openDatabase(config.DATABASE_URL, { max: 4, schema: config.WEFT_DB_SCHEMA });
  const worker = await startWorker({
    databaseUrl: config.DATABASE_URL,
    database,
    secretsKey,
    logger,
    allowPrivateHttp: config.WEFT_ALLOW_PRIVATE_HTTP,
    concurrency: config.WORKER_CONCURRENCY,
    orgMaxRunning: config.WEFT_ORG_MAX_RUNNING,
  });
  // The ticker starts runs through the same startRun as the API, on a small queue pool of its own
  // (postgres.js with Date parsing, which the run store needs; drizzle's pool turns it off).
  const queueSql = openRunStorePool(config.DATABASE_URL, 2, database.schema);
  const queue = createRunQueue(queueSql, logger, database.schema);
  const ticker = startScheduleTicker({ sql: database.sql, db: database.db, runtime: queue, logger });
  const sweeper =
    config.WEFT_RETENTION_SWEEP_INTERVAL_MS > 0
      ? startRetentionSweeper({
          sql: database.sql,
          schema: database.schema,
          defaultDays: config.WEFT_RETENTION_DAYS,
          batchSize: config.WEFT_RETENTION_BATCH_SIZE,
          intervalMs: config.WEFT_RETENTION_SWEEP_INTERVAL_MS,
          logger,
        })
      : null;

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.info({ signal }, "already stopping");
      return;
    }
    stopping = true;
    logger.info({ signal }, "worker stopping: schedule ticker and retention sweeper first, then no new claims, waiting for in-flight runs");
    try {
      await Promise.all([ticker.stop(), sweeper?.stop()]);
      await worker.stop();
      await queueSql.end({ timeout: 5 });
      await database.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "worker did not stop cleanly");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
