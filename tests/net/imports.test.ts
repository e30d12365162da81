/**
 * lib/net is the SSRF guard: it must stay free of the app (no `@/lib/*`, no `@/db/*`), so it can be
 * read and reviewed on its own and reused by anything that makes outbound calls. The one package
 * it uses is the SMTP client smtp.ts is built on.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const dir = path.join(process.cwd(), "lib/net");

describe("lib/net", () => {
  it("imports only node built-ins, its own files and nodemailer", () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files).toEqual(expect.arrayContaining(["http-guard.ts", "address-ranges.ts", "host-guard.ts", "smtp.ts"]));
    let seen = 0; // the pattern finds imports at all (mailbox.ts, pure parsing, has none)
    for (const file of files) {
      const source = readFileSync(path.join(dir, file), "utf8");
      const specifiers = [...source.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
      seen += specifiers.length;
      for (const specifier of specifiers) expect(specifier, `${file} imports ${specifier}`).toMatch(/^(node:|\.\/|nodemailer$)/);
    }
    expect(seen).toBeGreaterThan(files.length);
  });
});
