/**
 * `next build` only when the production build is missing or older than the sources it reads.
 * Used by `npm start` and the HTTP benchmark.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const BUILD_INPUTS = ["app", "lib", "db", "middleware.ts", "instrumentation-client.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

/** A fingerprint of everything `next build` reads: paths, sizes and modification times. */
function sourceFingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else {
      hash.update(`${relative(root, path)}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  for (const input of BUILD_INPUTS) walk(join(root, input));
  return hash.digest("hex");
}

/** Runs `next build` in `root` unless the stamp matches the sources; throws when the build fails. */
export async function buildIfStale(root: string, env: NodeJS.ProcessEnv, say: (message: string) => void): Promise<void> {
  const stampFile = join(root, ".next", "weft-build-stamp");
  const fingerprint = sourceFingerprint(root);
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
