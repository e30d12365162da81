import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["tests/**/*.test.ts"],
    // The fault tests have their own config and script (npm run test:faults).
    exclude: ["tests/faults/**", "node_modules/**"],
    environment: "node",
    globalSetup: ["tests/global-setup.ts", "tests/cli/build.ts"],
    reporters: ["default", "./tests/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
