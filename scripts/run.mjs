/**
 * `npm start` (`node scripts/run.mjs start`), `npm run worker` (`… worker`) and `npm run db:migrate`
 * (`… migrate`): compiles dist/server/ when a source changed (scripts/build-server.mjs), then runs
 * the compiled entry in this same process, so production runs plain JavaScript with no
 * TypeScript loader. `npm run dev` and the tests run the TypeScript sources through tsx instead.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildServerIfStale, SERVER_DIR } from "./build-server.mjs";

const ENTRIES = ["start", "worker", "migrate"];
const entry = process.argv[2];
if (!ENTRIES.includes(entry)) {
  console.error(`usage: node scripts/run.mjs ${ENTRIES.join("|")} [arguments]`);
  process.exit(2);
}
await buildServerIfStale((message) => console.log(`[weft] ${message}`));
await import(pathToFileURL(join(SERVER_DIR, `${entry}.js`)).href);
