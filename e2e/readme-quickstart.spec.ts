import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";

/**
 * Runs the README's curl quickstart word for word (only the URL is pointed at the test server)
 * against the app started by `npm start`, and checks the documented responses.
 */
test("the README curl quickstart works as written", async ({ baseURL }) => {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("## Quickstart: an agent's loop with curl"));
  const script = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  expect(script, "the quickstart's bash block").toBeTruthy();
  expect(script).toContain("URL=http://localhost:3000");
  const output = execFileSync("bash", ["-euo", "pipefail", "-c", script!.replace("URL=http://localhost:3000", `URL=${baseURL}`)], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const lines = output.trim().split("\n");
  const me = JSON.parse(lines[0]);
  expect(me).toMatchObject({ role: "owner", authMode: "session", organization: { name: "Ada's organization" } });
  expect(lines[1]).toMatch(/^weft_[A-Za-z0-9]+$/);
  const catalog = JSON.parse(lines[2]);
  expect(catalog.data.map((c: { type: string }) => c.type)).toContain("greet");
  const patch = JSON.parse(lines[3]);
  expect(patch).toMatchObject({ ok: false, saved: true, version: 2, validation_errors: [] });
  expect(patch.skipped_items).toEqual([
    expect.objectContaining({ index: 3, reason_code: "invalid_edge_target", block_id: "greet" }),
  ]);
  const workflow = JSON.parse(lines[4]);
  expect(workflow).toMatchObject({ name: "Greeter", version: 2 });
  expect(workflow.definition.edges).toEqual([{ source: "trg", target: "greet" }]);
});
