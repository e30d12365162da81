/**
 * What commands read besides flags: JSON given inline, as `@file` or `-` (stdin), and answers
 * typed at a terminal (a password without echo). Unreadable input is a usage error (exit 2).
 */
import { readFileSync } from "node:fs";
import { UsageError, type CommandContext } from "./command";

/** All of stdin as text. */
export async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** JSON from a file path or `-` (stdin). */
export async function jsonFromFile(ctx: CommandContext, path: string, what: string): Promise<unknown> {
  return parseJson(path === "-" ? await readStdin(ctx.stdin) : readFile(path, what), what);
}

/** JSON given inline (`{"a":1}`), as `@file`, or `-` for stdin. */
export async function jsonArgument(ctx: CommandContext, raw: string, what: string): Promise<unknown> {
  if (raw === "-") return parseJson(await readStdin(ctx.stdin), what);
  if (raw.startsWith("@")) return parseJson(readFile(raw.slice(1), what), what);
  return parseJson(raw, what);
}

/** Whether answers can be asked for: stdin and stderr are terminals. */
export function canPrompt(ctx: CommandContext): boolean {
  return ctx.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** One line typed at the terminal after `question`; with `hidden`, nothing is echoed. */
export function ask(ctx: CommandContext, question: string, options: { hidden?: boolean } = {}): Promise<string> {
  const stdin = ctx.stdin;
  return new Promise((resolve, reject) => {
    let answer = "";
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.resume();
    // Asked only once the terminal is raw: keys typed as soon as the question shows are not echoed.
    ctx.out.prompt(question);
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      ctx.out.prompt("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    // Raw mode hands over every key press: Enter ends, Backspace erases, Ctrl-C and Ctrl-D stop.
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003" || char === "\u0004") return finish(new UsageError("canceled"));
        if (char === "\u007f" || char === "\b") {
          if (answer.length > 0 && !options.hidden) ctx.out.prompt("\b \b");
          answer = answer.slice(0, -1);
        } else if (char >= " ") {
          answer += char;
          if (!options.hidden) ctx.out.prompt(char);
        }
      }
    };
    stdin.on("data", onData);
  });
}
