/**
 * A vitest global setup: builds the CLI (npm run build:cli → dist/cli/weft.js) once before any
 * test file runs, so tests/cli always drive the binary built from the current source.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build-cli.mjs"], { stdio: "inherit" });
}
