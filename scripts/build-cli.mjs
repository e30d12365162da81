/**
 * Builds the `weft` CLI (cli/weft.ts) into one JavaScript file, dist/cli/weft.js, that runs with
 * plain Node (no tsx at run time): esbuild bundles the CLI with the typed client and hono/client,
 * resolving the `@/` paths of tsconfig.json. Run by `npm install` (the `prepare` script), by
 * `npm run build:cli`, and before the tests (tests/cli/build.ts), so the bin is never stale there.
 * Plain JavaScript so it runs before anything is compiled.
 */
import { chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI_BIN = join(root, "dist", "cli", "weft.js");

/** Bundles cli/weft.ts into dist/cli/weft.js (executable). */
export async function buildCli() {
  await build({
    entryPoints: [join(root, "cli", "weft.ts")],
    outfile: CLI_BIN,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: join(root, "tsconfig.json"),
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
    legalComments: "none",
  });
  chmodSync(CLI_BIN, 0o755);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
