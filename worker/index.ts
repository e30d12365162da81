/**
 * The worker process (`npm run worker`; `npm start` runs one). It executes runs through
 * openworkflow and never serves HTTP. The generic runtime workflow and the schedule ticker are
 * registered here by lib/runtime (the durable-runs issue); until then the worker claims nothing.
 * SIGTERM/SIGINT: stop claiming, let in-flight work finish, close the pool, exit 0.
 */
import { OpenWorkflow } from "openworkflow";
import { BackendPostgres } from "openworkflow/postgres";
import { OPENWORKFLOW_SCHEMA } from "@/db/migrate";
import { ConfigError, loadConfig } from "@/lib/config";
import { createLogger } from "@/lib/log";

async function main(): Promise<void> {
  let config;
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
  const backend = await BackendPostgres.connect(config.DATABASE_URL, { schema: OPENWORKFLOW_SCHEMA, runMigrations: false });
  const ow = new OpenWorkflow({ backend });
  const worker = ow.newWorker({ concurrency: config.WORKER_CONCURRENCY });
  await worker.start();
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, "worker started");

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker stopping");
    await worker.stop();
    await backend.stop();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
