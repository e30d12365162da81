/**
 * Driving the built `weft` binary (dist/cli/weft.js, built by tests/cli/build.ts) as a child
 * process, the way a person or a script runs it: its own HOME and XDG_CONFIG_HOME in a temp
 * folder, none of the test process's environment but PATH, stdin from the test. Spawned
 * asynchronously: the control plane it talks to runs in this very process.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const CLI_BIN = resolve("dist/cli/weft.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp HOME with an XDG config folder; `remove()` deletes it. */
export function tempHome(): { home: string; config: string; credentials: string; remove(): void } {
  const home = mkdtempSync(join(tmpdir(), "weft-cli-home-"));
  const config = join(home, "xdg");
  return { home, config, credentials: join(config, "weft", "credentials.json"), remove: () => rmSync(home, { recursive: true, force: true }) };
}

export interface CliOptions {
  home: string;
  /** Extra environment (WEFT_URL, WEFT_API_KEY, NO_COLOR…). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
}

/** A running CLI: its output so far, a wait for a pattern in it, and its exit. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  output(): CliResult;
  /** Resolves once stdout matches `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<CliResult>;
}

function environment(options: CliOptions): NodeJS.ProcessEnv {
  // Next's types make NODE_ENV required; the CLI does not read it.
  return { NODE_ENV: "test", PATH: process.env.PATH, HOME: options.home, XDG_CONFIG_HOME: join(options.home, "xdg"), ...options.env };
}

/** Starts `weft args…` (or `command args…` for a wrapper such as `script`). */
export function startCli(args: string[], options: CliOptions, command: string[] = [process.execPath, CLI_BIN]): RunningCli {
  const child = spawn(command[0], [...command.slice(1), ...args], { env: environment(options), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolvePromise) => child.on("close", (code) => resolvePromise({ code, stdout, stderr })));
  if (options.input !== undefined) child.stdin.end(options.input);
  return {
    child,
    output: () => ({ code: child.exitCode, stdout, stderr }),
    waitFor: (pattern) =>
      new Promise<void>((resolvePromise, reject) => {
        const check = () => {
          if (!pattern.test(stdout)) return;
          listeners.delete(check);
          resolvePromise();
        };
        listeners.add(check);
        check();
        void exited.then(({ code }) => {
          if (listeners.has(check)) reject(new Error(`weft ${args.join(" ")} exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`));
        });
      }),
    exited,
  };
}

/** Runs `weft args…` to its end. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, { ...options, input: options.input ?? "" }).exited;
}

/** A port on 127.0.0.1 that nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise) => server.listen(0, "127.0.0.1", resolvePromise));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  return port;
}
