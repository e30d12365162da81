/**
 * The README's call_workflow example (README.md, "### `call_workflow`…"), run word for word in bash
 * against the control plane over real HTTP and an in-process worker, as a reader continuing the
 * quickstart's shell would (URL and KEY set).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bashBlock } from "@/app/docs/api/quickstart";
import { createAppWithAgent, type AppWithAgent } from "../helpers/api";
import { startTestWorker, type TestWorker } from "../helpers/runtime";
import { serveApi, type ServedApi } from "../helpers/serve";

const run = promisify(execFile);
let setup: AppWithAgent;
let worker: TestWorker;
let served: ServedApi;

beforeAll(async () => {
  setup = await createAppWithAgent();
  worker = await startTestWorker(setup.app);
  served = await serveApi(setup.app);
});
afterAll(async () => {
  await served?.close();
  await worker?.stop();
  await setup?.app.close();
});

it("the README's call_workflow example works as written: the parent fans out over 3 orders and sums the children's totals", async () => {
  const script = bashBlock(readFileSync("README.md", "utf8"), "### `call_workflow`: run another workflow and wait for it");
  expect(script).toBeTruthy();
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script!], {
    env: { ...process.env, URL: served.url, KEY: setup.agent["x-api-key"] },
    timeout: 60_000,
  });
  const [patch, parent, children] = stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
  expect(patch).toMatchObject({ ok: true, saved: true, version: 2, validation_errors: [], skipped_items: [] });
  expect(parent).toMatchObject({ status: "succeeded", parentRunId: null, output: { sum: { value: 20 } } });
  const results = parent.output.each.results as { status: string; output: { price: { value: unknown } } }[];
  expect(results.map((r) => r.output.price.value)).toEqual([
    { id: "A", total: 10 },
    { id: "B", total: 7 },
    { id: "C", total: 3 },
  ]);
  expect(parent.children).toHaveLength(3);
  expect(children.data).toHaveLength(3);
  for (const child of children.data) expect(child).toMatchObject({ parentRunId: parent.id, trigger: "workflow", triggeredBy: `run:${parent.id}` });
});
