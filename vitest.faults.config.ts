import { defineConfig } from "vitest/config";

/**
 * `npm run test:faults`: the fault tests (tests/faults), apart from `npm test`. They kill worker
 * processes and stop their own PostgreSQL cluster, so files run one at a time.
 */
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["tests/faults/**/*.test.ts"],
    environment: "node",
    globalSetup: ["tests/faults/global-setup.ts"],
    reporters: ["default", "./tests/faults/figures-reporter.ts", "./tests/summary-reporter.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
