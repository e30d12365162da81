/**
 * The `code` connector's sandbox (docs/connectors.md, "The code sandbox"): QuickJS in a worker
 * thread, through the connector's own `run`. Limits stop runaway code, nothing of the host is
 * reachable, nothing survives from one run to the next, and every failure has a stable code and
 * a message that says what went wrong and where.
 */
import { describe, expect, it } from "vitest";
import { code, CodeError } from "@/lib/connectors/code";
import { directContext } from "../helpers/connectors";

interface Ran {
  output: { value: unknown } | null;
  error: CodeError | null;
  lines: [string, string][];
}

async function runCode(params: Record<string, unknown>, signal = new AbortController().signal): Promise<Ran> {
  const lines: [string, string][] = [];
  const ctx = directContext({ runId: "run_1", blockId: "calc", organizationId: "org_1", signal, log: (level, message) => void lines.push([level, message]) });
  try {
    return { output: (await code.run!(ctx, code.params.parse(params))) as { value: unknown }, error: null, lines };
  } catch (error) {
    if (!(error instanceof CodeError)) throw error;
    return { output: null, error, lines };
  }
}

async function value(source: string, input?: unknown): Promise<unknown> {
  const ran = await runCode(input === undefined ? { code: source } : { code: source, input });
  if (ran.error) throw new Error(`expected a value, got ${ran.error.code}: ${ran.error.message}`);
  return ran.output!.value;
}

async function failure(params: Record<string, unknown>): Promise<{ code: string; message: string }> {
  const ran = await runCode(params);
  if (!ran.error) throw new Error(`expected a failure, got ${JSON.stringify(ran.output)}`);
  return { code: ran.error.code, message: ran.error.message };
}

describe("what the code gets and returns", () => {
  it("the code is the body of an async function of input, and its return value is the output", async () => {
    expect(await value("return { total: input.items.reduce((sum, item) => sum + item.price, 0) };", { items: [{ price: 2 }, { price: 3.5 }] })).toEqual({ total: 5.5 });
    expect(await value("return input;")).toBeNull();
  });

  it("await works: promises settle through QuickJS's job queue", async () => {
    const source = `
      const double = async (n) => { await null; return n * 2; };
      const [a, b] = await Promise.all([double(input), Promise.resolve(1).then((x) => x + 1)]);
      return { a, b, chained: await (async () => { await a; return "done"; })() };`;
    expect(await value(source, 21)).toEqual({ a: 42, b: 2, chained: "done" });
  });

  it("console.log lines become the block's log messages, with their levels", async () => {
    const ran = await runCode({ code: 'console.log("total", input.n, { ok: true }); console.warn("careful"); console.error(new TypeError("bad")); return 1;', input: { n: 3 } });
    expect(ran.lines).toEqual([
      ["info", 'total 3 {"ok":true}'],
      ["warn", "careful"],
      ["error", "TypeError: bad"],
    ]);
  });

  it("console output is capped in lines and size, with a last line saying how much was dropped", async () => {
    const ran = await runCode({ code: 'for (let i = 0; i < 5000; i++) console.log("line " + i); console.log("x".repeat(100000)); return "done";' });
    expect(ran.output).toEqual({ value: "done" });
    expect(ran.lines).toHaveLength(101);
    expect(ran.lines[99]).toEqual(["info", "line 99"]);
    expect(ran.lines[100][0]).toBe("warn");
    expect(ran.lines[100][1]).toMatch(/capped at 100 lines .* 4901 more lines were dropped/);

    const long = await runCode({ code: 'console.log("y".repeat(100000)); return 1;' });
    expect(long.lines[0][1]).toBe(`${"y".repeat(8152)}… (91848 more characters)`);
  });

  it("a syntax error fails with its line and column in the code", async () => {
    expect(await failure({ code: "const a = 1;\nconst b = ;\nreturn b;" })).toEqual({
      code: "syntax_error",
      message: expect.stringMatching(/^SyntaxError: .* \(line 2, column 11\)$/),
    });
  });

  it("a thrown error fails with its message and where it was thrown", async () => {
    expect(await failure({ code: 'const id = input.id;\nif (!input.found) throw new Error("no customer " + id);', input: { id: 7, found: false } })).toEqual({
      code: "uncaught_error",
      message: "Error: no customer 7 (line 2, column 34)",
    });
    expect(await failure({ code: "await Promise.reject(new RangeError('nope'));" })).toMatchObject({ code: "uncaught_error", message: expect.stringContaining("RangeError: nope") });
    expect(await failure({ code: "throw { reason: 'plain object' };" })).toMatchObject({ code: "uncaught_error", message: 'a non-Error value was thrown: {"reason":"plain object"}' });
    expect(await failure({ code: "return input.missing.deeper;" })).toMatchObject({ code: "uncaught_error", message: expect.stringMatching(/^TypeError: .*\(line 1, column \d+\)$/) });
  });

  it("only JSON can be returned: undefined, functions, symbols, cycles and BigInt are refused with the reason", async () => {
    expect(await failure({ code: "const x = 1;" })).toMatchObject({ code: "not_json", message: expect.stringContaining("returned undefined") });
    expect(await failure({ code: "return () => 1;" })).toMatchObject({ code: "not_json", message: expect.stringContaining("holds a function") });
    expect(await failure({ code: "return { nested: { fn() {} } };" })).toMatchObject({ code: "not_json", message: expect.stringContaining('the key "fn" holds a function') });
    expect(await failure({ code: "return [Symbol('s')];" })).toMatchObject({ code: "not_json", message: expect.stringContaining("holds a symbol") });
    expect(await failure({ code: "const o = {}; o.self = o; return o;" })).toMatchObject({ code: "not_json", message: expect.stringContaining("circular") });
    expect(await failure({ code: "return 10n;" })).toMatchObject({ code: "not_json" });
    // JSON's own rules for what it can hold otherwise: dates become strings, NaN null.
    expect(await value("return { when: new Date(0), n: NaN };")).toEqual({ when: "1970-01-01T00:00:00.000Z", n: null });
  });

  it("a returned value the engine cannot store is refused: too deep, a NUL character, over 5 MB", async () => {
    expect(await failure({ code: "let v = 1; for (let i = 0; i < 80; i++) v = [v]; return v;" })).toMatchObject({ code: "not_json", message: expect.stringContaining("64 levels") });
    expect(await failure({ code: 'return { text: "a\\u0000b" };' })).toMatchObject({ code: "not_json", message: expect.stringContaining("at text") });
    expect(await failure({ code: "return 'x'.repeat(6 * 1024 * 1024);", memoryMb: 64 })).toMatchObject({ code: "output_too_large" });
  });

  it("a promise that can never settle fails at once instead of waiting for the timeout", async () => {
    expect(await failure({ code: "await new Promise(() => {}); return 1;", timeoutMs: 30_000 })).toMatchObject({ code: "unsettled" });
  });
});

describe("limits", () => {
  it("an infinite loop is stopped at timeoutMs, even inside try/catch, and the error says timeout", async () => {
    const started = Date.now();
    expect(await failure({ code: "while (true) {}", timeoutMs: 200 })).toEqual({
      code: "timeout",
      message: "The code ran longer than its limit of 200 ms (timeoutMs) and was stopped.",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(await failure({ code: "try { for (;;) {} } catch (e) { return 'escaped the limit'; }", timeoutMs: 100 })).toMatchObject({ code: "timeout" });
    expect(await failure({ code: "await Promise.resolve(); for (;;) {}", timeoutMs: 100 })).toMatchObject({ code: "timeout" });
  });

  it("the worker's event loop keeps running while the code runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      await runCode({ code: "while (true) {}", timeoutMs: 1_000 });
    } finally {
      clearInterval(timer);
    }
    // Run on the host's own thread, the loop would block the event loop: a few ticks around it at most.
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it("a memory bomb is stopped at memoryMb and the error says memory; the next run is not affected", async () => {
    const message = "The code needed more memory than its limit of 16 MB (memoryMb) and was stopped.";
    expect(await failure({ code: "const held = []; for (;;) held.push('x'.repeat(1 << 20) + held.length);", memoryMb: 16, timeoutMs: 10_000 })).toEqual({ code: "memory_limit", message });
    expect(await failure({ code: "const held = []; for (;;) held.push({ n: held.length });", memoryMb: 16, timeoutMs: 10_000 })).toEqual({ code: "memory_limit", message });
    expect(await failure({ code: "return new Array(50e6).fill(0).length;", memoryMb: 16, timeoutMs: 10_000 })).toEqual({ code: "memory_limit", message });
    expect(await value("return 'still fine';")).toBe("still fine");
  });

  it("memoryMb is what the code can hold: about 16 MB at 16, about 64 at 64", async () => {
    const fill = "const held = []; try { for (;;) held.push('x'.repeat(1 << 20) + held.length); } catch (e) { return held.length; }";
    const held = async (memoryMb: number) => (await runCode({ code: fill, memoryMb, timeoutMs: 10_000 })).output?.value as number;
    const at16 = await held(16);
    const at64 = await held(64);
    expect(at16).toBeGreaterThanOrEqual(12);
    expect(at16).toBeLessThanOrEqual(17);
    expect(at64).toBeGreaterThanOrEqual(58);
    expect(at64).toBeLessThanOrEqual(65);
  });

  it("deep recursion fails as stack_overflow and leaves the sandbox working", async () => {
    expect(await failure({ code: "const down = (n) => down(n + 1) + 1; return down(0);" })).toMatchObject({ code: "stack_overflow" });
    expect(await value("return 2 + 2;")).toBe(4);
  });

  it("code stuck in a native call that never checks the time is stopped too: the host ends its thread", async () => {
    // QuickJS's String.prototype.indexOf is a native loop that never checks its deadline: this
    // search compares ~10^10 characters, seconds past any deadline, in 1 MB of memory. (A deep
    // JSON.stringify also ignores the deadline, but ends in a stack overflow on a fast machine.)
    const source = 'const hay = "a".repeat(1e6), needle = "a".repeat(1e4) + "b"; return hay.indexOf(needle);';
    expect(await failure({ code: source, timeoutMs: 1_000 })).toEqual({
      code: "timeout",
      message: "The code ran longer than its limit of 1000 ms (timeoutMs) and its sandbox was stopped.",
    });
    expect(await value("return 'a fresh thread';")).toBe("a fresh thread");
  });

  it("a canceled run stops the code it is running", async () => {
    expect(await value("return 'warm';")).toBe("warm"); // an idle thread is ready, so the loop below starts at once
    const controller = new AbortController();
    const ran = runCode({ code: "while (true) {}", timeoutMs: 30_000 }, controller.signal);
    setImmediate(() => controller.abort());
    expect((await ran).error).toMatchObject({ code: "canceled" });
    expect(await value("return 'next';")).toBe("next");
  });
});

describe("the sandbox reaches nothing of the host", () => {
  it("process, require, module, fetch, timers, Buffer and import() are not there", async () => {
    const source = `return {
      kinds: [typeof process, typeof require, typeof module, typeof exports, typeof fetch, typeof setTimeout,
              typeof setInterval, typeof Buffer, typeof XMLHttpRequest, typeof WebSocket, typeof __dirname],
      imported: await import("node:fs").then(() => "loaded", (e) => "refused: " + e.message),
    };`;
    const out = (await value(source)) as { kinds: string[]; imported: string };
    expect(out.kinds).toEqual(Array(11).fill("undefined"));
    expect(out.imported).toMatch(/^refused/);
  });

  it("globalThis escapes lead back into the sandbox: Function constructors and `this` have no host objects", async () => {
    const source = `
      const viaConstructor = globalThis.constructor.constructor("return this")();
      const viaFunction = Function("return this")();
      const viaThis = this.constructor.constructor("return typeof process")();
      const viaAsync = await (async function () {}).constructor("return typeof require")();
      const names = Object.getOwnPropertyNames(viaConstructor);
      return { same: viaConstructor === globalThis && viaFunction === globalThis, viaThis, viaAsync, names };`;
    const out = (await value(source)) as { same: boolean; viaThis: string; viaAsync: string; names: string[] };
    expect(out).toMatchObject({ same: true, viaThis: "undefined", viaAsync: "undefined" });
    for (const host of ["process", "require", "module", "global", "Buffer", "fetch", "setTimeout", "emit", "__filename"]) expect(out.names).not.toContain(host);
    expect(out.names).toContain("console");
  });

  it("prototype tricks inside do not pollute the host, nor the next run", async () => {
    const source = `
      Object.prototype.polluted = 1;
      Array.prototype.push = function () { return "hijacked"; };
      JSON.stringify = () => '"forged"';
      Object.defineProperty(Object.prototype, "toJSON", { value: undefined, writable: true });
      return { polluted: ({}).polluted };`;
    expect(await value(source)).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const list: number[] = [];
    expect(list.push(1)).toBe(1);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
    expect(await value("return [({}).polluted === undefined, [].push(1), JSON.stringify({ a: 1 })];")).toEqual([true, 1, '{"a":1}']);
  });

  it("one run's code never sees another's data: a global set in run 1 is gone in run 2", async () => {
    expect(await value("globalThis.leaked = input; var alsoLeaked = input; return 'set';", { secret: "from run 1" })).toBe("set");
    expect(await value("return [typeof leaked, typeof alsoLeaked, typeof globalThis.leaked];")).toEqual(["undefined", "undefined", "undefined"]);
  });

  it("runs at the same time do not see each other either", async () => {
    const runs = Array.from({ length: 6 }, (_, i) =>
      value("globalThis.mine = input; let spin = 0; for (let i = 0; i < 20000; i++) spin += i; return [globalThis.mine, input];", i),
    );
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 6 }, (_, i) => [i, i]));
  });
});
