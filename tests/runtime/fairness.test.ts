/**
 * Fair admission (docs/runs.md, "Admission"; db/admission.ts): a per-organization cap on runs
 * executing at once across all workers, round-robin between organizations, oldest first within
 * one, and a `queuePosition` that says when a queued run will start. Real Postgres, real workers
 * in this process. Orders are read from commit order (run_logs ids, the cap probe below), not
 * from clocks, so the assertions hold however loaded the machine is.
 */
import type { Worker } from "openworkflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveClaims } from "@/lib/runtime/openworkflow";
import { getOrganizationMaxRunning, setOrganizationMaxRunning } from "@/lib/store/admission";
import { getWorkflow } from "@/lib/store/workflows";
import type { Workflow } from "@/lib/resources/workflow";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, sleepyGaugeByOrg, startTestWorker, testRegistry, type TestWorker } from "../helpers/runtime";
import { until } from "../helpers/until";

let app: TestApp;

/**
 * The cap probe: at every claim (an update that adds an attempt), the number of the claimed run's
 * organization's runs leased to a worker, counted inside the claim's transaction. Only claims add
 * leases, and claims are serialized, so the largest value recorded is the most that organization
 * ever had executing at once.
 */
const PROBE = `
  CREATE TABLE openworkflow.cap_probe (org text NOT NULL, leased integer NOT NULL);
  CREATE FUNCTION openworkflow.cap_probe() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO openworkflow.cap_probe (org, leased)
    SELECT NEW.input->>'organizationId', count(*) FROM openworkflow.workflow_runs
    WHERE input->>'organizationId' = NEW.input->>'organizationId' AND status = 'running' AND worker_id IS NOT NULL AND available_at > now();
    RETURN NULL;
  END $$;
  CREATE TRIGGER cap_probe AFTER UPDATE ON openworkflow.workflow_runs
    FOR EACH ROW WHEN (NEW.attempts > OLD.attempts) EXECUTE FUNCTION openworkflow.cap_probe();`;

beforeAll(async () => {
  app = await createTestApp({ registry: testRegistry() });
  await app.database.sql.unsafe(PROBE);
});
afterAll(async () => {
  await app?.close();
});

const trigger = { id: "trg", type: "trigger_manual", params: {} };
/** A run that holds its slot for `ms` (the `sleepy` test block). */
const busy = (ms: number) => ({ blocks: [trigger, { id: "work", type: "sleepy", params: { ms } }], edges: [{ source: "trg", target: "work" }] });

interface Tenant {
  user: TestUser;
  org: string;
  workflow: Workflow;
}

/** A new user with their own organization and a workflow of `definition`. */
async function tenant(definition: unknown): Promise<Tenant> {
  const user = await signUp(app);
  const id = await createWorkflow(app, user.bearer, definition);
  const workflow = await getWorkflow(app.database.db, user.organizationId, id);
  if (!workflow) throw new Error("the workflow just created is missing");
  return { user, org: user.organizationId, workflow };
}

/** Enqueues `n` runs of the tenant's workflow through the run queue, `parallel` at a time (1: in order). */
async function enqueue(t: Tenant, n: number, parallel = 1): Promise<string[]> {
  const ids: string[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const i = next++;
        ids[i] = (await app.runtime.dispatch(t.org, t.workflow, { trigger: "api", input: { i } })).run.id;
      }
    }),
  );
  return ids;
}

async function startWorkers(count: number, options: { concurrency: number; orgMaxRunning?: number }): Promise<TestWorker[]> {
  const workers: TestWorker[] = [];
  for (let i = 0; i < count; i++) workers.push(await startTestWorker(app, options));
  return workers;
}

async function stopAll(workers: TestWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
}

/** Waits until every run in `ids` is final. */
async function allFinished(ids: string[]): Promise<void> {
  await until(
    async () => {
      const [{ open }] = await app.database.sql<{ open: number }[]>`
        SELECT count(*)::int AS open FROM runs WHERE id = ANY(${ids}) AND status NOT IN ('succeeded', 'failed', 'canceled')`;
      return open === 0;
    },
    60_000,
    `${ids.length} runs to finish`,
  );
}

/** The runs of `ids` that have started, in the order they started (their first log entry's id: commit order). */
async function startOrder(ids: string[]): Promise<string[]> {
  const rows = await app.database.sql<{ run_id: string }[]>`
    SELECT run_id FROM run_logs WHERE run_id = ANY(${ids}) GROUP BY run_id ORDER BY min(id)`;
  return rows.map((r) => r.run_id);
}

/** The most runs of `org` the cap probe saw leased at once. */
async function mostLeased(org: string): Promise<number> {
  const [{ most }] = await app.database.sql<{ most: number | null }[]>`
    SELECT max(leased)::int AS most FROM openworkflow.cap_probe WHERE org = ${org}`;
  return most ?? 0;
}

/** Cancels whatever of `org` is still queued (Weft's rows and openworkflow's), so later tests' workers never see it. */
async function dropBacklog(org: string): Promise<void> {
  await app.database.sql`
    UPDATE openworkflow.workflow_runs SET status = 'canceled', available_at = NULL, finished_at = now(), updated_at = now()
    WHERE input->>'organizationId' = ${org} AND status = 'pending'`;
  await app.database.sql`UPDATE runs SET status = 'canceled', finished_at = now() WHERE organization_id = ${org} AND status = 'queued'`;
}

describe("another organization's run is not starved by a backlog", () => {
  it("with 1,000 runs of org A queued and executing, org B's one run starts at the next free slot, ahead of A's backlog", async () => {
    const concurrency = 4;
    const [a, b] = [await tenant(busy(30)), await tenant(busy(30))];
    const [worker] = await startWorkers(1, { concurrency });
    try {
      const aRuns = await enqueue(a, 1_000, 20);
      // A's backlog is executing: wait until some of it has finished.
      await until(
        async () => {
          const [{ done }] = await app.database.sql<{ done: number }[]>`
            SELECT count(*)::int AS done FROM runs WHERE organization_id = ${a.org} AND status = 'succeeded'`;
          return done >= 2 * concurrency;
        },
        60_000,
        "A's backlog to be under way",
      );
      const [{ started: aStartedBefore }] = await app.database.sql<{ started: number }[]>`
        SELECT count(*)::int AS started FROM runs WHERE organization_id = ${a.org} AND status <> 'queued'`;
      const sent = Date.now();
      const [bRun] = await enqueue(b, 1);
      await allFinished([bRun]);

      const order = await startOrder([...aRuns, bRun]);
      const aAheadOfB = order.indexOf(bRun);
      const aQueuedAtB = aRuns.length - aAheadOfB;
      // (The drizzle pool hands timestamps back as text: read them as epoch milliseconds.)
      const [bStart] = await app.database.sql<{ ms: number }[]>`
        SELECT (extract(epoch FROM started_at) * 1000)::float AS ms FROM run_logs WHERE run_id = ${bRun} AND block_id = 'trg' AND attempt = 1`;
      const [{ ms: aRunMs }] = await app.database.sql<{ ms: number }[]>`
        SELECT avg(extract(epoch FROM finished_at - started_at) * 1000)::float AS ms FROM runs
        WHERE organization_id = ${a.org} AND status = 'succeeded'`;
      console.log(
        `org B's run started ${Math.round(bStart.ms - sent)} ms after it was enqueued (A's runs took ${aRunMs.toFixed(0)} ms on average, ` +
          `${concurrency} slots); ${aAheadOfB - aStartedBefore} of A's runs started between B's enqueue and B's start; ${aQueuedAtB} of A's 1,000 were still queued`,
      );
      expect(aQueuedAtB).toBeGreaterThanOrEqual(900);
      // B took the first slot that freed after it was enqueued: the only A runs that started in
      // between had been claimed already, or were being claimed, when it arrived (≤ one per slot each).
      expect(aAheadOfB - aStartedBefore).toBeLessThanOrEqual(2 * concurrency);
    } finally {
      await worker.stop();
      await dropBacklog(a.org);
    }
  }, 120_000);
});

describe("the cap", () => {
  it("two workers never execute more of an organization's runs at once than WEFT_ORG_MAX_RUNNING, and reach it", async () => {
    const cap = 3;
    const a = await tenant(busy(60));
    const runs = await enqueue(a, 40);
    const workers = await startWorkers(2, { concurrency: 4, orgMaxRunning: cap });
    try {
      await allFinished(runs);
    } finally {
      await stopAll(workers);
    }
    // Leased (claimed and not finished) at each claim, and the blocks actually running at once.
    expect(await mostLeased(a.org)).toBe(cap);
    expect(sleepyGaugeByOrg.get(a.org)?.max).toBe(cap);
  }, 60_000);

  it("an organization's override in organization_admission is honoured above and below the default, and 0 means no cap", async () => {
    const defaultCap = 2;
    // Each run holds its slot 400 ms, long enough for a loaded machine's claims to fill every cap.
    const [a, b, c, d] = [await tenant(busy(400)), await tenant(busy(400)), await tenant(busy(400)), await tenant(busy(400))];
    await setOrganizationMaxRunning(app.database.db, b.org, 4);
    await setOrganizationMaxRunning(app.database.db, c.org, 1);
    await setOrganizationMaxRunning(app.database.db, d.org, 0);
    expect(await getOrganizationMaxRunning(app.database.db, b.org)).toBe(4);
    expect(await getOrganizationMaxRunning(app.database.db, a.org)).toBeNull();
    const runs = [...(await enqueue(a, 8)), ...(await enqueue(b, 8)), ...(await enqueue(c, 8)), ...(await enqueue(d, 8))];
    // 10 slots: A 2 (default) + B 4 + C 1 leave D, which has no cap, at least 3.
    const workers = await startWorkers(2, { concurrency: 5, orgMaxRunning: defaultCap });
    try {
      await allFinished(runs);
    } finally {
      await stopAll(workers);
    }
    expect({ a: await mostLeased(a.org), b: await mostLeased(b.org), c: await mostLeased(c.org) }).toEqual({ a: defaultCap, b: 4, c: 1 });
    expect(await mostLeased(d.org)).toBeGreaterThan(defaultCap);
    expect(sleepyGaugeByOrg.get(b.org)?.max).toBe(4);
    expect(sleepyGaugeByOrg.get(c.org)?.max).toBe(1);
    // Clearing the override falls back to the default.
    await setOrganizationMaxRunning(app.database.db, b.org, null);
    expect(await getOrganizationMaxRunning(app.database.db, b.org)).toBeNull();
  }, 60_000);
});

describe("admission order", () => {
  it("within an organization, queued runs start oldest first", async () => {
    const a = await tenant(busy(0));
    const runs = await enqueue(a, 12);
    const worker = await startTestWorker(app, { concurrency: 1 });
    try {
      await allFinished(runs);
    } finally {
      await worker.stop();
    }
    const queued = await app.database.sql<{ id: string; ms: number }[]>`
      SELECT id, (extract(epoch FROM created_at) * 1000)::float AS ms FROM runs WHERE id = ANY(${runs}) ORDER BY created_at, id`;
    expect(await startOrder(runs)).toEqual(queued.map((r) => r.id));
    // Enqueued one after another: the queue order is the enqueue order (to the millisecond, then by id).
    const createdAt = new Map(queued.map((r) => [r.id, r.ms]));
    const inEnqueueOrder = runs.map((id) => createdAt.get(id) as number);
    expect(inEnqueueOrder).toEqual([...inEnqueueOrder].sort((x, y) => x - y));
  });

  it("between organizations, starts go round-robin: three backlogs enqueued one after the other interleave", async () => {
    const tenants = [await tenant(busy(0)), await tenant(busy(0)), await tenant(busy(0))];
    const orgOf = new Map<string, string>();
    const runs: string[] = [];
    for (const [index, t] of tenants.entries()) {
      for (const id of await enqueue(t, 5)) {
        orgOf.set(id, "ABC"[index]);
        runs.push(id);
      }
    }
    const worker = await startTestWorker(app, { concurrency: 1 });
    try {
      await allFinished(runs);
    } finally {
      await worker.stop();
    }
    expect((await startOrder(runs)).map((id) => orgOf.get(id)).join("")).toBe("ABC".repeat(5));
  });

  it("queuePosition from GET /api/runs/:id is the order the organization's runs start in", async () => {
    const [a, b] = [await tenant(busy(0)), await tenant(busy(0))];
    const runs: { id: string; t: Tenant }[] = [];
    for (const t of [a, b, a, a, b, a, b, a]) runs.push({ id: await dispatchRun(app, t.user.bearer, t.workflow.id), t });
    const position = new Map<string, number>();
    for (const { id, t } of runs) {
      const res = await call(app, "GET", `/api/runs/${id}`, { headers: t.user.bearer });
      expect(res.body).toMatchObject({ id, status: "queued" });
      position.set(id, res.body.queuePosition as number);
    }
    // What makes it truthful: Weft's created_at (queuePosition's order) is openworkflow's (the claim's).
    const [{ differ }] = await app.database.sql<{ differ: number }[]>`
      SELECT count(*)::int AS differ FROM runs r JOIN openworkflow.workflow_runs w ON w.id = r.ow_run_id
      WHERE r.id = ANY(${runs.map((r) => r.id)}) AND (r.created_at <> w.created_at OR w.input->>'runId' <> r.id)`;
    expect(differ).toBe(0);
    for (const t of [a, b]) {
      const mine = runs.filter((r) => r.t === t).map((r) => position.get(r.id));
      expect([...mine].sort((x = 0, y = 0) => x - y)).toEqual(mine.map((_, i) => i));
    }
    // One worker, one slot, with a cap of 1 per organization: the order is the claim's alone.
    const worker = await startTestWorker(app, { concurrency: 1, orgMaxRunning: 1 });
    try {
      await allFinished(runs.map((r) => r.id));
    } finally {
      await worker.stop();
    }
    const order = await startOrder(runs.map((r) => r.id));
    for (const t of [a, b]) {
      const started = order.filter((id) => runs.find((r) => r.id === id)?.t === t);
      expect(started.map((id) => position.get(id))).toEqual(started.map((_, i) => i));
    }
  });
});

describe("the claim loop under a cap", () => {
  /**
   * driveClaims on a stand-in worker with two slots: the first claim takes a run, the others come
   * back empty. Returns how many claims were made after the running execution ended.
   */
  async function claimsAfterSlotFrees(heldBack: boolean): Promise<number> {
    const executions = new Set<{ workerId: string }>();
    let claims = 0;
    const stub = {
      activeExecutions: executions,
      workerIds: ["slot-1", "slot-2"],
      tick: async () => 0,
      claimAndProcessWorkflowRunInBackground: async (workerId: string) => {
        claims += 1;
        if (claims > 1) return null;
        executions.add({ workerId });
        return { id: "run-1" };
      },
    };
    // The stand-in resolves at once, so one turn of the event loop lets every pass it starts finish.
    const settle = () => new Promise((res) => setTimeout(res, 20));
    const claimer = driveClaims(stub as unknown as Worker, {
      stopped: () => false,
      onError: (error) => {
        throw error;
      },
      admission: { heldBack: () => heldBack },
    });
    claimer.announced();
    await settle();
    expect(claims).toBe(2); // the announced run, then an empty claim for the free slot
    const before = claims;
    for (const execution of [...executions]) executions.delete(execution);
    await settle();
    return claims - before;
  }

  it("a slot that frees after a claim held back by a cap claims again at once; after a plainly empty claim it does not", async () => {
    expect(await claimsAfterSlotFrees(true)).toBe(1);
    expect(await claimsAfterSlotFrees(false)).toBe(0);
  });
});
