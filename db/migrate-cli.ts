/** `npm run db:migrate`: applies migrations to $DATABASE_URL. */
import { loadConfig } from "@/lib/config";
import { migrateDatabase } from "./migrate";

const config = loadConfig();
if (!config.DATABASE_URL) {
  console.error("DATABASE_URL is not set. `npm start` migrates its embedded database by itself.");
  process.exit(1);
}
await migrateDatabase(config.DATABASE_URL, { schema: config.WEFT_DB_SCHEMA });
console.log("migrations applied");
