/**
 * Ends the run with one plain line, "Tests: N passed, N failed, N skipped", which CI reads
 * (vitest's own summary is printed just above it by the default reporter).
 */
import type { Reporter, TestModule } from "vitest/node";

/** How many tests passed, failed and were skipped; a file that failed before defining any test counts as one failure. */
export function countTests(testModules: ReadonlyArray<TestModule>): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") passed++;
      else if (state === "failed") failed++;
      else skipped++;
    }
    if (module.state() === "failed" && module.children.size === 0) failed++;
  }
  return { passed, failed, skipped };
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const { passed, failed, skipped } = countTests(testModules);
    console.log(`\nTests: ${passed} passed, ${failed + unhandledErrors.length} failed, ${skipped} skipped`);
  }
}
