/**
 * The children watch (docs/runs.md, "Child runs"): every worker looks, every couple of seconds, for
 * call_workflow blocks parked on children that finished since the block last looked, and signals
 * them again. A finished child signals its parent's block itself, but that signal is lost when the
 * parent is not parked at that moment and its worker dies before it parks (openworkflow drops a
 * signal nobody waits for); without this the block would sleep until its heartbeat.
 */
import type postgres from "postgres";
import type { OpenWorkflow } from "openworkflow";
import type { Logger } from "@/lib/log";
import { staleChildrenWaits } from "@/lib/store/child-runs";
import { signalBlock } from "./block-signal";
import { startPeriodicLoop, type PeriodicLoop } from "./periodic-loop";

/** A block whose last look is older than this and missed a finished child is signalled again. */
const QUIET_MS = 2_000;
/** Time between passes (±10 %). */
const INTERVAL_MS = 2_000;
/** Blocks signalled per pass; the rest wait for the next one. */
const BATCH = 100;

/** Starts the watch; stop it before the pools close. */
export function startChildrenWatch(options: { sql: postgres.Sql; ow: OpenWorkflow; logger: Logger }): PeriodicLoop {
  const log = options.logger.child({ component: "children-watch" });
  return startPeriodicLoop({
    pass: async () => {
      try {
        for (const wait of await staleChildrenWaits(options.sql, QUIET_MS, BATCH)) {
          // No idempotency key: each pass must reach the wait the block is parked in now.
          const delivered = await signalBlock(options.ow, options.sql, wait, { data: { reason: "children" }, idempotencyKey: null, retryMs: 0 });
          // Not delivered: the block was woken already and waits for a worker, or is between a check and its park.
          if (delivered) log.info({ runId: wait.runId, blockId: wait.blockId }, "woke a call_workflow block that missed a finished child");
          else log.debug({ runId: wait.runId, blockId: wait.blockId }, "a call_workflow block that missed a finished child is not parked; trying again");
        }
      } catch (error) {
        log.warn({ err: error }, "children watch pass failed; the next one tries again");
      }
    },
    nextDelayMs: () => INTERVAL_MS * (0.9 + Math.random() * 0.2),
  });
}
