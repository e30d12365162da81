// Punycode (RFC 3492) decoding of one host label, so redaction can read a secret that is only part
// of a label: `api-Ünïcödé.example` becomes `xn--api-ncd-…`, which holds no fixed form of the
// secret. Hand-written because lib/engine may not import node:url (domainToUnicode), and the
// userland `punycode` package shares its name with Node's deprecated built-in.

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_CODE_POINT = 0x10ffff;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  for (; d > ((BASE - T_MIN) * T_MAX) >> 1; k += BASE) d = Math.floor(d / (BASE - T_MIN));
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

/** A base-36 digit of punycode (a–z = 0–25, 0–9 = 26–35, either case), or BASE when it is none. */
function digitOf(code: number): number {
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x30 && code <= 0x39) return code - 22;
  return BASE;
}

/**
 * The Unicode text of an `xn--` label (prefix included, any case), or null when it is not valid
 * punycode. Decodes only; IDNA's mapping and validity rules are not applied.
 */
export function decodePunycodeLabel(label: string): string | null {
  if (!/^xn--/i.test(label)) return null;
  const input = label.slice(4);
  if (input === "") return null;
  const delimiter = input.lastIndexOf("-");
  const output: number[] = [];
  for (let j = 0; j < Math.max(delimiter, 0); j++) output.push(input.charCodeAt(j));
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  for (let index = delimiter > 0 ? delimiter + 1 : 0; index < input.length; ) {
    const before = i;
    for (let weight = 1, k = BASE; ; k += BASE) {
      if (index >= input.length) return null;
      const digit = digitOf(input.charCodeAt(index++));
      if (digit >= BASE) return null;
      i += digit * weight;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      weight *= BASE - t;
      if (!Number.isSafeInteger(i) || !Number.isSafeInteger(weight)) return null;
    }
    bias = adapt(i - before, output.length + 1, before === 0);
    n += Math.floor(i / (output.length + 1));
    if (n > MAX_CODE_POINT) return null;
    i %= output.length + 1;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}
