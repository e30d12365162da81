/**
 * Runs every benchmark (`npm run bench`); each prints its own figures and ratios.
 * `npm run bench -- engine` (or `code`, `http`, `runtime`, `fairness`, `triggers`) runs one; `webhooks` or
 * `schedules` runs one half of `triggers`. `editor` (also `npm run bench:editor`) needs Chromium and
 * starts the app itself, so only runs when asked for; so does `webhook-shape` (the n8n anchor's
 * shape, on a throwaway durable PostgreSQL 15 of its own: README, "Benchmarks").
 */
import { benchCode } from "./code";
import { benchEditor } from "./editor";
import { benchEngine } from "./engine";
import { benchFairness } from "./fairness";
import { benchHttp } from "./http";
import { benchRuntime } from "./runtime";
import { benchTriggers } from "./triggers";
import { benchWebhookShape } from "./webhook-shape";

const benches: Record<string, () => Promise<void>> = {
  engine: benchEngine,
  code: benchCode,
  http: benchHttp,
  runtime: benchRuntime,
  fairness: benchFairness,
  triggers: () => benchTriggers(),
};
/** Parts of a benchmark that can be run alone; not run by a bare `npm run bench`. */
const parts: Record<string, () => Promise<void>> = {
  webhooks: () => benchTriggers({ webhooks: true, schedules: false }),
  schedules: () => benchTriggers({ webhooks: false, schedules: true }),
  editor: benchEditor,
  "webhook-shape": benchWebhookShape,
};
const wanted = process.argv.slice(2).filter((name) => name in benches || name in parts);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  console.log(`\n## ${name}`);
  await (benches[name] ?? parts[name])();
}
