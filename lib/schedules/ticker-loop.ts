/**
 * The ticker loop every worker process runs (docs/runs.md, "Schedules"): one pass about once a second, the
 * interval jittered so many workers do not claim in lockstep. Passes never overlap within a
 * process; a failing pass is logged and the loop carries on.
 */
import { startPeriodicLoop, type PeriodicLoop } from "@/lib/runtime/periodic-loop";
import { runTickerPass, type TickerDeps } from "./ticker";

export type ScheduleTicker = PeriodicLoop;

export interface TickerLoopOptions {
  /** Time between the end of one pass and the start of the next; default 1000 ms. */
  intervalMs?: number;
  /** Up to this much is added to or taken from each interval at random; default 100 ms. */
  jitterMs?: number;
}

/** Starts the loop; the first pass runs at once. */
export function startScheduleTicker(deps: TickerDeps, options: TickerLoopOptions = {}): ScheduleTicker {
  const intervalMs = options.intervalMs ?? 1_000;
  const jitterMs = options.jitterMs ?? 100;
  const log = deps.logger.child({ component: "schedule-ticker" });
  const loop = startPeriodicLoop({
    pass: async () => {
      try {
        const result = await runTickerPass(deps);
        if (result.failed.length > 0) log.warn({ failed: result.failed }, "schedule dispatches failed; their slots are retried with backoff");
      } catch (error) {
        log.error({ err: error }, "schedule ticker pass failed");
      }
    },
    nextDelayMs: () => Math.max(0, intervalMs + Math.round((Math.random() * 2 - 1) * jitterMs)),
    onStopped: () => log.info("schedule ticker stopped"),
  });
  log.info({ intervalMs }, "schedule ticker started");
  return loop;
}
