/**
 * Durable runs (docs/runs.md) on openworkflow: `createRuntime` for the processes that dispatch and
 * read runs (the web app), `startWorker` for the processes that execute them.
 */
export type { RunInput, Runtime } from "./types";
export { createRuntime, openRuntime, type RuntimeOptions } from "./runtime";
export { startWorker, type RunningWorker, type WorkerOptions } from "./worker";
