/**
 * Runs every benchmark (`npm run bench`); each prints its own figures and ratios.
 * `npm run bench -- engine` (or `http`, `runtime`, `triggers`) runs one.
 */
import { benchEngine } from "./engine";
import { benchHttp } from "./http";
import { benchRuntime } from "./runtime";
import { benchTriggers } from "./triggers";

const benches: Record<string, () => Promise<void>> = { engine: benchEngine, http: benchHttp, runtime: benchRuntime, triggers: benchTriggers };
const wanted = process.argv.slice(2).filter((name) => name in benches);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  console.log(`\n## ${name}`);
  await benches[name]();
}
