/**
 * The CLI's entry (docs/cli.md): finds the command named by the first words of the command line,
 * parses its options with Node's `util.parseArgs`, runs it, and turns whatever it throws into a
 * message on stderr and an exit code (0 ok, 1 failure, 2 usage, 3 skipped ops / validation errors).
 */
import { parseArgs } from "node:util";
import { WEFT_VERSION } from "@/lib/version";
import { CliError, EXIT, GLOBAL_OPTIONS, UsageError, type Command, type CommandContext, type ExitCode, type OptionSpec } from "./command";
import { accountCommands } from "./commands/account";
import { eventCommands } from "./commands/events";
import { keyCommands } from "./commands/keys";
import { loginCommands } from "./commands/login";
import { logCommands } from "./commands/logs";
import { patchCommands } from "./commands/patch";
import { runCommands } from "./commands/runs";
import { workflowCommands } from "./commands/workflows";
import { ApiFailure, Unreachable } from "./connection";
import { commandHelp, groupHelp, overview, usageHint } from "./help";
import { Output, type Writable } from "./output";

export const COMMANDS: Command[] = [
  ...loginCommands,
  ...accountCommands,
  ...keyCommands,
  ...workflowCommands,
  ...patchCommands,
  ...runCommands,
  ...logCommands,
  ...eventCommands,
];

const GROUPS = new Set(COMMANDS.filter((c) => c.path.length > 1).map((c) => c.path[0]));

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

/** The indexes of the command words: the first bare words, skipping options (and --url's value). */
function commandWords(argv: string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < argv.length && found.length < 2; i++) {
    const token = argv[i];
    if (token === "--") break;
    if (token === "--url") i++;
    else if (!token.startsWith("-")) found.push(i);
    if (found.length === 1 && !GROUPS.has(argv[found[0]])) break;
  }
  return found;
}

function parseConfig(options: Record<string, OptionSpec>) {
  return Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}) }]));
}

/** Runs the command line `argv` (without `node weft`); answers the exit code. */
export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const out = new Output(io.stdout, io.stderr, io.env);
  const wordIndexes = commandWords(argv);
  const words = wordIndexes.map((i) => argv[i]);
  const rest = argv.filter((_, i) => !wordIndexes.includes(i));
  const wantsHelp = rest.includes("--help") || rest.includes("-h");

  if (words.length === 0 || words[0] === "help") {
    if (rest.includes("--version")) {
      out.line(WEFT_VERSION);
      return EXIT.ok;
    }
    const topic = words[0] === "help" ? argv.slice(wordIndexes[0] + 1).filter((t) => !t.startsWith("-")) : [];
    const command = COMMANDS.find((c) => c.path.join(" ") === topic.join(" "));
    if (command) out.line(commandHelp(command));
    else if (topic.length === 1 && GROUPS.has(topic[0])) out.line(groupHelp(topic[0], COMMANDS));
    else if (words[0] === "help" || wantsHelp) out.line(overview(COMMANDS));
    else {
      out.note(overview(COMMANDS));
      return EXIT.usage;
    }
    return EXIT.ok;
  }

  const command = COMMANDS.find((c) => c.path.join(" ") === words.join(" "));
  if (!command) {
    if (GROUPS.has(words[0])) {
      if (words.length === 1 && wantsHelp) {
        out.line(groupHelp(words[0], COMMANDS));
        return EXIT.ok;
      }
      out.error(words.length === 1 ? `weft ${words[0]} needs a command` : `unknown command "${words.join(" ")}"`);
      out.note(groupHelp(words[0], COMMANDS));
      return EXIT.usage;
    }
    out.error(`unknown command "${words[0]}"`);
    out.note(overview(COMMANDS));
    return EXIT.usage;
  }

  let json = rest.includes("--json");
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: parseConfig({ ...GLOBAL_OPTIONS, ...command.options }), allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
    }
    if (parsed.values.help) {
      out.line(commandHelp(command));
      return EXIT.ok;
    }
    json = parsed.values.json === true;
    const url = parsed.values.url;
    const ctx: CommandContext = { globals: { url: typeof url === "string" ? url : undefined, json }, out, env: io.env, stdin: io.stdin };
    return await command.run(ctx, { values: parsed.values, positionals: parsed.positionals });
  } catch (error) {
    return report(out, command, error, json);
  }
}

/** Prints a failure (as JSON on stderr with --json) and answers its exit code. */
function report(out: Output, command: Command, error: unknown, json: boolean): ExitCode {
  if (!(error instanceof CliError)) {
    out.error(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.failure;
  }
  if (json) {
    const code = error instanceof ApiFailure ? error.code : error instanceof Unreachable ? "unreachable" : error instanceof UsageError ? "usage" : "failed";
    const body = error instanceof ApiFailure ? { ...error.body, status: error.status } : {};
    out.note(JSON.stringify({ ...body, error: code, message: error instanceof ApiFailure ? error.serverMessage : error.message }));
    return error.exitCode;
  }
  out.error(error.message, error.details);
  if (error instanceof UsageError) out.note(usageHint(command));
  return error.exitCode;
}
