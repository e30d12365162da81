/**
 * Waiting on a run without losing a wake-up (docs/runs.md, "Waiting for a result"). Every reader
 * that holds a request open until a run changes (a webhook's `?wait`, the MCP tools' `wait_seconds`,
 * a webhook waiting for its workflow's `respond_webhook`) waits here: it subscribes to the run's
 * NOTIFYs before its first read, and each notification bumps a counter. Before parking, the
 * waiter compares the counter with its value when the read began: a notification that arrived
 * while the read was in flight makes it read again at once instead of sleeping until the poll.
 */
import { RUNNING_HINT } from "@/lib/store/channels";

/** Calls `listener` on each notification about the run, with its hint if any (RUN_STATUS_CHANNEL); returns the unsubscribe (the runtime's `subscribe`). */
export type RunSubscribe = (runId: string, listener: (hint?: string) => void) => () => void;

/**
 * Which notifications wake a wait. `beyondStart` skips the one that only says a queued run started
 * (RUNNING_HINT): for waits on an answer, a durable wait or the end, which a start is none of.
 */
export type WakeFilter = (hint: string | undefined) => boolean;
export const beyondStart: WakeFilter = (hint) => hint !== RUNNING_HINT;

/** The fallback re-read interval: notifications are best effort (a dropped LISTEN connection loses them). */
export const DEFAULT_WAIT_POLL_MS = 1_000;

/** A run's notifications, counted from when it was armed (`watchRun`). */
export interface RunWatch {
  /** How many notifications about the run came since the watch was armed. */
  readonly notifications: number;
  /** The hint of the latest of them, if it had one. */
  readonly latestHint: string | undefined;
  /** Resolves after `ms`, or at once when a notification comes meanwhile. */
  park(ms: number): Promise<void>;
  /** Unsubscribes; safe to call more than once. */
  close(): void;
}

/** Subscribes to the run's notifications now and counts them (those `wakes` lets through; all by default). */
export function watchRun(runId: string, subscribe: RunSubscribe, wakes?: WakeFilter): RunWatch {
  let notifications = 0;
  let latestHint: string | undefined;
  let wake: (() => void) | null = null;
  let unsubscribe: (() => void) | null = subscribe(runId, (hint) => {
    if (wakes && !wakes(hint)) return;
    notifications += 1;
    latestHint = hint;
    wake?.();
  });
  return {
    get notifications() {
      return notifications;
    },
    get latestHint() {
      return latestHint;
    },
    park(ms) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(finish, ms);
        function finish() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = finish;
      });
    },
    close() {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}

export interface WaitForChange<T> {
  runId: string;
  subscribe: RunSubscribe;
  /** Reads the state; called once at the start and again after each notification or poll. */
  read: () => Promise<T>;
  /** True when `read`'s value is what the caller waits for. */
  done: (value: T) => boolean;
  timeoutMs: number;
  /** Re-read at least this often even without a notification (default DEFAULT_WAIT_POLL_MS). */
  pollMs?: number;
  /** Which notifications make it read again (default: every one). */
  wakes?: WakeFilter;
  /**
   * The state as the caller already knows it, in place of the first read: `value` was current
   * after `watch` (armed on this run, and closed by the wait) had seen `seen` notifications. A
   * webhook's `?wait` arms the watch before it creates the run, so the new run's state needs no
   * read; any notification since then makes the wait read at once.
   */
  known?: { watch: RunWatch; value: T; seen: number };
  /**
   * The state a notification's hint gives in full (a webhook-started run's final state,
   * FINAL_HINT), used in place of the read after it; undefined when the hint does not give it.
   */
  fromHint?: (hint: string | undefined) => T | undefined;
}

/**
 * Reads until `done` holds or `timeoutMs` passes, woken by the run's notifications, and returns the
 * last value read (done or not). Armed before the first read, and a notification during a read is
 * never lost: the next park returns at once.
 */
export async function waitForChange<T>(options: WaitForChange<T>): Promise<T> {
  const { runId, subscribe, read, done, timeoutMs } = options;
  const pollMs = options.pollMs ?? DEFAULT_WAIT_POLL_MS;
  const deadline = Date.now() + timeoutMs;
  let known = options.known;
  const watch = known?.watch ?? watchRun(runId, subscribe, options.wakes);
  try {
    for (;;) {
      let seen: number;
      let value: T;
      if (known) {
        ({ seen, value } = known);
        known = undefined;
      } else {
        seen = watch.notifications;
        const hinted = seen > 0 ? options.fromHint?.(watch.latestHint) : undefined;
        value = hinted !== undefined ? hinted : await read();
      }
      const left = deadline - Date.now();
      if (done(value) || left <= 0) return value;
      if (watch.notifications !== seen) continue; // changed while we read: read again now
      await watch.park(Math.min(pollMs, left));
    }
  } finally {
    watch.close();
  }
}
