/**
 * The web process's control plane instance, built once from the validated environment.
 * Only the Next.js route handler imports this; everything else receives its dependencies.
 */
import { openDatabase } from "@/db/client";
import { createControlPlaneApi, type ControlPlaneApi } from "@/lib/api";
import { loadConfig } from "@/lib/config";
import { createLogger } from "@/lib/log";

let instance: ControlPlaneApi | undefined;

/** The app's Hono instance; throws a ConfigError naming bad variables on first use. */
export function controlPlane(): ControlPlaneApi {
  if (!instance) {
    const config = loadConfig();
    if (!config.DATABASE_URL) throw new Error("DATABASE_URL is not set; start the app with `npm start`.");
    instance = createControlPlaneApi({ database: openDatabase(config.DATABASE_URL), logger: createLogger(config.LOG_LEVEL) });
  }
  return instance;
}
