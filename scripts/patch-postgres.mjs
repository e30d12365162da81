/**
 * Patches postgres.js 3.4.9 after every install (package.json `postinstall`). Its write scheduler
 * defers small writes with setImmediate; when the connection closes first, that callback calls
 * `socket.write` on null and throws outside any promise: an uncaught TypeError that ends the
 * process (upstream issues porsager/postgres#1066, #1154, #1208; unfixed in 3.4.10). The fault
 * suite hit it when PostgreSQL stopped under load (tests/faults/postgres-outage.test.ts). The
 * close also leaves the scheduler's state stale, so the next connection on that slot could not
 * flush its writes.
 *
 * The patch: a flush with no socket drops the buffered bytes and rejects the connection's queries
 * with CONNECTION_CLOSED (which the app answers as 503 database_unavailable); a closed socket
 * resets the scheduler. Idempotent. Fails when the installed version is not the one it was
 * written for, so an upgrade re-checks the bug instead of silently shipping without the fix.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "3.4.9";
const MARK = "weft-patch";
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "postgres");

const FLUSH = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)";
const FLUSH_PATCHED = `  function nextWrite(fn) {
    if (!socket) { // ${MARK}: closed before this deferred flush ran
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`;
const CLOSED = "    socket.removeAllListeners()\n    socket = null\n";
const CLOSED_PATCHED = `    socket.removeAllListeners()\n    socket = null\n    chunk = nextWriteTimer = null // ${MARK}: a new socket starts with an empty write buffer\n`;

if (!existsSync(root)) process.exit(0); // not installed (yet): nothing to patch
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
if (version !== VERSION) {
  console.error(`scripts/patch-postgres.mjs: postgres.js is ${version}, the patch was written for ${VERSION}. Check whether nextWrite still writes to a null socket, then update or remove this script.`);
  process.exit(1);
}
for (const variant of ["src", "cjs/src", "cf/src"]) {
  const file = join(root, variant, "connection.js");
  if (!existsSync(file)) continue;
  const source = readFileSync(file, "utf8");
  if (source.includes(MARK)) continue;
  if (!source.includes(FLUSH) || !source.includes(CLOSED)) {
    console.error(`scripts/patch-postgres.mjs: ${file} does not contain the code the patch replaces.`);
    process.exit(1);
  }
  writeFileSync(file, source.replace(FLUSH, FLUSH_PATCHED).replace(CLOSED, CLOSED_PATCHED));
  console.log(`patched ${join("node_modules/postgres", variant, "connection.js")} (scripts/patch-postgres.mjs)`);
}
