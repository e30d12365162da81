/**
 * Outbound SMTP for the send_email connector, through nodemailer, guarded like outbound HTTP
 * (docs/connectors.md, "send_email"):
 *
 * - the host is resolved once and every address checked (`checkHost`, ./host-guard.ts); the socket
 *   is opened here, to those addresses only (no second resolution can rebind it), and handed to
 *   nodemailer, which upgrades it to TLS verifying the certificate against the host NAME;
 * - TLS: `starttls` requires STARTTLS (never falls back to plain text), `tls` is implicit TLS,
 *   `none` never encrypts. Certificates are verified against Node's CA store, which an operator
 *   extends with NODE_EXTRA_CA_CERTS; nothing here turns verification off;
 * - one deadline covers resolving, connecting, the TLS handshake, AUTH and the transfer;
 * - failures are SmtpError with a stable `code`, and messages that never carry the password:
 *   a server's reply to AUTH is left out, and any other reply quoted has the password (and the
 *   base64 forms AUTH sends it in) replaced.
 */
import net, { isIP, isIPv6, type LookupFunction } from "node:net";
import { domainToASCII } from "node:url";
import nodemailer from "nodemailer";
import { checkHost, type CheckedAddress } from "./host-guard";
import type { Mailbox } from "./mailbox";

export type SmtpTlsMode = "starttls" | "tls" | "none";

/** The port each TLS mode uses unless one is given: submission, submissions, and relay. */
export const DEFAULT_SMTP_PORTS: Record<SmtpTlsMode, number> = { starttls: 587, tls: 465, none: 25 };
export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

export type SmtpErrorCode =
  | "dns_error"
  | "ssrf_blocked"
  | "smtp_connection_failed"
  | "smtp_tls_failed"
  | "smtp_auth_failed"
  | "smtp_rejected"
  | "smtp_timeout"
  | "smtp_failed"
  | "canceled";

/** A failed send. `message` names the server and quotes its reply where that helps, never the password. */
export class SmtpError extends Error {
  constructor(
    readonly code: SmtpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SmtpError";
  }
}

export interface SmtpMessage {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
  text?: string;
  html?: string;
  /** The Message-ID header, `<…@…>`. */
  messageId: string;
}

export interface SmtpSend {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  auth?: { user: string; password: string };
  message: SmtpMessage;
  /** Covers the whole exchange. */
  timeoutMs: number;
  allowPrivateNetwork: boolean;
  signal?: AbortSignal;
}

export interface SmtpSent {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while it accepted others, each with its (sanitized) reply. */
  rejected: { address: string; reply: string }[];
  /** The server's reply to the message, e.g. `250 2.0.0 Ok: queued as 4Bc1`. */
  response: string;
}

/**
 * Sends one message. Resolves when the server accepted it for at least one recipient; throws
 * SmtpError otherwise (`canceled` when `signal` aborts, `smtp_timeout` past `timeoutMs`).
 */
export async function sendSmtp(send: SmtpSend): Promise<SmtpSent> {
  // A bare IP, or the ASCII (punycode) form of a name: what DNS, SNI and the certificate check use.
  const bare = send.host.replace(/^\[(.*)\]$/, "$1");
  const request = { ...send, host: isIP(bare) ? bare : domainToASCII(bare) || bare };
  const where = `${isIPv6(request.host) ? `[${request.host}]` : request.host}:${request.port}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new SmtpError("smtp_timeout", timeoutMessage(request, where))), request.timeoutMs);
  const onCallerAbort = () => controller.abort(new SmtpError("canceled", `sending through ${where} was canceled`));
  if (request.signal?.aborted) onCallerAbort();
  request.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const scrub = scrubber(request.auth);
  try {
    const checked = await checkHost(request.host, { allowPrivateNetwork: request.allowPrivateNetwork, signal: controller.signal });
    if (!checked.ok && checked.code === "dns_error") throw new SmtpError("dns_error", checked.reason);
    if (!checked.ok) {
      throw new SmtpError(
        "ssrf_blocked",
        `refused ${where}: ${checked.reason}; this server does not connect to ${checked.metadata ? "cloud metadata" : "private network"} addresses`,
      );
    }
    const transport = nodemailer.createTransport({
      host: request.host,
      port: request.port,
      secure: request.tls === "tls",
      requireTLS: request.tls === "starttls",
      ignoreTLS: request.tls === "none",
      // With credentials, log in even when the server does not advertise AUTH (and fail there)
      // rather than send without them.
      ...(request.auth ? { auth: { user: request.auth.user, pass: request.auth.password }, forceAuth: true } : {}),
      connectionTimeout: request.timeoutMs,
      greetingTimeout: request.timeoutMs,
      socketTimeout: request.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      getSocket: (_options, callback) => {
        connectPinned(checked.addresses, request.host, request.port, where, controller.signal).then(
          (connection) => callback(null, { connection }),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
    try {
      const { from, to, cc, bcc, replyTo, subject, text, html, messageId } = request.message;
      const info = await transport.sendMail({
        from,
        to,
        cc,
        bcc,
        replyTo,
        subject,
        text,
        html,
        messageId,
        signal: controller.signal,
      });
      const replies = new Map(
        ((info as { rejectedErrors?: { recipient?: string; response?: string }[] }).rejectedErrors ?? []).map((e) => [e.recipient, e.response]),
      );
      return {
        messageId: info.messageId,
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map((address) => ({ address: String(address), reply: serverReply(replies.get(String(address)), scrub) })),
        response: serverReply(info.response, scrub),
      };
    } finally {
      transport.close();
    }
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    if (error instanceof SmtpError) throw error;
    throw smtpErrorFrom(error, request, where, scrub);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onCallerAbort);
  }
}

/** A TCP connection to one of the checked addresses (each tried in turn), or SmtpError. */
function connectPinned(addresses: CheckedAddress[], host: string, port: number, where: string, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
    const socket = net.connect({ host, port, lookup: pinned, autoSelectFamily: true });
    const onAbort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      signal.removeEventListener("abort", onAbort);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(new SmtpError("smtp_connection_failed", `could not connect to ${where} (${systemCode(error) ?? "connection failed"})`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Errors

/** What nodemailer puts on its errors (lib/smtp-connection's _formatError). */
interface NodemailerError {
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  rejected?: string[];
  message?: string;
  timeoutType?: string;
}

const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/** The SmtpError for what nodemailer failed with. */
function smtpErrorFrom(error: unknown, request: SmtpSend, where: string, scrub: (text: string) => string): SmtpError {
  const e = (typeof error === "object" && error !== null ? error : {}) as NodemailerError;
  const reply = () => serverReply(e.response, scrub);
  const lowLevel = e.originalCode ?? systemCode(error);
  const tlsCause = tlsReason(lowLevel, request.host);
  if (e.code === "ETLS" || ((e.code === "ESOCKET" || e.code === "ECONNECTION") && tlsCause)) {
    if (e.command === "STARTTLS" && e.response) {
      return new SmtpError(
        "smtp_tls_failed",
        `${where} did not start TLS (STARTTLS answered ${reply()}); tls "starttls" never sends mail unencrypted. If the server uses implicit TLS (usually port 465), set tls to "tls"`,
      );
    }
    return new SmtpError("smtp_tls_failed", `the TLS handshake with ${where} failed: ${tlsCause ?? "the connection closed during the handshake"}`);
  }
  if (e.command === "API") {
    // nodemailer refused before asking the server (an envelope or message it cannot send); its
    // message names our own input, never a reply.
    return new SmtpError("smtp_failed", `the message could not be sent through ${where}: ${serverReply(e.message, scrub)}`);
  }
  switch (e.code) {
    case "EAUTH":
      // The reply to AUTH is left out: servers echo what they were sent (user, password, or the
      // base64 of both) in it.
      return new SmtpError(
        "smtp_auth_failed",
        `${where} refused the login of user ${JSON.stringify(request.auth?.user ?? "")} (${replyCodes(e.response) ?? "no reply code"}); check user and the secret holding the password`,
      );
    case "EENVELOPE":
    case "EMESSAGE":
      if (e.command === "MAIL FROM") return new SmtpError("smtp_rejected", `${where} refused the sender ${request.message.from.address}: ${reply()}`);
      if (e.command === "RCPT TO") {
        const refused = (e.rejected ?? []).join(", ") || "every recipient";
        return new SmtpError("smtp_rejected", `${where} refused every recipient (${refused}): ${reply()}`);
      }
      return new SmtpError("smtp_rejected", `${where} refused the message: ${reply()}`);
    case "ETIMEDOUT":
      return new SmtpError("smtp_timeout", timeoutMessage(request, where));
    case "EPROTOCOL":
      return new SmtpError("smtp_connection_failed", `${where} did not answer as an SMTP server does: ${reply()}`);
    case "ESOCKET":
    case "ECONNECTION":
      return new SmtpError("smtp_connection_failed", `the connection to ${where} failed (${lowLevel ?? "closed by the server"})${e.response ? `: ${reply()}` : ""}`);
    default:
      return new SmtpError("smtp_failed", `sending through ${where} failed (${e.code ?? "unknown error"}${e.command ? ` at ${e.command}` : ""})`);
  }
}

/** Why a TLS handshake failed, in words, from Node's error code; null when the code is not about TLS. */
function tlsReason(code: string | undefined, host: string): string | null {
  if (!code) return null;
  if (UNTRUSTED.has(code)) {
    return `its certificate is not signed by an authority this worker trusts (${code}); an operator trusts a private CA by setting NODE_EXTRA_CA_CERTS on the workers`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `its certificate is not valid for the name ${JSON.stringify(host)} (${code})`;
  if (code === "CERT_HAS_EXPIRED") return `its certificate has expired (${code})`;
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return `the server did not answer in TLS (${code}); a server on port 587 or 25 usually expects tls "starttls", not "tls"`;
  }
  if (/CERT|ERR_TLS|ERR_SSL|EPROTO/.test(code)) return `${code}`;
  return null;
}

function timeoutMessage(request: SmtpSend, where: string): string {
  const hint = request.port === 465 && request.tls !== "tls" ? `; port 465 usually expects implicit TLS: set tls to "tls"` : "";
  return `no complete exchange with ${where} within ${request.timeoutMs} ms${hint}`;
}

/** `535 5.7.8` from a reply: its code and enhanced status code, nothing a server might echo. */
function replyCodes(response: string | undefined): string | null {
  const match = /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3})\b)?/.exec(response ?? "");
  return match ? [match[1], match[2]].filter(Boolean).join(" ") : null;
}

/** A server's reply as one line of at most 300 characters, with the credentials scrubbed. */
function serverReply(response: string | undefined, scrub: (text: string) => string): string {
  if (!response) return "no reply";
  let line = "";
  for (const c of response) line += c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? " " : c;
  line = scrub(line.replace(/\s+/g, " ").trim());
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Replaces the password, and the base64 forms AUTH PLAIN and LOGIN send it in, by [REDACTED]. */
function scrubber(auth: SmtpSend["auth"]): (text: string) => string {
  if (!auth?.password) return (text) => text;
  const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  const forms = [auth.password, base64(auth.password), base64(`\0${auth.user}\0${auth.password}`), base64(`${auth.user}\0${auth.password}`)];
  const pattern = new RegExp(forms.sort((a, b) => b.length - a.length).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");
  return (text) => text.replace(pattern, "[REDACTED]");
}

/** The system error code (ECONNREFUSED…) of an error, or of the first error of an AggregateError. */
function systemCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[] } | null;
  if (typeof e?.code === "string") return e.code;
  const first = Array.isArray(e?.errors) ? (e.errors[0] as { code?: unknown } | undefined) : undefined;
  return typeof first?.code === "string" ? first.code : undefined;
}
