/**
 * A fingerprint of build inputs: every file's path, size and modification time under the given
 * paths, hashed. `npm start` rebuilds Next (scripts/next-build.ts) and the server bundles
 * (scripts/build-server.mjs) only when theirs changed. Plain JavaScript, so it runs before
 * anything is compiled.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The fingerprint of `inputs` (paths relative to `root`; missing ones are skipped). */
export function fingerprintFiles(root, inputs) {
  const hash = createHash("sha256");
  const walk = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else {
      hash.update(`${relative(root, path)}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  for (const input of inputs) walk(join(root, input));
  return hash.digest("hex");
}
