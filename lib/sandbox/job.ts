/**
 * What the code sandbox is asked to do and what it answers (docs/connectors.md, "The code
 * sandbox"). Shared by the host side (`run-in-sandbox.ts`) and the thread (`sandbox-thread.ts`),
 * so only plain, structured-clonable data.
 */

/** One execution: `code` is the body of an async function of `input`. */
export interface SandboxJob {
  code: string;
  /** The `input` argument, as JSON text. */
  inputJson: string;
  /** Wall-clock limit of the evaluation, from compiling `code` to serialising what it returned. */
  timeoutMs: number;
  /** Heap limit of the QuickJS runtime. */
  memoryBytes: number;
}

export type SandboxLogLevel = "debug" | "info" | "warn" | "error";

/** One `console.*` call, formatted as one line. */
export interface SandboxLog {
  level: SandboxLogLevel;
  message: string;
}

/**
 * Why an execution failed:
 * - `syntax_error`: the code does not compile (the message has its line and column);
 * - `uncaught_error`: it threw, or its promise rejected (the message has the error's message);
 * - `timeout`, `memory_limit`, `stack_overflow`: a limit stopped it;
 * - `unsettled`: its promise can never settle (it awaits something nothing will resolve);
 * - `not_json`: what it returned is not JSON (undefined, a function, a cycle…);
 * - `output_too_large`: what it returned is over MAX_OUTPUT_CHARS as JSON;
 * - `sandbox_failed`: the sandbox itself broke (its thread could not start or died);
 * - `canceled`: the run was canceled while the code ran or waited for a thread.
 */
export type SandboxErrorCode =
  | "syntax_error"
  | "uncaught_error"
  | "timeout"
  | "memory_limit"
  | "stack_overflow"
  | "unsettled"
  | "not_json"
  | "output_too_large"
  | "sandbox_failed"
  | "canceled";

export interface SandboxError {
  code: SandboxErrorCode;
  message: string;
}

/** What an execution produced: the returned value as JSON text, or an error; the console lines in both cases. */
export type SandboxOutcome = { ok: true; json: string; logs: SandboxLog[] } | { ok: false; error: SandboxError; logs: SandboxLog[] };

/** Returned values larger than this (as JSON text, in UTF-16 code units) are refused: the same 5 MB as an HTTP response. */
export const MAX_OUTPUT_CHARS = 5 * 1024 * 1024;

/** Console output caps, so a script cannot flood the run log: lines, characters per line, characters in all. */
export const MAX_LOG_LINES = 100;
export const MAX_LOG_LINE_CHARS = 8_192;
export const MAX_LOG_CHARS = 65_536;

/** Limits of a job, and what the `code` connector uses when its params do not say. */
export const DEFAULT_TIMEOUT_MS = 1_000;
export const MAX_TIMEOUT_MS = 30_000;
export const DEFAULT_MEMORY_MB = 32;
export const MAX_MEMORY_MB = 128;

/** What a thread is started with: tsx's CommonJS API (null when the entry is compiled JavaScript), the thread's entry file, and QuickJS's WebAssembly file. */
export interface ThreadData {
  tsx: string | null;
  entry: string;
  wasm: string;
}

/** host → thread. */
export interface ThreadRequest {
  id: number;
  job: SandboxJob;
}

/** thread → host: `ready` once QuickJS is loaded, then one answer per request. */
export type ThreadMessage = { ready: true } | { id: number; outcome: SandboxOutcome };
