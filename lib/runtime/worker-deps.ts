/**
 * What the generic workflow fn needs from the worker process that runs it.
 */
import type postgres from "postgres";
import type { Database } from "@/db/client";
import type { ConnectorRegistry, OperatorSettings } from "@/lib/engine/connector";
import type { AttemptWrite } from "@/lib/store/run-logs";

/** One AbortController per run executing in this process, so a cancel aborts its in-flight blocks. */
export class RunAborts {
  private readonly controllers = new Map<string, { controller: AbortController; users: number }>();

  /** The run's signal; pair every call with `release`. */
  signal(runId: string): AbortSignal {
    let entry = this.controllers.get(runId);
    if (!entry) {
      entry = { controller: new AbortController(), users: 0 };
      this.controllers.set(runId, entry);
    }
    entry.users += 1;
    return entry.controller.signal;
  }

  release(runId: string): void {
    const entry = this.controllers.get(runId);
    if (entry && --entry.users <= 0) this.controllers.delete(runId);
  }

  /** Aborts the run's in-flight blocks; false when it is not executing here. */
  abort(runId: string): boolean {
    const entry = this.controllers.get(runId);
    entry?.controller.abort(new Error("The run was canceled."));
    return entry !== undefined;
  }
}

export interface WorkerDeps {
  /** Weft's own tables (runs, run_logs, events, run_waits). */
  sql: postgres.Sql;
  /** The same pool through drizzle, for the shared store functions (secrets). */
  db: Database;
  registry: ConnectorRegistry;
  secretsKey: Buffer;
  /** The installation's settings, for connectors' `operatorParams` (WEFT_ALLOW_PRIVATE_HTTP…). */
  operator: OperatorSettings;
  /** openworkflow's schema, where child runs (call_workflow) are enqueued. */
  owSchema: string;
  /** True once the worker is stopping: runs start no new block and are handed back (execute-run.ts). */
  draining?: () => boolean;
  /** Sends a block attempt's run log write with its step's completion (block-attempt.ts, AttemptDeps.stageWrite). */
  stageWrite?: (output: object, write: AttemptWrite, nextSteps: string[], defer?: boolean) => void;
  /** Per run: the next `step.run({ name: stepName })` is a pure block's attempt 1, whose step may start in memory (docs/openworkflow.md, "Deferred completions"). */
  stagePureStep?: (stepName: string) => void;
  /** Per run: adds skipped blocks' entries to what deferred completions left in memory; false when nothing is (write them now). */
  deferSkips?: (writes: AttemptWrite[]) => boolean;
  /** Per run: writes what deferred completions left in memory; before the run's final status. */
  flushDeferred?: () => Promise<void>;
}
