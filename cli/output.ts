/**
 * Where the CLI prints: results on stdout, messages and prompts on stderr (so `--json` output and
 * pipes stay clean). Colours only on a terminal and never with NO_COLOR (https://no-color.org).
 */

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof CODES;

// eslint-disable-next-line no-control-regex -- matching the escape sequences this module writes
const ANSI = /\u001b\[[0-9;]*m/g;

/** The colour a run or log status reads in. */
export function statusStyle(status: string): Style {
  if (status === "succeeded") return "green";
  if (status === "failed" || status === "timed_out") return "red";
  if (status === "canceled") return "yellow";
  if (status === "queued" || status === "skipped") return "dim";
  return "cyan";
}

export class Output {
  private readonly colors: { stdout: boolean; stderr: boolean };

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    const allowed = !env.NO_COLOR;
    this.colors = { stdout: allowed && stdout.isTTY === true, stderr: allowed && stderr.isTTY === true };
  }

  /** `text` in `style` for stdout (plain when stdout takes no colour). */
  paint(style: Style, text: string): string {
    return this.colors.stdout ? wrap(style, text) : text;
  }

  /** One line of result on stdout. */
  line(text = ""): void {
    this.stdout.write(`${text}\n`);
  }

  /** `value` as indented JSON on stdout. */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** `value` as one line of JSON on stdout (streams: one event per line). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A message on stderr. */
  note(text: string, style?: Style): void {
    this.stderr.write(`${style && this.colors.stderr ? wrap(style, text) : text}\n`);
  }

  /** `error: message` on stderr, then indented details. */
  error(message: string, details: string[] = []): void {
    const label = this.colors.stderr ? wrap("red", "error:") : "error:";
    this.stderr.write(`${label} ${message}\n${details.map((line) => `  ${line}\n`).join("")}`);
  }

  /** Raw text on stderr, no newline (prompts). */
  prompt(text: string): void {
    this.stderr.write(text);
  }

  /** Rows under a header, each column as wide as its widest cell; colours do not count. */
  table(header: string[], rows: string[][]): void {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => visibleLength(row[column] ?? ""))));
    const render = (cells: string[]) =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell + " ".repeat(widths[column] - visibleLength(cell))))
        .join("  ")
        .trimEnd();
    this.line(this.paint("bold", render(header)));
    for (const row of rows) this.line(render(row));
  }

  /** `label  value` lines with the labels aligned. */
  fields(pairs: [string, string][]): void {
    const width = Math.max(...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs) this.line(`${this.paint("dim", label.padEnd(width))}  ${value}`);
  }
}

function wrap(style: Style, text: string): string {
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}
