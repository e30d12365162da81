/**
 * Fair admission of runs to workers (docs/runs.md, "Admission"; docs/openworkflow.md, "The fair
 * claim"): the claim function every Weft worker calls instead of openworkflow's claim, and the
 * indexes it reads. Installed by the migrator after openworkflow's own migrations, on every
 * migrate (idempotent), like the queue tuning beside it.
 *
 * The rule, in one statement (`SELECT … FROM claim_workflow_run(…)`):
 * - An organization's runs executing at once (leased to a worker: running, with a worker, lease
 *   not expired) never exceed its cap: `organization_admission.max_running`, else the worker's
 *   `WEFT_ORG_MAX_RUNNING`; 0 is no cap.
 * - Among organizations below their cap with a claimable run, the one with the fewest runs
 *   executing goes first, then the one admitted longest ago (never admitted first): round-robin.
 * - Within an organization, runs resuming (from a wait, a retry or an expired lease) go first, by
 *   when they became due; then queued runs, oldest first by (created_at, Weft run id), the order
 *   `queuePosition` counts in (lib/store/runs.ts).
 * - Claims are serialized by one transaction-level advisory lock per queue. Each statement of a
 *   PL/pgSQL function takes a fresh snapshot under READ COMMITTED, so the counts read after the
 *   lock include every claim committed before it: two workers can never both take an
 *   organization's last slot. (A plain single statement would count from a snapshot taken before
 *   it waited for the lock.)
 * - It returns one row: `held_back` (nothing was claimed, but some run waits only for its
 *   organization's cap: a worker should claim again when a slot frees) and the claimed run, or
 *   NULL, in openworkflow's row shape.
 */
import type postgres from "postgres";
import { openworkflowSchemaOf } from "./client";

/** The organization of an openworkflow run: Weft's `RunInput.organizationId` ('' for a run Weft did not enqueue). */
const ORG = "COALESCE(input->>'organizationId', '')";
/** Weft's run id, the tie-break of `queuePosition` within one millisecond. */
const RUN_ID = "(input->>'runId')";

/** The name of the claim function for Weft's tables in `weftSchema`, quoted for SQL. */
export function claimFunctionOf(weftSchema: string): string {
  return `"${weftSchema}"."claim_workflow_run"`;
}

/**
 * The name of the batch claim function for Weft's tables in `weftSchema`, quoted for SQL:
 * `claim_workflow_runs(namespace, worker_ids[], lease_ms, default_max_running)` makes the claims
 * of `claim_workflow_run` for each worker id in turn, in one transaction, until one comes back
 * empty; one row per claim made, the empty one included (with its `held_back`). When a single
 * organization can be served, its claims are made together (the same runs, in the same order).
 */
export function batchClaimFunctionOf(weftSchema: string): string {
  return `"${weftSchema}"."claim_workflow_runs"`;
}

/**
 * Creates (or replaces) the claim function and its indexes. Schema names come from
 * `checkSchemaName` (lowercase letters, digits and _), so they are safe to splice into DDL.
 */
export async function installAdmission(sql: postgres.Sql, weftSchema: string): Promise<void> {
  const owSchema = openworkflowSchemaOf(weftSchema);
  const runs = `"${owSchema}"."workflow_runs"`;
  // Queued runs (never claimed), per organization, in queue order.
  await sql.unsafe(`
    CREATE INDEX IF NOT EXISTS workflow_runs_org_queue_idx ON ${runs} (namespace_id, (${ORG}), created_at, ${RUN_ID}, id)
      WHERE status = 'pending' AND attempts = 0`);
  // Runs claimed before and still active (executing, parked, or due to resume), per organization, by when they are due.
  await sql.unsafe(`
    CREATE INDEX IF NOT EXISTS workflow_runs_org_started_idx ON ${runs} (namespace_id, (${ORG}), available_at)
      WHERE status IN ('pending', 'running', 'sleeping') AND attempts > 0`);
  // Runs leased to a worker right now, per organization: what the cap counts.
  await sql.unsafe(`
    CREATE INDEX IF NOT EXISTS workflow_runs_org_leased_idx ON ${runs} (namespace_id, (${ORG}), available_at)
      WHERE status = 'running' AND worker_id IS NOT NULL`);

  // The organizations with a claimable run (due to resume, or queued), in the order they are
  // served: below their cap first, then fewest executing, then admitted longest ago, then the one
  // whose run has waited longest. Read inside the claim functions, with their p_namespace_id,
  // p_default_max_running and v_now (the clock after the lock).
  const candidates = `
      WITH RECURSIVE queued(org) AS (
        (SELECT ${ORG} FROM ${runs} WHERE namespace_id = p_namespace_id AND status = 'pending' AND attempts = 0 ORDER BY 1 LIMIT 1)
        UNION ALL
        SELECT (SELECT ${ORG} FROM ${runs} WHERE namespace_id = p_namespace_id AND status = 'pending' AND attempts = 0
                  AND ${ORG} > queued.org ORDER BY 1 LIMIT 1)
        FROM queued WHERE queued.org IS NOT NULL
      ), started(org) AS (
        (SELECT ${ORG} FROM ${runs} WHERE namespace_id = p_namespace_id AND status IN ('pending', 'running', 'sleeping')
           AND attempts > 0 ORDER BY 1 LIMIT 1)
        UNION ALL
        SELECT (SELECT ${ORG} FROM ${runs} WHERE namespace_id = p_namespace_id AND status IN ('pending', 'running', 'sleeping')
                  AND attempts > 0 AND ${ORG} > started.org ORDER BY 1 LIMIT 1)
        FROM started WHERE started.org IS NOT NULL
      ), orgs AS (
        SELECT org FROM queued WHERE org IS NOT NULL UNION SELECT org FROM started WHERE org IS NOT NULL
      ), candidates AS (
        SELECT o.org,
          COALESCE(a.max_running, p_default_max_running) AS max_running,
          a.last_admitted_at,
          (SELECT count(*) FROM ${runs} WHERE namespace_id = p_namespace_id AND status = 'running' AND worker_id IS NOT NULL
             AND ${ORG} = o.org AND available_at > v_now) AS running,
          (SELECT available_at FROM ${runs} WHERE namespace_id = p_namespace_id AND status IN ('pending', 'running', 'sleeping')
             AND attempts > 0 AND ${ORG} = o.org AND available_at <= v_now ORDER BY available_at LIMIT 1) AS resume_at,
          (SELECT created_at FROM ${runs} WHERE namespace_id = p_namespace_id AND status = 'pending' AND attempts = 0
             AND ${ORG} = o.org AND available_at <= v_now ORDER BY created_at, ${RUN_ID}, id LIMIT 1) AS queued_at
        FROM orgs o
        -- LIMIT 1 keeps this a primary-key lookup per organization (never a scan of every organization's row).
        LEFT JOIN LATERAL (
          SELECT max_running, last_admitted_at FROM "${weftSchema}"."organization_admission" WHERE organization_id = o.org LIMIT 1
        ) a ON true
      )
      SELECT c.org, c.max_running > 0 AND c.running >= c.max_running AS at_cap, c.max_running, c.running
      FROM candidates c
      WHERE c.resume_at IS NOT NULL OR c.queued_at IS NOT NULL
      ORDER BY at_cap, c.running, c.last_admitted_at NULLS FIRST, LEAST(c.resume_at, c.queued_at), c.org`;

  // The statements both claim functions share, in their variables (p_namespace_id, v_now, v_run).
  // The lock serializes claims; after it, a run enqueued while this claim waited is due already.
  const locked = `PERFORM pg_advisory_xact_lock(hashtextextended('weft:claim:${owSchema}', 0));
      v_now := clock_timestamp();`;
  // As openworkflow's claim does first: fail runs past their deadline (Weft sets none).
  const deadlines = `UPDATE ${runs}
      SET status = 'failed', error = '{"message": "Workflow run deadline exceeded"}'::jsonb, worker_id = NULL,
        available_at = NULL, finished_at = v_now, updated_at = v_now
      WHERE namespace_id = p_namespace_id AND status IN ('pending', 'running', 'sleeping')
        AND deadline_at IS NOT NULL AND deadline_at <= v_now;`;
  /** An organization's runs due to resume (from a wait, a retry or an expired lease), by when they became due. */
  const resumable = (org: string) => `FROM ${runs}
        WHERE namespace_id = p_namespace_id AND status IN ('pending', 'running', 'sleeping') AND attempts > 0
          AND ${ORG} = ${org} AND available_at <= v_now AND (deadline_at IS NULL OR deadline_at > v_now)
        ORDER BY available_at`;
  /** An organization's queued runs, in queue order. */
  const queuedOf = (org: string) => `FROM ${runs}
        WHERE namespace_id = p_namespace_id AND status = 'pending' AND attempts = 0
          AND ${ORG} = ${org} AND available_at <= v_now AND (deadline_at IS NULL OR deadline_at > v_now)
        ORDER BY created_at, ${RUN_ID}, id`;
  /** Leases run v_run to `worker`: the same update as openworkflow's claim, with the lock's clock. */
  const lease = (worker: string) => `UPDATE ${runs} AS wr
          SET status = 'running', attempts = wr.attempts + 1, worker_id = ${worker},
            available_at = v_now + p_lease_ms * INTERVAL '1 millisecond', started_at = COALESCE(wr.started_at, v_now), updated_at = v_now
          WHERE wr.namespace_id = p_namespace_id AND wr.id = v_run.id
          RETURNING wr.* INTO v_run;`;
  /** Leases the runs `from` selects, until v_want are made in all, each to the next of p_worker_ids, and returns each. */
  const leaseEach = (from: string) => `FOR v_run IN SELECT * ${from} LIMIT v_want - v_made FOR UPDATE SKIP LOCKED
          LOOP
            v_made := v_made + 1;
            ${lease("p_worker_ids[v_made]")}
            held_back := false;
            run := v_run;
            RETURN NEXT;
          END LOOP;`;
  /** Records that `org` was admitted now (the round-robin's "admitted longest ago"). */
  const admitted = (org: string) => `IF ${org} <> '' THEN
            INSERT INTO "${weftSchema}"."organization_admission" AS a (organization_id, last_admitted_at) VALUES (${org}, v_now)
            ON CONFLICT (organization_id) DO UPDATE SET last_admitted_at = EXCLUDED.last_admitted_at;
          END IF;`;

  await sql.unsafe(`
    CREATE OR REPLACE FUNCTION ${claimFunctionOf(weftSchema)}(
      p_namespace_id text, p_worker_id text, p_lease_ms integer, p_default_max_running integer
    ) RETURNS TABLE (held_back boolean, run ${runs})
    LANGUAGE plpgsql VOLATILE
    -- Its statements' plans depend on no value enough to be worth planning each call (planning the
    -- candidate query cost more than running it); the generic plans are the index scans above.
    SET plan_cache_mode = force_generic_plan
    AS $claim$
    DECLARE
      v_now timestamptz;
      v_org record;
      v_run ${runs};
      v_held_back boolean := false;
    BEGIN
      ${locked}

      ${deadlines}

      FOR v_org IN ${candidates}
      LOOP
        IF v_org.at_cap THEN
          -- The rest are at their cap too (they sort last).
          v_held_back := true;
          EXIT;
        END IF;
        SELECT * INTO v_run ${resumable("v_org.org")} LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
          SELECT * INTO v_run ${queuedOf("v_org.org")} LIMIT 1 FOR UPDATE SKIP LOCKED;
        END IF;
        IF FOUND THEN
          ${lease("p_worker_id")}
          ${admitted("v_org.org")}
          RETURN QUERY SELECT false, v_run;
          RETURN;
        END IF;
      END LOOP;
      RETURN QUERY SELECT v_held_back, NULL::${runs};
    END
    $claim$`);

  // Several claims in one round trip: the claims above, one after the other in one transaction
  // (the advisory lock is taken again by each, which a transaction may), so each sees the leases
  // the ones before it took, as successive statements would. When only one organization can be
  // served (every other one with a claimable run is at its cap, or there is none), those claims
  // would all go to it: they are made at once, its runs in the same order up to its cap, the
  // candidates read once instead of once per slot. The slots left (the queue ran dry, or the cap
  // was reached) go on one claim at a time, until one comes back empty.
  await sql.unsafe(`
    CREATE OR REPLACE FUNCTION ${batchClaimFunctionOf(weftSchema)}(
      p_namespace_id text, p_worker_ids text[], p_lease_ms integer, p_default_max_running integer
    ) RETURNS TABLE (held_back boolean, run ${runs})
    LANGUAGE plpgsql VOLATILE
    SET plan_cache_mode = force_generic_plan
    AS $claims$
    DECLARE
      v_now timestamptz;
      v_org record;
      v_only record;
      v_servable integer := 0;
      v_run ${runs};
      v_made integer := 0;
      v_want integer;
      v_worker text;
      v record;
    BEGIN
      IF cardinality(p_worker_ids) > 1 THEN
        ${locked}
        ${deadlines}
        FOR v_org IN ${candidates}
        LOOP
          EXIT WHEN v_org.at_cap;
          v_servable := v_servable + 1;
          EXIT WHEN v_servable > 1;
          v_only := v_org;
        END LOOP;
        IF v_servable = 1 THEN
          v_want := cardinality(p_worker_ids);
          IF v_only.max_running > 0 THEN
            v_want := LEAST(v_want, v_only.max_running - v_only.running);
          END IF;
          ${leaseEach(resumable("v_only.org"))}
          IF v_made < v_want THEN
            ${leaseEach(queuedOf("v_only.org"))}
          END IF;
          IF v_made > 0 THEN
            ${admitted("v_only.org")}
          END IF;
        END IF;
      END IF;
      FOREACH v_worker IN ARRAY p_worker_ids[v_made + 1:] LOOP
        SELECT c.held_back AS h, c.run AS r INTO v FROM ${claimFunctionOf(weftSchema)}(p_namespace_id, v_worker, p_lease_ms, p_default_max_running) AS c;
        held_back := v.h;
        run := v.r;
        RETURN NEXT;
        EXIT WHEN (v.r).id IS NULL;
      END LOOP;
    END
    $claims$`);
}
