/**
 * `Idempotency-Key` under concurrent deliveries (docs/runs.md, "Inbound webhooks"): senders that
 * retry on a timeout deliver the same request several times at once. Over real HTTP connections,
 * all at the same moment, the same key starts exactly one run (one row in `runs`, one openworkflow
 * run enqueued), and a different body under that key never starts a second one: it is 409
 * `idempotency_key_reused`. No worker runs: the runs stay queued, which is all this checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { quickstart } from "../helpers/runtime";
import { serveApi } from "../helpers/serve";

/** Concurrent deliveries per race. */
const SENDERS = 24;

let app: TestApp;
let owner: TestUser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  server = await serveApi(app);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

/** A new workflow with one endpoint, so each race counts only its own runs. */
async function newEndpoint(): Promise<{ workflowId: string; id: string; secret: string }> {
  const workflow = await call(app, "POST", "/api/workflows", { headers: owner.bearer, body: { name: "raced", definition: quickstart } });
  expect(workflow.status, JSON.stringify(workflow.body)).toBe(201);
  const endpoint = await call(app, "POST", `/api/workflows/${workflow.body.id}/webhooks`, { headers: owner.bearer });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  return { workflowId: workflow.body.id, id: endpoint.body.id, secret: endpoint.body.secret };
}

/** Sends every body at once, each on its own connection, all with `key`; answers in the order of `bodies`. */
async function deliverAtOnce(endpoint: { id: string; secret: string }, key: string, bodies: unknown[]) {
  return Promise.all(
    bodies.map(async (body) => {
      const response = await fetch(`${server.url}/api/webhooks/${endpoint.id}`, {
        method: "POST",
        headers: { authorization: `Bearer ${endpoint.secret}`, "content-type": "application/json", "idempotency-key": key, connection: "close" },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { runId?: string; error?: string };
      return { status: response.status, runId: json.runId, error: json.error };
    }),
  );
}

/** The workflow's runs as stored, and how many openworkflow runs were enqueued for them. */
async function storedRuns(workflowId: string) {
  const runs = await app.database.sql<{ id: string; idempotency_key: string | null; input: { body: unknown } }[]>`
    SELECT id, idempotency_key, input FROM runs WHERE workflow_id = ${workflowId}`;
  const [{ enqueued }] = await app.database.sql<{ enqueued: number }[]>`
    SELECT count(*)::int AS enqueued FROM openworkflow.workflow_runs
    WHERE input->>'runId' IN (SELECT id FROM runs WHERE workflow_id = ${workflowId})`;
  return { runs, enqueued };
}

/** Every openworkflow run in the database: a duplicate enqueue would show here even without its Weft row. */
async function allEnqueued(): Promise<number> {
  const [{ n }] = await app.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM openworkflow.workflow_runs`;
  return n;
}

describe("concurrent deliveries with one Idempotency-Key", () => {
  it(`${SENDERS} identical deliveries at once start exactly one run, and every one is answered 202 with its runId`, async () => {
    const endpoint = await newEndpoint();
    const before = await allEnqueued();
    const answers = await deliverAtOnce(endpoint, "delivery-1", Array.from({ length: SENDERS }, () => ({ name: "Ada" })));

    expect(answers.map((a) => a.status)).toEqual(Array(SENDERS).fill(202));
    const runIds = new Set(answers.map((a) => a.runId));
    expect(runIds.size).toBe(1);
    const [runId] = runIds;
    const { runs, enqueued } = await storedRuns(endpoint.workflowId);
    expect(runs).toEqual([{ id: runId, idempotency_key: `webhook:${endpoint.id}:delivery-1`, input: expect.objectContaining({ body: { name: "Ada" } }) }]);
    expect(enqueued).toBe(1);
    expect(await allEnqueued()).toBe(before + 1);
  });

  it(`${SENDERS} deliveries at once, each with another body: one run, whose body is the one answered 202; the others 409 idempotency_key_reused`, async () => {
    const endpoint = await newEndpoint();
    const before = await allEnqueued();
    const bodies = Array.from({ length: SENDERS }, (_, n) => ({ name: "Ada", n }));
    const answers = await deliverAtOnce(endpoint, "delivery-2", bodies);

    const accepted = answers.flatMap((a, i) => (a.status === 202 ? [{ ...a, body: bodies[i] }] : []));
    expect(accepted).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 202)).toEqual(Array(SENDERS - 1).fill({ status: 409, runId: undefined, error: "idempotency_key_reused" }));
    const { runs, enqueued } = await storedRuns(endpoint.workflowId);
    expect(runs).toEqual([{ id: accepted[0].runId, idempotency_key: `webhook:${endpoint.id}:delivery-2`, input: expect.objectContaining({ body: accepted[0].body }) }]);
    expect(enqueued).toBe(1);
    expect(await allEnqueued()).toBe(before + 1);
  });

  it("two bodies raced under one key, half each: one run; every delivery of its body gets that run, every delivery of the other 409", async () => {
    const endpoint = await newEndpoint();
    const before = await allEnqueued();
    const bodies = Array.from({ length: SENDERS }, (_, i) => ({ name: i % 2 === 0 ? "Ada" : "Grace" }));
    const answers = await deliverAtOnce(endpoint, "delivery-3", bodies);

    const { runs, enqueued } = await storedRuns(endpoint.workflowId);
    expect(runs).toHaveLength(1);
    expect(enqueued).toBe(1);
    expect(await allEnqueued()).toBe(before + 1);
    const stored = runs[0].input.body;
    answers.forEach((answer, i) => {
      const expected = JSON.stringify(bodies[i]) === JSON.stringify(stored) ? { status: 202, runId: runs[0].id, error: undefined } : { status: 409, runId: undefined, error: "idempotency_key_reused" };
      expect({ body: bodies[i], ...answer }).toEqual({ body: bodies[i], ...expected });
    });
  });
});
