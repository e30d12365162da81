/**
 * Two Weft instances in one database, each in its own Postgres schema
 * (`createControlPlaneApi({ …, schema })`, docs/architecture.md "One database, several instances"):
 * each has its own users, workflows, runs and queue, and neither sees or executes the other's.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createControlPlaneApi } from "@/lib/api";
import { call, createApiKey, createTestApp, signUp, type TestApp } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, quickstart, startTestWorker, type TestWorker } from "../helpers/runtime";

let a: TestApp;
let b: TestApp;
const workers: TestWorker[] = [];

beforeAll(async () => {
  a = await createTestApp({ schema: "tenant_a" });
  b = await createTestApp({ schema: "tenant_b", shareDatabaseOf: a });
  workers.push(await startTestWorker(a), await startTestWorker(b));
});

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await b?.close();
  await a?.close();
});

async function tables(schema: string): Promise<string[]> {
  const rows = await a.database.sql<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`;
  return rows.map((r) => r.table_name);
}

describe("two instances share a database, one schema each", () => {
  test("each schema holds its own tables (and openworkflow's beside it); public holds none of them", async () => {
    const own = ["workflows", "workflow_versions", "runs", "run_logs", "schedules", "user", "organization", "apikey"];
    const openworkflow = ["workflow_runs", "step_attempts"];
    for (const schema of ["tenant_a", "tenant_b"]) {
      expect(await tables(schema)).toEqual(expect.arrayContaining(own));
      expect(await tables(`${schema}_openworkflow`)).toEqual(expect.arrayContaining(openworkflow));
    }
    const inPublic = await tables("public");
    for (const table of [...own, ...openworkflow]) expect(inPublic, `public.${table}`).not.toContain(table);
  });

  test("the same email signs up in both, and neither instance sees the other's workflows", async () => {
    const email = `same-${Date.now()}@example.com`;
    const inA = await signUp(a, { email });
    const inB = await signUp(b, { email });
    expect(inA.organizationId).not.toBe(inB.organizationId);
    const keyA = (await createApiKey(a, inA)).headers;
    const keyB = (await createApiKey(b, inB)).headers;
    // An A key is not a B key.
    expect((await call(b, "GET", "/api/me", { headers: keyA })).status).toBe(401);

    const wfA = await createWorkflow(a, keyA, quickstart, "in A");
    expect((await call(a, "GET", `/api/workflows/${wfA}`, { headers: keyA })).status).toBe(200);
    expect((await call(b, "GET", "/api/workflows", { headers: keyB })).body.data).toEqual([]);
    const [row] = await a.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM tenant_b.workflows WHERE id = ${wfA}`;
    expect(row.n).toBe(0);
  });

  test("runs start, execute and finish within their own instance", async () => {
    const ownerA = await signUp(a);
    const ownerB = await signUp(b);
    const wfA = await createWorkflow(a, ownerA.bearer, quickstart, "greets in A");
    const wfB = await createWorkflow(b, ownerB.bearer, quickstart, "greets in B");
    const runA = await dispatchRun(a, ownerA.bearer, wfA, { input: { body: { name: "A" } } });
    const runB = await dispatchRun(b, ownerB.bearer, wfB, { input: { body: { name: "B" } } });

    expect((await finishedRun(a, ownerA.organizationId, runA)).output).toMatchObject({ greet: { message: "Hello, A!" } });
    expect((await finishedRun(b, ownerB.organizationId, runB)).output).toMatchObject({ greet: { message: "Hello, B!" } });
    // Each run is queued in its own instance's openworkflow tables, and read back only there.
    const queued = await a.database.sql<{ schema: string }[]>`
      SELECT 'a' AS schema FROM tenant_a_openworkflow.workflow_runs WHERE input->>'runId' = ${runB}
      UNION ALL SELECT 'b' FROM tenant_b_openworkflow.workflow_runs WHERE input->>'runId' = ${runB}`;
    expect(queued.map((r) => r.schema)).toEqual(["b"]);
    expect((await call(a, "GET", `/api/runs/${runB}`, { headers: ownerA.bearer })).status).toBe(404);
  });

  test("a control plane whose database or runtime was opened for another schema refuses to start", () => {
    const options = { logger: a.logger, auth: a.auth, baseUrl: a.baseUrl, secretsKey: a.secretsKey };
    expect(() => createControlPlaneApi({ ...options, database: a.database, runtime: b.runtime, schema: "tenant_a" })).toThrow(/runtime was opened for "tenant_b"/);
    expect(() => createControlPlaneApi({ ...options, database: a.database, runtime: a.runtime })).toThrow(/schema is "public" but the database was opened for "tenant_a"/);
  });
});
