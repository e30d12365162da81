/**
 * Email addresses as a workflow gives them (docs/connectors.md, "send_email"): one string with one
 * or several comma-separated mailboxes, or a list of them; each mailbox `name@example.com`,
 * `<name@example.com>` or `Display Name <name@example.com>` (quote a name holding a comma:
 * `"Lovelace, Ada" <ada@example.com>`). Header fields are one line: a CR, LF or other control
 * character anywhere is refused, so no value can add a header of its own (header injection).
 */

/** One mailbox: the address, and the display name when one was given. */
export interface Mailbox {
  name?: string;
  address: string;
}

/** Why a value is refused: `invalid_header` for control characters, `invalid_address` otherwise. */
export interface MailboxProblem {
  code: "invalid_address" | "invalid_header";
  message: string;
}

export const MAX_ADDRESS_LENGTH = 254;
export const MAX_DISPLAY_NAME_LENGTH = 200;

// Letters and digits of any script, as SMTPUTF8 allows; dot-atom local parts only (no quoted ones).
const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?";
const ADDRESS = new RegExp(`^(${ATOM}(?:\\.${ATOM})*)@(${LABEL}(?:\\.${LABEL})+)$`, "u");
// `Name <address>`, `"Quoted, Name" <address>` or `<address>`.
const NAMED = /^(?:"((?:[^"\\]|\\.)*)"|([^"<>]*?))\s*<([^<>]*)>$/s;

/** A control character (CR and LF included) or a Unicode line or paragraph separator. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** The value as JSON, cut to 100 characters, to name it in a message. */
export function quoted(text: string): string {
  const json = JSON.stringify(text);
  return json.length > 100 ? `${json.slice(0, 99)}…"` : json;
}

/** Null when `address` is a plain `name@domain` address this connector sends to, else why not. */
export function addressProblem(address: string): string | null {
  if (address.length > MAX_ADDRESS_LENGTH) return `${quoted(address)} is longer than ${MAX_ADDRESS_LENGTH} characters`;
  const match = ADDRESS.exec(address);
  if (!match) return `${quoted(address)} is not an email address (expected name@example.com or Name <name@example.com>)`;
  if (match[1].length > 64) return `${quoted(address)} has a part before the @ longer than 64 characters`;
  if (/^\d+$/.test(match[2].split(".").at(-1) ?? "")) return `${quoted(address)} does not end in a domain name (an IP address is not accepted)`;
  return null;
}

/** Splits at commas outside quotes and angle brackets. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote = false;
  let angle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote && c === "\\" && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === '"' && !angle) quote = !quote;
    else if (c === "<" && !quote) angle = true;
    else if (c === ">" && !quote) angle = false;
    if (c === "," && !quote && !angle) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** One mailbox from one list entry, or why it is not one. */
function parseEntry(entry: string): Mailbox | MailboxProblem {
  const named = NAMED.exec(entry);
  const address = (named ? named[3] : entry).trim();
  const problem = addressProblem(address);
  if (problem) return { code: "invalid_address", message: problem };
  if (!named) return { address };
  const name = (named[1] !== undefined ? named[1].replace(/\\(.)/g, "$1") : named[2]).trim();
  if (name.length > MAX_DISPLAY_NAME_LENGTH) {
    return { code: "invalid_address", message: `the display name of ${quoted(address)} is longer than ${MAX_DISPLAY_NAME_LENGTH} characters` };
  }
  return name ? { name, address } : { address };
}

/**
 * The mailboxes of a param value (a string or a list of strings), or the first problem found.
 * An empty value gives no mailbox; the caller decides whether that is allowed.
 */
export function parseMailboxes(value: string | readonly string[]): { mailboxes: Mailbox[] } | { problem: MailboxProblem; index?: number } {
  const items = typeof value === "string" ? [value] : value;
  const mailboxes: Mailbox[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const at = typeof value === "string" ? {} : { index };
    if (hasControlCharacter(item)) {
      return { problem: { code: "invalid_header", message: `${quoted(item)} contains a line break or another control character, which could add mail headers of its own; give addresses on one line` }, ...at };
    }
    for (const entry of splitList(item)) {
      const parsed = parseEntry(entry);
      if ("code" in parsed) return { problem: parsed, ...at };
      mailboxes.push(parsed);
    }
  }
  return { mailboxes };
}
