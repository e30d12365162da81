/**
 * `next build` only when the production build is missing or older than the sources it reads.
 * Used by `npm start` and the HTTP benchmark.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fingerprintFiles } from "./fingerprint.mjs";

/** Everything `next build` reads. */
const BUILD_INPUTS = ["app", "lib", "db", "middleware.ts", "instrumentation-client.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

/** Runs `next build` in `root` unless the stamp matches the sources; throws when the build fails. */
export async function buildIfStale(root: string, env: NodeJS.ProcessEnv, say: (message: string) => void): Promise<void> {
  const stampFile = join(root, ".next", "weft-build-stamp");
  const fingerprint = fingerprintFiles(root, BUILD_INPUTS);
  const built = existsSync(join(root, ".next", "BUILD_ID")) && existsSync(stampFile);
  if (built && readFileSync(stampFile, "utf8") === fingerprint) {
    say("the production build is up to date");
    return;
  }
  say(built ? "sources changed since the last build: running next build" : "no production build yet: running next build (about a minute)");
  const code = await new Promise<number>((res) => {
    const child = spawn(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (exitCode, signal) => res(exitCode ?? (signal ? 1 : 0)));
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  writeFileSync(stampFile, fingerprint);
}
