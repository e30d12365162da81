/**
 * What a CLI command is (docs/cli.md): its words, one-line summary, options, and a `run` that
 * answers an exit code. Failures are thrown as `CliError`s carrying the exit code they mean, so
 * every command maps its failures the same way (the CLI's vocabulary, like status codes are the
 * API's).
 */
import type { Output } from "./output";

/** The exit codes, the CLI's stable contract with scripts. */
export const EXIT = {
  ok: 0,
  /** The request failed: an HTTP error, an unreachable server, a run that failed. */
  failure: 1,
  /** The command line was wrong: unknown command or option, a missing argument, unreadable input. */
  usage: 2,
  /** The server applied nothing or not everything: skipped ops or validation errors. */
  rejected: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with the exit code it stands for and what to print. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    /** Lines printed after the message (hints). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A wrong command line: printed with the command's usage, exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Shown in help after the option: `--name <value>`. */
  value?: string;
  description: string;
}

/** The options every command takes. */
export const GLOBAL_OPTIONS = {
  url: { type: "string", value: "url", description: "The Weft server (default: $WEFT_URL, else the server you last logged in to)" },
  json: { type: "boolean", description: "Machine-readable JSON on stdout" },
  help: { type: "boolean", short: "h", description: "Show help" },
} satisfies Record<string, OptionSpec>;

export interface GlobalOptions {
  url?: string;
  json: boolean;
}

/** What a command runs with: the global options, where to print, the environment and stdin. */
export interface CommandContext {
  globals: GlobalOptions;
  out: Output;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Command {
  /** The words that name it: `["workflows", "list"]`. */
  path: string[];
  section: "Account" | "Workflows" | "Runs";
  /** One line, shown in the command list. */
  summary: string;
  /** The arguments after the command words, e.g. `<id> <ops.json|->`. */
  args?: string;
  /** More lines for `--help`. */
  description?: string;
  options?: Record<string, OptionSpec>;
  run(ctx: CommandContext, args: ParsedArgs): Promise<ExitCode>;
}

/** The string value of option `name`, if given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Whether boolean option `name` was given. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Exactly `names.length` positionals, else a usage error naming the missing or extra ones. */
export function positionals(args: ParsedArgs, names: string[]): string[] {
  if (args.positionals.length < names.length) throw new UsageError(`missing ${names.slice(args.positionals.length).map((n) => `<${n}>`).join(" ")}`);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[names.length])}`);
  return args.positionals;
}

/** A whole number option within [min, max], else a usage error. */
export function integerOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}
