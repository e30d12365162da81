/**
 * lib/engine/punycode.ts decodes host labels for redaction; Node's own IDNA (node:url) is the
 * reference it must agree with.
 */
import { randomInt } from "node:crypto";
import { domainToASCII, domainToUnicode } from "node:url";
import { describe, expect, it } from "vitest";
import { decodePunycodeLabel } from "@/lib/engine/punycode";

/** A label of `length` characters drawn from ASCII letters, digits, "-" and a few scripts. */
function randomLabel(length: number): string {
  const pools = ["abcxyz019-", "äöüßéèñøå", "ёжщыюя", "日本語中文", "αβγδω", "🚀✓"];
  let label = "";
  for (let i = 0; i < length; i++) {
    const pool = [...pools[randomInt(pools.length)]];
    label += pool[randomInt(pool.length)];
  }
  return label;
}

describe("decodePunycodeLabel", () => {
  it("decodes what Node's IDNA encodes, for fixed and random labels", () => {
    const labels = ["bücher", "api-ünïcödé42", "日本語", "ñ", "a-b-ç", "üXx-9"];
    for (let i = 0; i < 300; i++) labels.push(randomLabel(1 + randomInt(20)));
    let checked = 0;
    for (const label of labels) {
      const ascii = domainToASCII(`${label}.example`).split(".")[0];
      if (!ascii.startsWith("xn--")) continue; // all ASCII, or refused by IDNA
      expect(decodePunycodeLabel(ascii), ascii).toBe(domainToUnicode(ascii));
      // Letter case of the ASCII part is kept (RFC 3492's mixed-case annotation); redaction ignores case.
      expect(decodePunycodeLabel(ascii.toUpperCase())?.toLowerCase(), ascii).toBe(domainToUnicode(ascii));
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("gives null for what is not punycode, and never throws", () => {
    for (const label of ["bucher", "xn--", "xn---", "xn--ab-cd-!", "xn--zzzzzzzzzzzzzzzzzzzz", `xn--${"9".repeat(59)}`]) {
      expect(decodePunycodeLabel(label), label).toBeNull();
    }
  });
});
