import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { bashBlock as readmeBashBlock } from "../app/docs/api/quickstart";

/** Every line of the output that is a JSON object (SSE `data:` lines included, prefix removed). */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .map((line) => line.replace(/^data: /, "").trim())
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The bash block under `heading` in the README: the one /docs/api shows (app/docs/api/quickstart.ts). */
function bashBlock(readme: string, heading: string): string {
  const block = readmeBashBlock(readme, heading);
  expect(block, `the bash block under "${heading}"`).toBeTruthy();
  return block!;
}

/**
 * Runs the README's curl quickstart word for word (only the URL is pointed at the test server)
 * against the app and worker started by `npm start`, and checks the documented responses.
 */
test("the README curl quickstart works as written, through a durable run", async ({ baseURL }) => {
  const script = bashBlock(readFileSync("README.md", "utf8"), "## Quickstart: an agent's loop with curl");
  expect(script).toContain("URL=http://localhost:3000");
  const output = execFileSync("bash", ["-euo", "pipefail", "-c", script.replace("URL=http://localhost:3000", `URL=${baseURL}`)], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(output).toMatch(/^weft_[A-Za-z0-9]+$/m);
  const objects = jsonLines(output);
  expect(objects[0]).toMatchObject({ role: "owner", authMode: "session", organization: { name: "Ada's organization" } });
  const catalog = objects.find((o) => Array.isArray(o.data) && JSON.stringify(o.data).includes('"greet"'));
  expect(catalog, "the connector catalog").toBeTruthy();
  const patch = objects.find((o) => "skipped_items" in o)!;
  expect(patch).toMatchObject({ ok: false, saved: true, version: 2, validation_errors: [] });
  expect(patch.skipped_items).toEqual([expect.objectContaining({ index: 3, reason_code: "invalid_edge_target", block_id: "greet" })]);
  const workflow = objects.find((o) => o.name === "Greeter" && "definition" in o) as { version: number; definition: { edges: unknown[] } };
  expect(workflow.version).toBe(2);
  expect(workflow.definition.edges).toEqual([{ source: "trg", target: "greet" }]);

  // The stream showed the greet block's log entry and ended on the final status.
  expect(output).toMatch(/^event: log$/m);
  expect(output).toMatch(/^event: status$/m);
  // The last run object printed is step 7's GET (the stream's status events carry the run too).
  const run = objects.findLast((o) => typeof o.id === "string" && (o.id as string).startsWith("run_") && "output" in o && "workflowVersion" in o)!;
  expect(run).toMatchObject({ status: "succeeded", workflowVersion: 2, output: { greet: { message: "Hello, Ada!" }, trg: { body: { name: "Ada" } } } });
  const logs = objects[objects.length - 1] as { data: { blockId: string; status: string }[] };
  expect(logs.data.map((entry) => [entry.blockId, entry.status])).toEqual([
    ["trg", "succeeded"],
    ["greet", "succeeded"],
  ]);
});

test("the README's schedule and webhook examples work as written, continuing the quickstart's shell", async ({ baseURL }) => {
  const readme = readFileSync("README.md", "utf8");
  const quickstart = bashBlock(readme, "## Quickstart: an agent's loop with curl").replace("URL=http://localhost:3000", `URL=${baseURL}`);
  // A new account: the quickstart above already signed ada@example.com up on this server.
  const fresh = quickstart.replace("ada@example.com", "ada2@example.com");
  const triggers = bashBlock(readme, "## Schedules and webhooks");
  const output = execFileSync("bash", ["-euo", "pipefail", "-c", `${fresh}\necho ===TRIGGERS===\n${triggers}`], {
    encoding: "utf8",
    timeout: 90_000,
  });
  const objects = jsonLines(output.slice(output.indexOf("===TRIGGERS===")));
  const [schedule, tick, waited, accepted, refused, alwaysWaits, waitedWithoutQuery] = objects;
  expect(schedule).toMatchObject({ cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin", enabled: true, lastFiredAt: null });
  expect((schedule.nextRuns as string[]).length).toBe(5);
  for (const at of schedule.nextRuns as string[]) expect(new Date(at).getUTCMinutes()).toBe(0);
  expect(tick).toMatchObject({ started: [] });
  expect(waited).toMatchObject({ status: "succeeded", output: { greet: { message: "Hello, Grace!" }, trg: { method: "POST", body: { name: "Grace" } } } });
  expect(accepted).toMatchObject({ runId: expect.stringMatching(/^run_/) });
  expect(refused).toMatchObject({ error: expect.any(String) });
  expect(refused).not.toHaveProperty("runId");
  expect(alwaysWaits).toMatchObject({ responseMode: "wait", waitSeconds: 10, methods: ["POST"] });
  expect(waitedWithoutQuery).toMatchObject({ status: "succeeded", output: { greet: { message: "Hello, Grace!" } } });
});

test("the README's respond_webhook example answers a signed ?wait call with the block's status, headers and body", async ({ baseURL }) => {
  const readme = readFileSync("README.md", "utf8");
  const quickstart = bashBlock(readme, "## Quickstart: an agent's loop with curl").replace("URL=http://localhost:3000", `URL=${baseURL}`);
  const fresh = quickstart.replace("ada@example.com", "ada3@example.com");
  const example = bashBlock(readme, "### `respond_webhook`: answer the caller, then carry on");
  const output = execFileSync("bash", ["-euo", "pipefail", "-c", `${fresh}\necho ===RESPOND===\n${example}`], { encoding: "utf8", timeout: 90_000 });
  const answer = output.slice(output.indexOf("===RESPOND===")).replace(/\r/g, "");
  expect(answer).toMatch(/^HTTP\/1\.1 201 /m);
  expect(answer).toMatch(/^cache-control: no-store$/im);
  expect(answer).toMatch(/^content-type: application\/json$/im);
  expect(answer).toMatch(/^x-weft-run-id: run_[a-z0-9]+$/im);
  expect(jsonLines(answer).at(-1)).toEqual({ message: "Order o-17 ships tomorrow", order: "o-17" });
});
