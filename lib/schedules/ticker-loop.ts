/**
 * The ticker loop every worker process runs (docs/runs.md, "Schedules"): one pass about once a second, the
 * interval jittered so many workers do not claim in lockstep. Passes never overlap within a
 * process; a failing pass is logged and the loop carries on.
 */
import { runTickerPass, type TickerDeps } from "./ticker";

export interface ScheduleTicker {
  /** Stops scheduling passes and waits for the one in flight to finish. */
  stop(): Promise<void>;
}

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
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const pass = async (): Promise<void> => {
    try {
      const result = await runTickerPass(deps);
      if (result.failed.length > 0) log.warn({ failed: result.failed }, "schedule dispatches failed; their slots are retried with backoff");
    } catch (error) {
      log.error({ err: error }, "schedule ticker pass failed");
    }
  };
  const loop = (): void => {
    timer = null;
    if (stopped) return;
    inFlight = pass().finally(() => {
      if (stopped) return;
      const delay = Math.max(0, intervalMs + Math.round((Math.random() * 2 - 1) * jitterMs));
      timer = setTimeout(loop, delay);
    });
  };
  loop();
  log.info({ intervalMs }, "schedule ticker started");

  return {
    async stop() {
      if (stopped) return inFlight;
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      log.info("schedule ticker stopped");
    },
  };
}
