/**
 * A background loop a worker process runs (the schedule ticker, the retention sweeper): a first
 * pass at once, then the next one `nextDelayMs()` after the previous one ended, so passes never
 * overlap within a process.
 */

export interface PeriodicLoop {
  /** Stops scheduling passes and waits for the one in flight to finish. */
  stop(): Promise<void>;
}

export interface PeriodicLoopOptions {
  /** One pass; it must not reject (it logs its own errors), or `stop()` would reject with it. */
  pass: () => Promise<void>;
  /** Time from the end of one pass to the start of the next, asked once per pass (so it can be jittered). */
  nextDelayMs: () => number;
  /** Called once, by the first `stop()`, after the pass in flight has finished. */
  onStopped?: () => void;
}

/** Starts the loop; the first pass runs at once. */
export function startPeriodicLoop(options: PeriodicLoopOptions): PeriodicLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const loop = (): void => {
    timer = null;
    if (stopped) return;
    inFlight = options.pass().finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, options.nextDelayMs());
    });
  };
  loop();

  return {
    async stop() {
      if (stopped) return inFlight;
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      options.onStopped?.();
    },
  };
}
