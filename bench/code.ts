/**
 * Code block benchmark: the overhead of the `code` connector on a trivial script (`return input`),
 * measured as its `run` is called by the runtime: hand-off to a warm sandbox thread, a fresh
 * QuickJS runtime and context, the prelude, compiling and calling the code, reading the JSON back.
 * One block at a time, after a warm-up; then 4 at once, as a worker with concurrent runs would.
 * Target: p50 ≤ 5 ms one at a time.
 */
import { code } from "@/lib/connectors/code";
import type { ConnectorContext } from "@/lib/engine/connector";
import { summary } from "./percentiles";

const WARMUP = 100;
const ITERATIONS = 1_000;
const CONCURRENT = 4;
const TARGET_P50_MS = 5;

const context: ConnectorContext = {
  runId: "run_bench",
  blockId: "calc",
  organizationId: "org_bench",
  signal: new AbortController().signal,
  log: () => {},
  respondToWebhook: async () => ({ responded: false, reason: "not_webhook_run" }),
};
const trivial = code.params.parse({ code: "return input;", input: { n: 1 } });

async function timedRun(): Promise<number> {
  const started = performance.now();
  await code.run!(context, trivial);
  return performance.now() - started;
}

/** Runs the code benchmark and prints p50/p99 of a trivial script, one at a time and 4 at once. */
export async function benchCode(): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await timedRun();
  const serial: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) serial.push(await timedRun());
  const one = summary(serial, 2);
  console.log(`code block, trivial script, one at a time (${ITERATIONS} runs): p50 ${one.p50} ms, p99 ${one.p99} ms, max ${one.max} ms (target p50 ≤ ${TARGET_P50_MS} ms)`);

  const concurrent: number[] = [];
  const started = performance.now();
  for (let i = 0; i < ITERATIONS / CONCURRENT; i++) concurrent.push(...(await Promise.all(Array.from({ length: CONCURRENT }, timedRun))));
  const seconds = (performance.now() - started) / 1000;
  const four = summary(concurrent, 2);
  console.log(
    `code block, trivial script, ${CONCURRENT} at once (${concurrent.length} runs): p50 ${four.p50} ms, p99 ${four.p99} ms; ${(concurrent.length / seconds).toFixed(0)} blocks/s`,
  );
}
