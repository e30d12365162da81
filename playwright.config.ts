import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);

/**
 * End-to-end tests drive the real app in Debian's Chromium (no browser download). The web server
 * is started exactly as a new user starts it, with `npm start` on an embedded PostgreSQL.
 */
export default defineConfig({
  testDir: "./e2e",
  workers: 1,
  reporter: "line",
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    // A fresh state folder each run, so the README quickstart's sign-up always works.
    command: "rm -rf .data/e2e && node scripts/run.mjs start",
    url: `http://127.0.0.1:${port}/health`,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    // better-auth's per-IP sign-up limit (5/min) would refuse the suite's many sign-ups from one address.
    env: { PORT: String(port), WEFT_BASE_URL: `http://127.0.0.1:${port}`, DATABASE_URL: "", WEFT_AUTH_RATE_LIMIT: "off", WEFT_DATA_DIR: ".data/e2e", WEFT_EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? "54400" },
  },
});
