/**
 * One execution of a `code` block in QuickJS (docs/connectors.md, "The code sandbox"). Runs inside
 * a sandbox thread, never on the worker's event loop. Every execution gets a fresh runtime and
 * context, so nothing one script leaves behind is visible to the next, and every handle, the
 * context and the runtime are disposed before it returns (QuickJS aborts on a leaked object).
 */
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from "quickjs-emscripten";
import {
  MAX_LOG_CHARS,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES,
  MAX_OUTPUT_CHARS,
  type SandboxError,
  type SandboxJob,
  type SandboxLog,
  type SandboxLogLevel,
  type SandboxOutcome,
} from "./job";

/**
 * QuickJS's own stack limit. Its thread gets a 16 MB native stack (run-in-sandbox.ts), comfortably
 * more than QuickJS needs to reach this limit first (measured: 512 KB of QuickJS stack is safe on
 * 8 MB, not on 4), so deep recursion ends as a QuickJS "stack overflow", not a crashed thread.
 */
const MAX_STACK_BYTES = 512 * 1024;

const CODE_FILE = "code.js";
/** The code becomes the body of this function; it starts on the wrapper's second line. */
const wrap = (code: string) => `(async function (input) {\n${code}\n})`;

/**
 * Runs before the code, in the same context, with the built-ins still untouched: installs
 * `console` (one line per call, sent to `emit`), parses the input, and keeps the original
 * JSON.stringify for reading the result and errors back, whatever the code does to the globals.
 */
const PRELUDE = `(function (emit, inputJson, maxLine, maxOutput) {
  "use strict";
  const stringify = JSON.stringify;
  const toText = String;
  const show = (value) => {
    if (typeof value === "string") return value;
    try {
      if (value instanceof Error) return toText(value.name) + ": " + toText(value.message);
      const text = stringify(value);
      if (text !== undefined) return text;
    } catch (e) {}
    try { return toText(value); } catch (e) { return "[unprintable value]"; }
  };
  const line = (level) => function (...args) {
    let text = "";
    for (let i = 0; i < args.length; i++) text += (i > 0 ? " " : "") + show(args[i]);
    // Cut so that the line, with the note saying how much was cut, stays within maxLine.
    if (text.length > maxLine) text = text.slice(0, maxLine - 40) + "… (" + (text.length - maxLine + 40) + " more characters)";
    emit(level, text);
  };
  globalThis.console = { log: line("info"), info: line("info"), debug: line("debug"), warn: line("warn"), error: line("error") };
  const describe = (error) => {
    let name = "", message, stack = "";
    try {
      if (error !== null && (typeof error === "object" || typeof error === "function") && typeof error.message === "string") {
        name = typeof error.name === "string" ? error.name : "Error";
        message = error.message;
        stack = typeof error.stack === "string" ? error.stack : "";
      }
    } catch (e) {}
    if (message === undefined) message = "a non-Error value was thrown: " + show(error);
    return stringify({ thrown: error === null ? "null" : typeof error, name, message, stack });
  };
  const serialize = (value) => {
    if (value === undefined) return "Ethe code returned undefined: end it with a return statement, e.g. return { ok: true }";
    let text;
    try {
      text = stringify(value, function (key, item) {
        const type = typeof item;
        if (type === "function" || type === "symbol" || (type === "undefined" && key === "")) {
          throw new TypeError((key === "" ? "it" : "the key " + stringify(key)) + " holds a " + type + ", which JSON cannot represent");
        }
        return item;
      });
    } catch (e) {
      return "E" + show(e);
    }
    if (text === undefined) return "Eit cannot be represented as JSON";
    if (text.length > maxOutput) return "L" + text.length;
    return "J" + text;
  };
  return [describe, serialize, JSON.parse(inputJson)];
})`;

const LEVELS: ReadonlySet<string> = new Set<SandboxLogLevel>(["debug", "info", "warn", "error"]);

/** Console lines of one execution, capped in count and size. */
class ConsoleLines {
  readonly lines: SandboxLog[] = [];
  private chars = 0;
  private dropped = 0;

  add(level: string, message: string): void {
    const text = message.length > MAX_LOG_LINE_CHARS ? message.slice(0, MAX_LOG_LINE_CHARS) : message;
    if (this.lines.length >= MAX_LOG_LINES || this.chars + text.length > MAX_LOG_CHARS) {
      this.dropped++;
      return;
    }
    this.chars += text.length;
    this.lines.push({ level: LEVELS.has(level) ? (level as SandboxLogLevel) : "info", message: text });
  }

  /** The lines, with a last one saying how many were dropped, if any. */
  final(): SandboxLog[] {
    if (this.dropped === 0) return this.lines;
    const note = `console output is capped at ${MAX_LOG_LINES} lines and ${MAX_LOG_CHARS} characters: ${this.dropped} more line${this.dropped === 1 ? " was" : "s were"} dropped`;
    return [...this.lines, { level: "warn", message: note }];
  }
}

/** Where an error points in the code: its line and column there, from a QuickJS stack. */
function location(stack: string, code: string): string {
  const at = new RegExp(`${CODE_FILE.replace(".", "\\.")}:(\\d+)(?::(\\d+))?`).exec(stack);
  if (!at) return "";
  const line = Number(at[1]) - 1;
  const lines = code.split("\n").length;
  if (line < 1 || line > lines) return " (at the end of the code)";
  return at[2] ? ` (line ${line}, column ${at[2]})` : ` (line ${line})`;
}

/** A thrown value as the prelude describes it; `thrown` is its type, or "null". */
interface DescribedError {
  thrown: string;
  name: string;
  message: string;
  stack: string;
}

/** The execution, with its context and the prelude's helpers. */
class Execution {
  interrupted = false;
  readonly console = new ConsoleLines();
  private readonly owned: QuickJSHandle[] = [];
  describe: QuickJSHandle | null = null;

  constructor(
    readonly vm: QuickJSContext,
    readonly job: SandboxJob,
    private readonly heapExhausted: () => boolean,
  ) {}

  own<T extends QuickJSHandle>(handle: T): T {
    this.owned.push(handle);
    return handle;
  }

  disposeHandles(): void {
    for (const handle of this.owned.reverse()) if (handle.alive) handle.dispose();
  }

  /** The failure for an error value thrown out of the VM, while `compiling` the code or later. */
  failure(errorHandle: QuickJSHandle, compiling: boolean): SandboxError {
    this.own(errorHandle);
    if (this.interrupted) return this.limitFailure("timeout");
    const error = this.read(errorHandle);
    // Out of memory, QuickJS throws an InternalError, or null when it cannot even allocate that.
    if (error === null || (error.thrown === "null" && this.heapExhausted())) return this.limitFailure("memory_limit");
    if (error.name === "InternalError" && error.message === "out of memory") return this.limitFailure("memory_limit");
    if (error.name === "InternalError" && error.message === "stack overflow") {
      return { code: "stack_overflow", message: `The code recursed too deeply (stack overflow)${location(error.stack, this.job.code)}.` };
    }
    const text = `${error.name ? `${error.name}: ` : ""}${error.message}${location(error.stack, this.job.code)}`;
    if (compiling && error.name === "SyntaxError") return { code: "syntax_error", message: text };
    return { code: "uncaught_error", message: text };
  }

  limitFailure(code: "timeout" | "memory_limit"): SandboxError {
    if (code === "timeout") return { code, message: `The code ran longer than its limit of ${this.job.timeoutMs} ms (timeoutMs) and was stopped.` };
    return { code, message: `The code needed more memory than its limit of ${this.job.memoryBytes / 1024 / 1024} MB (memoryMb) and was stopped.` };
  }

  /** name, message and stack of a thrown value, read through the prelude; null when even that fails (no memory left). */
  private read(errorHandle: QuickJSHandle): DescribedError | null {
    if (!this.describe) return null;
    const described = this.vm.callFunction(this.describe, this.vm.undefined, errorHandle);
    if (described.error) {
      described.error.dispose();
      return null;
    }
    const text = this.vm.getString(this.own(described.value));
    return JSON.parse(text) as DescribedError;
  }
}

/**
 * Runs `job` to completion in a fresh QuickJS runtime of `quickjs` and returns what it produced.
 * Bad code, thrown errors and limits are outcomes, not exceptions; an exception here means
 * QuickJS itself broke (the caller then drops the module). `heapExhausted` says whether the
 * module's memory failed to grow when last asked to (sandbox-thread.ts), which tells running out
 * of memory apart from a `throw null`.
 */
export function evaluateCode(quickjs: QuickJSWASMModule, job: SandboxJob, heapExhausted: () => boolean): SandboxOutcome {
  const runtime = quickjs.newRuntime();
  try {
    runtime.setMemoryLimit(job.memoryBytes);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    const deadline = Date.now() + job.timeoutMs;
    let execution: Execution | null = null;
    runtime.setInterruptHandler(() => {
      if (Date.now() <= deadline) return false;
      if (execution) execution.interrupted = true;
      return true;
    });
    const vm = runtime.newContext();
    execution = new Execution(vm, job, heapExhausted);
    try {
      const result = execute(execution);
      return result.ok ? { ok: true, json: result.json, logs: execution.console.final() } : { ok: false, error: result.error, logs: execution.console.final() };
    } finally {
      execution.disposeHandles();
      vm.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

function execute(execution: Execution): { ok: true; json: string } | { ok: false; error: SandboxError } {
  const { vm, job } = execution;
  const own = <T extends QuickJSHandle>(handle: T) => execution.own(handle);
  const emit = own(
    vm.newFunction("emit", (level, message) => {
      if (vm.typeof(level) === "string" && vm.typeof(message) === "string") execution.console.add(vm.getString(level), vm.getString(message));
    }),
  );
  const prelude = vm.evalCode(PRELUDE, "weft-prelude.js");
  if (prelude.error) return { ok: false, error: execution.failure(prelude.error, false) };
  const helpers = vm.callFunction(own(prelude.value), vm.undefined, emit, own(vm.newString(job.inputJson)), own(vm.newNumber(MAX_LOG_LINE_CHARS)), own(vm.newNumber(MAX_OUTPUT_CHARS)));
  if (helpers.error) return { ok: false, error: inputFailure(execution, helpers.error) };
  own(helpers.value);
  execution.describe = own(vm.getProp(helpers.value, 0));
  const serialize = own(vm.getProp(helpers.value, 1));
  const input = own(vm.getProp(helpers.value, 2));

  const compiled = vm.evalCode(wrap(job.code), CODE_FILE);
  if (compiled.error) return { ok: false, error: execution.failure(compiled.error, true) };
  const called = vm.callFunction(own(compiled.value), vm.undefined, input);
  if (called.error) return { ok: false, error: execution.failure(called.error, false) };
  const promise = own(called.value);

  for (;;) {
    const state = vm.getPromiseState(promise);
    if (state.type === "rejected") return { ok: false, error: execution.failure(state.error, false) };
    // An async function always returns a promise; were it not one, `value` would be `promise` itself.
    if (state.type === "fulfilled") return serializeResult(execution, serialize, state.notAPromise ? promise : own(state.value));
    const jobs = vm.runtime.executePendingJobs();
    if (jobs.error) return { ok: false, error: execution.failure(jobs.error, false) };
    if (jobs.value === 0) {
      return {
        ok: false,
        error: { code: "unsettled", message: "The code awaits a promise that can never settle: the sandbox has no timers, network or other I/O to resolve it." },
      };
    }
  }
}

/** Failures of the prelude call: a limit, or input that is too big for the memory limit. */
function inputFailure(execution: Execution, error: QuickJSHandle): SandboxError {
  const failure = execution.failure(error, false);
  if (failure.code === "memory_limit") return { code: "memory_limit", message: `The input does not fit within the memory limit of ${execution.job.memoryBytes / 1024 / 1024} MB (memoryMb).` };
  return failure;
}

/** The returned value as JSON text, through the prelude's serializer (which refuses what JSON cannot hold). */
function serializeResult(execution: Execution, serialize: QuickJSHandle, value: QuickJSHandle): { ok: true; json: string } | { ok: false; error: SandboxError } {
  const { vm } = execution;
  const serialized = vm.callFunction(serialize, vm.undefined, value);
  if (serialized.error) return { ok: false, error: execution.failure(serialized.error, false) };
  const text = vm.getString(execution.own(serialized.value));
  const tag = text[0];
  const rest = text.slice(1);
  if (tag === "J") return { ok: true, json: rest };
  if (tag === "L") {
    return { ok: false, error: { code: "output_too_large", message: `The returned value is ${rest} characters as JSON, over the limit of ${MAX_OUTPUT_CHARS}.` } };
  }
  return { ok: false, error: { code: "not_json", message: `The returned value is not JSON: ${rest}.` } };
}
