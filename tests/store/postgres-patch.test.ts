/**
 * postgres.js 3.4.9 throws an uncaught TypeError (a process crash) when a connection's socket
 * closes before a deferred write is flushed; scripts/patch-postgres.mjs (run at postinstall)
 * patches it. A reserved connection whose backend is terminated reproduces it every time: the
 * next query must be rejected with CONNECTION_CLOSED, and the process must live on.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = join(dirname(createRequire(import.meta.url).resolve("postgres")), "..", "..");

it("every entry point of the installed postgres.js carries the patch", () => {
  for (const variant of ["src", "cjs/src"]) {
    expect(readFileSync(join(root, variant, "connection.js"), "utf8"), `${variant}: run \`node scripts/patch-postgres.mjs\``).toContain("weft-patch");
  }
});

it("a query on a connection whose backend died is rejected with CONNECTION_CLOSED, and the process survives", async () => {
  const url = process.env.WEFT_TEST_SERVER_URL as string;
  const script = `
    import postgres from "postgres";
    const url = process.argv[1];
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const reserved = await sql.reserve();
    const [{ pid }] = await reserved\`select pg_backend_pid() as pid\`;
    await admin\`select pg_terminate_backend(\${pid})\`;
    await new Promise((res) => setTimeout(res, 200));
    try { await reserved\`select 1\`; console.log("answered"); } catch (error) { console.log("rejected " + error.code); }
    await new Promise((res) => setTimeout(res, 200));
    console.log("alive");
    reserved.release();
    await sql.end({ timeout: 1 });
    await admin.end({ timeout: 1 });`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, url], { cwd: join(root, "..", ".."), timeout: 20_000 });
  expect(stdout.trim().split("\n")).toEqual(["rejected CONNECTION_CLOSED", "alive"]);
});
