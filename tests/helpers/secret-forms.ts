/**
 * The forms a secret value can take in text a client reads, and a search for them that reads the
 * text as a client could: as sent, with its JSON strings decoded, and with punycode host labels
 * decoded. Written apart from the redaction in lib/engine/templates.ts, so that a form redaction
 * misses shows up here instead of being missed the same way twice.
 */
import { domainToASCII, domainToUnicode } from "node:url";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The forms of `secret`, by name (empty forms dropped). Searched for in any letter case. */
export function secretForms(secret: string): Record<string, string> {
  const forms: Record<string, string> = {
    raw: secret,
    component: encodeURIComponent(secret),
    uri: encodeURI(secret),
    form: new URLSearchParams({ v: secret }).toString().slice(2),
    // What a URL parser makes of it inside a URL's path and query (it leaves "%" and "&" alone).
    urlPath: new URL(`http://h/${secret}`).pathname.slice(1),
    urlQuery: new URL(`http://h/?${secret}`).search.slice(1),
    json: JSON.stringify(secret).slice(1, -1),
    jsonAscii: JSON.stringify(secret)
      .slice(1, -1)
      .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    base64: base64(secret),
    base64url: Buffer.from(secret, "utf8").toString("base64url"),
    host: domainToASCII(secret), // "" when it cannot be a host
  };
  return Object.fromEntries(Object.entries(forms).filter(([, form]) => form !== ""));
}

/** Every string inside a JSON value (keys too), one a line; "" when `text` is not JSON. */
function jsonStrings(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "";
  }
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === "string") out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) {
        out.push(key);
        walk(child);
      }
    }
  };
  walk(value);
  return out.join("\n");
}

/** `text` with each punycode label (`xn--…`) replaced by the Unicode it encodes. */
function decodePunycode(text: string): string {
  return text.replace(/xn--[a-z0-9-]+/gi, (label) => domainToUnicode(label) || label);
}

/**
 * The names of the forms of `secret` found in `text`: an HTTP body as sent, or a stream of SSE
 * lines (each `data:` line is read as JSON too). Case-insensitive.
 */
export function secretFormsIn(text: string, secret: string): string[] {
  const decoded = [text, ...text.split("\n").map((line) => line.replace(/^data: /, ""))].map(jsonStrings).join("\n");
  const haystacks = [text, decoded].flatMap((t) => [t, decodePunycode(t)]).map((t) => t.toLowerCase());
  return Object.entries(secretForms(secret))
    .filter(([, form]) => haystacks.some((haystack) => haystack.includes(form.toLowerCase())))
    .map(([name]) => name);
}
