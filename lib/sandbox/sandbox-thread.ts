/**
 * The entry of a sandbox thread (started by run-in-sandbox.ts): evaluates one job per request and
 * answers with its outcome, after `ready` once QuickJS is compiled.
 *
 * Memory: QuickJS's own limit cannot be trusted in this build (it counts 8 bytes per allocation,
 * as malloc_usable_size is unavailable in WebAssembly, so a script holding large strings was
 * measured at 2 GB under a "32 MB" limit). The real limit is the module's linear memory: each
 * QuickJS module gets a WebAssembly.Memory whose maximum is the job's memory plus QuickJS's own
 * overhead, so an allocation past it fails inside QuickJS as "out of memory". A module is reused
 * by the next job that asks for the same memory (each job still gets a fresh runtime and
 * context), and dropped after running out of memory, after any failure of QuickJS itself, or
 * when it grew large, so an idle thread holds little.
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from "quickjs-emscripten";
import { evaluateCode } from "./evaluate";
import { DEFAULT_MEMORY_MB, type SandboxOutcome, type ThreadData, type ThreadMessage, type ThreadRequest } from "./job";

const PAGE_BYTES = 64 * 1024;
const MB = 1024 * 1024;
/** The module's own minimum (it declares 256 pages). */
const MIN_MEMORY_BYTES = 16 * MB;
/** Measured: QuickJS's static data, its C stack and a fresh runtime and context take about 6 MB. */
const QUICKJS_OVERHEAD_BYTES = 6 * MB;
/** A module whose memory grew past this is not kept for the next job. */
const KEEP_MEMORY_BYTES = 48 * MB;

interface QuickJSInstance {
  memoryBytes: number;
  module: QuickJSWASMModule;
  memory: WebAssembly.Memory;
  /** `exhausted`: the last time the heap asked the memory to grow, it could not (QuickJS is out of memory). */
  heap: { exhausted: boolean };
}

const port = parentPort;
if (!port) throw new Error("sandbox-thread.ts runs as a worker thread only");

// Compiled once per thread; instantiating it again for a new module takes a few milliseconds.
const compiled = WebAssembly.compile(readFileSync((workerData as ThreadData).wasm));

async function instantiate(memoryBytes: number): Promise<QuickJSInstance> {
  const pages = Math.ceil(Math.max(MIN_MEMORY_BYTES, memoryBytes + QUICKJS_OVERHEAD_BYTES) / PAGE_BYTES);
  const memory = new WebAssembly.Memory({ initial: MIN_MEMORY_BYTES / PAGE_BYTES, maximum: pages });
  const heap = { exhausted: false };
  // Emscripten grows the heap through this method and turns a refusal into a failed malloc.
  const grow = memory.grow.bind(memory);
  memory.grow = (delta: number) => {
    try {
      const before = grow(delta);
      heap.exhausted = false;
      return before;
    } catch (error) {
      heap.exhausted = true;
      throw error;
    }
  };
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: await compiled, wasmMemory: memory }));
  return { memoryBytes, module, memory, heap };
}

/** The module kept from the last job, if any. */
let kept: QuickJSInstance | null = null;

async function run(request: ThreadRequest): Promise<SandboxOutcome> {
  const { job } = request;
  const instance = kept?.memoryBytes === job.memoryBytes ? kept : await instantiate(job.memoryBytes);
  kept = null;
  try {
    instance.heap.exhausted = false;
    const outcome = evaluateCode(instance.module, job, () => instance.heap.exhausted);
    const healthy = outcome.ok || outcome.error.code !== "memory_limit";
    if (healthy && instance.memory.buffer.byteLength <= KEEP_MEMORY_BYTES) kept = instance;
    return outcome;
  } catch (error) {
    const message = `The sandbox failed while running the code: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, error: { code: "sandbox_failed", message }, logs: [] };
  }
}

// Jobs arrive one at a time: the host sends the next only after this one's answer.
port.on("message", (request: ThreadRequest) => {
  void run(request).then((outcome) => port.postMessage({ id: request.id, outcome } satisfies ThreadMessage));
});

void instantiate(DEFAULT_MEMORY_MB * MB).then((instance) => {
  kept = instance;
  port.postMessage({ ready: true } satisfies ThreadMessage);
});
