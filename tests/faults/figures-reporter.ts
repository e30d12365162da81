/**
 * Ends `npm run test:faults` with one line of figures (after the "Tests: …" line of
 * tests/summary-reporter.ts) and stamps the figures file with the outcome.
 */
import type { Reporter, TestModule } from "vitest/node";
import { countTests } from "../summary-reporter";
import { readFigures, writeFigures } from "./figures";

/** The summary line's figures, in order, and how each is printed. */
const SUMMARY: Array<[name: string, label: string]> = [
  ["runs_lost", "runs lost"],
  ["duplicate_completed_blocks", "duplicate completed blocks"],
  ["kill9_recovery_s", "kill -9 → 50 runs done"],
  ["pg_outage_non_503_errors", "non-503 errors in outage"],
  ["pg_outage_max_error_latency_ms", "slowest outage answer"],
  ["pg_recovery_api_s", "API back after Postgres"],
  ["pg_recovery_worker_s", "worker back after Postgres"],
  ["acknowledged_writes_missing", "2xx writes missing"],
  ["sigterm_inflight_blocks_lost", "SIGTERM in-flight blocks lost"],
  ["notify_loss_start_delay_ms", "start after LISTEN killed"],
  ["notify_unheard_start_delay_ms", "start with NOTIFY unheard"],
];

export default class FiguresReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const file = readFigures();
    if (!file) return;
    file.finishedAt = new Date().toISOString();
    file.tests = countTests(testModules);
    writeFigures(file);
    const parts = SUMMARY.flatMap(([name, label]) => {
      const figure = file.figures[name];
      return figure ? [`${label} ${figure.value}${figure.unit === "count" ? "" : ` ${figure.unit}`}`] : [];
    });
    console.log(`Faults: ${parts.length ? parts.join(", ") : "no figures recorded"} (bench/faults-results.json)`);
  }
}
