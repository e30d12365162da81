/**
 * The CLI's help texts, generated from the command definitions: the overview (`weft --help`), a
 * group's subcommands (`weft keys --help`) and one command's usage and options.
 */
import { GLOBAL_OPTIONS, type Command, type OptionSpec } from "./command";

function usageLine(command: Command): string {
  const options = command.options && Object.keys(command.options).length > 0 ? " [options]" : "";
  return `weft ${command.path.join(" ")}${command.args ? ` ${command.args}` : ""}${options}`;
}

function aligned(rows: [string, string][], indent = "  "): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}   ${right}`);
}

function optionRows(options: Record<string, OptionSpec>): [string, string][] {
  return Object.entries(options).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.value ? ` <${spec.value}>` : ""}`,
    spec.description,
  ]);
}

const FOOTER = [
  "Environment:",
  ...aligned([
    ["WEFT_URL", "The server, when --url is not given"],
    ["WEFT_API_KEY", "An organization API key to use instead of the credentials file (scripts, CI)"],
    ["XDG_CONFIG_HOME", "Where the credentials file lives: $XDG_CONFIG_HOME/weft/credentials.json (default ~/.config)"],
    ["NO_COLOR", "Set to turn colours off (they are off anyway when output is not a terminal)"],
  ]),
  "",
  "Exit codes: 0 ok, 1 failure (HTTP error, server unreachable, run failed), 2 usage error,",
  "3 skipped ops or validation errors.",
];

/** `weft --help`: every command by section, global options, environment, exit codes. */
export function overview(commands: Command[]): string {
  const lines = ["weft: build, repair and run Weft workflows from a terminal", "", "Usage: weft <command> [options]", ""];
  for (const section of ["Account", "Workflows", "Runs"] as const) {
    lines.push(`${section}:`);
    lines.push(...aligned(commands.filter((c) => c.section === section).map((c) => [`${c.path.join(" ")}${c.args ? ` ${c.args}` : ""}`, c.summary])));
    lines.push("");
  }
  lines.push("Global options:", ...aligned([...optionRows(GLOBAL_OPTIONS), ["--version", "Print the version"]]), "");
  lines.push("Run `weft <command> --help` for a command's options.", "", ...FOOTER);
  return lines.join("\n");
}

/** `weft keys --help`: the group's subcommands. */
export function groupHelp(group: string, commands: Command[]): string {
  const members = commands.filter((c) => c.path[0] === group);
  return [
    `Usage: weft ${group} <${members.map((c) => c.path[1]).join("|")}> [options]`,
    "",
    ...aligned(members.map((c) => [`${c.path.join(" ")}${c.args ? ` ${c.args}` : ""}`, c.summary])),
    "",
    `Run \`weft ${group} <command> --help\` for a command's options.`,
  ].join("\n");
}

/** `weft <command> --help`: usage, summary, description, options. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${usageLine(command)}`, "", command.summary + "."];
  if (command.description) lines.push("", command.description);
  if (command.options && Object.keys(command.options).length > 0) lines.push("", "Options:", ...aligned(optionRows(command.options)));
  lines.push("", "Global options:", ...aligned(optionRows(GLOBAL_OPTIONS)), "", ...FOOTER);
  return lines.join("\n");
}

/** The one-line usage printed under a usage error. */
export function usageHint(command: Command): string {
  return `usage: ${usageLine(command)}   (weft ${command.path.join(" ")} --help for more)`;
}
