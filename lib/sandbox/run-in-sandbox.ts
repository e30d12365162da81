/**
 * Runs `code` blocks in QuickJS inside worker threads (docs/connectors.md, "The code sandbox").
 * QuickJS runs synchronously, so on the worker's own event loop a 30-second script would stall
 * every other run, the lease heartbeats and cancellation; in a thread it stalls nothing. A few
 * threads are kept warm (loading QuickJS takes far longer than running a small script) and each
 * runs one job at a time, in a fresh QuickJS runtime. The host keeps its own deadline as a
 * backstop: a thread that does not answer within the job's limit plus a grace period is ended.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SandboxErrorCode, SandboxJob, SandboxOutcome, ThreadData, ThreadMessage, ThreadRequest } from "./job";

/** Threads at most; more jobs wait for a free one (the wait does not count towards their timeout). */
const MAX_THREADS = 4;
/** How long past its timeout a job's thread may stay silent before the host ends it. */
const HARD_STOP_GRACE_MS = 2_000;
/** The thread's native stack: room for QuickJS to reach its own stack limit first (evaluate.ts). */
const THREAD_STACK_MB = 16;

// The thread's code: compiled beside the worker's bundle in production (scripts/build-server.mjs),
// loaded with a plain require; from source it is TypeScript, and as Node 20 does not pass
// `--import tsx` hooks on to worker threads, the thread loads it through tsx's CommonJS API,
// resolved here from the host's own module.
const BOOTSTRAP = `const { workerData } = require("node:worker_threads"); workerData.tsx ? require(workerData.tsx).require(workerData.entry, workerData.entry) : require(workerData.entry);`;

function threadData(): ThreadData {
  const here = fileURLToPath(import.meta.url);
  const require = createRequire(here);
  // In dist/server/, this code sits in worker.js or in one of its chunks/ beside it.
  const compiled = [join(dirname(here), "sandbox-thread.cjs"), join(dirname(here), "..", "sandbox-thread.cjs")].find((file) => existsSync(file));
  return {
    tsx: compiled ? null : require.resolve("tsx/cjs/api"),
    entry: compiled ?? join(dirname(here), "sandbox-thread.ts"),
    // quickjs-emscripten's own release build, the one RELEASE_SYNC loads.
    wasm: require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"),
  };
}

function failed(code: SandboxErrorCode, message: string): SandboxOutcome {
  return { ok: false, error: { code, message }, logs: [] };
}

interface Finished {
  outcome: SandboxOutcome;
  /** False when the thread must not run another job: it was ended. */
  reusable: boolean;
}

/** One worker thread running one job at a time. */
class SandboxThread {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private current: { id: number; finish: (result: Finished) => void } | null = null;
  private ended = false;
  private nextId = 1;

  constructor(onEnded: (thread: SandboxThread) => void) {
    let markReady: () => void = () => {};
    let failStart: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    this.ready.catch(() => {}); // also reported to whoever awaits it
    this.worker = new Worker(BOOTSTRAP, { eval: true, workerData: threadData(), resourceLimits: { stackSizeMb: THREAD_STACK_MB } });
    this.worker.on("message", (message: ThreadMessage) => {
      if ("ready" in message) return markReady();
      if (this.current?.id !== message.id) return;
      this.current.finish({ outcome: message.outcome, reusable: true });
    });
    const end = (reason: string) => {
      if (this.ended) return;
      this.ended = true;
      failStart(new Error(reason));
      this.current?.finish({ outcome: failed("sandbox_failed", `The sandbox thread stopped (${reason}).`), reusable: false });
      onEnded(this);
    };
    this.worker.on("error", (error) => end(error.message));
    this.worker.on("exit", (code) => end(`exit code ${code}`));
  }

  /** Runs `job`; ends the thread when the job outlives its limit by the grace period or `signal` aborts. */
  run(job: SandboxJob, signal: AbortSignal): Promise<Finished> {
    if (this.ended) return Promise.resolve({ outcome: failed("sandbox_failed", "The sandbox thread stopped before the code ran."), reusable: false });
    return new Promise<Finished>((resolve) => {
      const id = this.nextId++;
      const stop = (outcome: SandboxOutcome) => {
        this.current?.finish({ outcome, reusable: false });
        this.end();
      };
      const timer = setTimeout(
        () => stop(failed("timeout", `The code ran longer than its limit of ${job.timeoutMs} ms (timeoutMs) and its sandbox was stopped.`)),
        job.timeoutMs + HARD_STOP_GRACE_MS,
      );
      const onAbort = () => stop(failed("canceled", "The run was canceled while the code ran."));
      signal.addEventListener("abort", onAbort, { once: true });
      this.current = {
        id,
        finish: (result) => {
          this.current = null;
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          this.worker.unref();
          resolve(result);
        },
      };
      this.worker.ref();
      this.worker.postMessage({ id, job } satisfies ThreadRequest);
    });
  }

  /** An idle thread does not keep the process alive. */
  idle(): void {
    this.worker.unref();
  }

  end(): void {
    void this.worker.terminate();
  }
}

/** Warm threads, up to MAX_THREADS, handed to jobs in arrival order. */
class SandboxPool {
  private readonly idle: SandboxThread[] = [];
  private readonly waiting: ((thread: SandboxThread) => void)[] = [];
  private readonly live = new Set<SandboxThread>();

  async run(job: SandboxJob, signal: AbortSignal): Promise<SandboxOutcome> {
    const canceled = () => failed("canceled", "The run was canceled before the code ran.");
    if (signal.aborted) return canceled();
    const thread = await this.acquire(signal);
    if (!thread) return canceled();
    try {
      await thread.ready;
    } catch (error) {
      this.release(thread, false);
      return failed("sandbox_failed", `The sandbox could not start: ${(error as Error).message}`);
    }
    if (signal.aborted) {
      this.release(thread, true);
      return canceled();
    }
    const { outcome, reusable } = await thread.run(job, signal);
    this.release(thread, reusable);
    return outcome;
  }

  private spawn(): SandboxThread {
    const thread = new SandboxThread((ended) => this.forget(ended));
    this.live.add(thread);
    return thread;
  }

  /** A free thread, a new one while under MAX_THREADS, else the next one released; null if `signal` aborts first. */
  private acquire(signal: AbortSignal): Promise<SandboxThread | null> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.live.size < MAX_THREADS) return Promise.resolve(this.spawn());
    return new Promise((resolve) => {
      const take = (thread: SandboxThread) => {
        signal.removeEventListener("abort", onAbort);
        resolve(thread);
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        resolve(null);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(thread: SandboxThread, reusable: boolean): void {
    if (!reusable) {
      thread.end();
      this.forget(thread);
      return;
    }
    const next = this.waiting.shift();
    if (next) return next(thread);
    thread.idle();
    this.idle.push(thread);
  }

  /** A thread that ended leaves the pool; whoever waits gets a new one in its place. */
  private forget(thread: SandboxThread): void {
    if (!this.live.delete(thread)) return;
    const at = this.idle.indexOf(thread);
    if (at >= 0) this.idle.splice(at, 1);
    const next = this.waiting.shift();
    if (next) next(this.spawn());
  }
}

const pool = new SandboxPool();

/**
 * Runs `job` in the sandbox and returns its outcome: the returned value as JSON text or an error
 * with a stable code, and the console lines. Never throws. `signal` cancels it (waiting or running).
 */
export function runInSandbox(job: SandboxJob, signal: AbortSignal): Promise<SandboxOutcome> {
  return pool.run(job, signal);
}
