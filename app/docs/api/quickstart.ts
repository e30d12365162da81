/**
 * The curl walkthroughs the reference shows, read from the README, which is their one copy:
 * e2e/readme-quickstart.spec.ts runs those same blocks against a real server, so the page shows
 * commands that are known to work, and cannot drift from the README.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReferenceOperation, ReferenceTag } from "./reference";

/** The README sections whose first bash block the page shows, and their titles on the page. */
export const WALKTHROUGHS = [
  { heading: "## Quickstart: an agent's loop with curl", title: "An agent's loop" },
  { heading: "## Schedules and webhooks", title: "Schedules and webhooks", note: "Continues in the same shell." },
] as const;

export interface Walkthrough {
  title: string;
  note?: string;
  script: string;
}

/** One `curl` in a script: its method, and its path when the URL is `$URL/…` (else null). */
export interface CurlCall {
  method: string;
  path: string | null;
}

/** The first ```bash block after `heading` in `readme`, or null when there is none. */
export function bashBlock(readme: string, heading: string): string | null {
  const start = readme.indexOf(`${heading}\n`);
  if (start < 0) return null;
  const next = readme.indexOf("\n## ", start + heading.length);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return /```bash\n([\s\S]*?)```/.exec(section)?.[1]?.trimEnd() ?? null;
}

/** The walkthroughs found in the README at the app's root; an empty list when it cannot be read. */
export async function readWalkthroughs(root = process.cwd()): Promise<Walkthrough[]> {
  const readme = await readFile(join(root, "README.md"), "utf8").catch(() => "");
  return WALKTHROUGHS.flatMap((walkthrough) => {
    const script = bashBlock(readme, walkthrough.heading);
    return script ? [{ title: walkthrough.title, note: "note" in walkthrough ? walkthrough.note : undefined, script }] : [];
  });
}

/** Every `curl` in `script`, in order; comments are skipped and `\`-continued lines joined. */
export function curlCalls(script: string): CurlCall[] {
  const lines = script
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .filter((line) => !/^\s*#/.test(line));
  return lines.flatMap((line) =>
    line
      .split(/\bcurl\s/)
      .slice(1)
      .map((command) => {
        const method = /(?:^|\s)-X\s+([A-Z]+)/.exec(command)?.[1] ?? (/(?:^|\s)(?:-d|--data\S*)\s/.test(command) ? "POST" : "GET");
        const path = /\$\{?URL\}?(\/[^\s"'?]*)/.exec(command)?.[1] ?? null;
        return { method, path };
      }),
  );
}

/**
 * The operation a call reaches: same method, and a path whose `{parameters}` match the call's
 * shell variables (`$WF`) or any literal segment.
 */
export function operationFor(tags: ReferenceTag[], call: CurlCall): ReferenceOperation | undefined {
  if (!call.path) return undefined;
  const segments = call.path.split("/");
  return tags
    .flatMap((tag) => tag.operations)
    .find((operation) => {
      if (operation.method !== call.method.toLowerCase()) return false;
      const template = operation.path.split("/");
      return template.length === segments.length && template.every((part, i) => part === segments[i] || (/^\{[^}]+\}$/.test(part) && segments[i] !== ""));
    });
}
