import { domainToASCII } from "node:url";
import { isIP } from "node:net";
import { z } from "zod";
import { defineConnector, ui, allowPrivateNetworkParam, privateNetworkOperatorParams } from "@/lib/engine/connector";
import { hasControlCharacter, parseMailboxes, quoted, type Mailbox } from "@/lib/net/mailbox";
import { DEFAULT_SMTP_PORTS, DEFAULT_SMTP_TIMEOUT_MS, sendSmtp } from "@/lib/net/smtp";

/** Recipients of one message, to, cc and bcc together. */
export const MAX_RECIPIENTS = 50;
/** Characters of the subject: one header line (RFC 5322's limit). */
export const MAX_SUBJECT_LENGTH = 998;
/** Characters of text, and of html, each. */
export const MAX_BODY_LENGTH = 1_000_000;

/** Tags a refinement's issue with the block error code the runtime fails the block with (docs/connectors.md). */
function issue(ctx: z.RefinementCtx, code: "invalid_address" | "invalid_header", message: string, path: (string | number)[] = []) {
  ctx.addIssue({ code: "custom", message, path, params: { code } });
}

/** Adds the issue of the first bad address in `value`; `required`: at least one; `single`: at most one. */
function checkAddresses(value: string | string[], ctx: z.RefinementCtx, options: { required: boolean; single?: boolean }): void {
  const parsed = parseMailboxes(value);
  if ("problem" in parsed) return issue(ctx, parsed.problem.code, parsed.problem.message, parsed.index === undefined ? [] : [parsed.index]);
  if (options.required && parsed.mailboxes.length === 0) issue(ctx, "invalid_address", "give at least one address");
  if (options.single && parsed.mailboxes.length > 1) issue(ctx, "invalid_address", `give one address, not ${parsed.mailboxes.length}`);
}

/** One address, or several: a list, or one string separated by commas. */
function addresses(options: { required: boolean }) {
  return z
    .union([z.string().max(10_000), z.array(z.string().max(1_000)).max(MAX_RECIPIENTS)])
    .superRefine((value, ctx) => checkAddresses(value, ctx, options));
}

/** The mailboxes of a validated address param (none when absent). */
function mailboxes(value: string | string[] | undefined): Mailbox[] {
  if (value === undefined) return [];
  const parsed = parseMailboxes(value);
  return "mailboxes" in parsed ? parsed.mailboxes : [];
}

const HOST_NAME = /^(?=.{1,253}\.?$)[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?)*\.?$/u;

/**
 * Sends one email through an SMTP server (docs/connectors.md, "send_email"): nodemailer over a
 * connection made by lib/net/smtp.ts, which refuses private addresses unless the operator allows
 * them and verifies the server's certificate.
 */
export const sendEmail = defineConnector({
  type: "send_email",
  name: "Send email",
  description:
    "Sends one email through an SMTP server you name (host, port, tls, user, password) and outputs its messageId, the accepted and rejected recipients and the server's reply. Needs text, html or both. The password must be a secret reference, {{secrets.NAME}}. The block fails with smtp_connection_failed, smtp_tls_failed, smtp_auth_failed, smtp_rejected (every recipient refused), smtp_timeout, invalid_address or invalid_header; private and loopback servers are refused.",
  category: "messaging",
  kind: "action",
  params: z
    .object({
      host: z
        .string()
        .min(1)
        .max(253)
        .refine((host) => isIP(host.replace(/^\[(.*)\]$/, "$1")) !== 0 || HOST_NAME.test(host), {
          message: "is not a host name: give the SMTP server's name or IP address alone, e.g. smtp.example.com (no smtp://, no :port; the port goes in port)",
        })
        .describe("The SMTP server's host name or IP address alone, e.g. smtp.example.com or smtp.sendgrid.net (the port goes in port)")
        .meta(ui({ label: "SMTP host", placeholder: "smtp.example.com" })),
      port: z
        .number()
        .int()
        .min(1)
        .max(65_535)
        .optional()
        .describe("The SMTP port. Default by tls: 587 for starttls, 465 for tls, 25 for none")
        .meta(ui({ label: "Port", widget: "number", placeholder: "587" })),
      tls: z
        .enum(["starttls", "tls", "none"])
        .optional()
        .describe(
          'How the connection is encrypted (default starttls). starttls: connect in plain text and require STARTTLS before anything is sent, failing if the server does not offer it (port 587). tls: TLS from the first byte, "implicit TLS" (port 465). none: never encrypted, the password and message cross the network readable: only for a relay on your own network (port 25). Certificates are always verified',
        )
        .meta(ui({ label: "TLS", widget: "select" })),
      user: z
        .string()
        .min(1)
        .max(254)
        .optional()
        .describe("The SMTP login user name, often an email address or an API user like apikey; required with password. Omit both for a server that takes mail without AUTH")
        .meta(ui({ label: "User", placeholder: "apikey" })),
      password: z
        .string()
        .min(1)
        .max(1_024)
        .optional()
        .describe(
          "The SMTP password or API key. Must be a secret reference, {{secrets.NAME}} (store the value as an organization secret first: Settings → Secrets, or POST /api/secrets); a literal value is refused (secret_required). Required with user",
        )
        .meta({ secretOnly: true, ...ui({ label: "Password", widget: "secret", placeholder: "{{secrets.SMTP_PASSWORD}}" }) }),
      from: z
        .string()
        .max(1_000)
        .superRefine((value, ctx) => checkAddresses(value, ctx, { required: true, single: true }))
        .describe("The sender: one address, optionally with a display name, e.g. Weft <alerts@example.com>. Most servers accept only addresses of the account you log in with")
        .meta(ui({ label: "From", widget: "text", placeholder: "Weft <alerts@example.com>" })),
      to: addresses({ required: true })
        .describe(
          `The recipients: one address, several separated by commas, or a list, e.g. ["ada@example.com", "Grace <grace@example.com>"]. to, cc and bcc hold at most ${MAX_RECIPIENTS} addresses together`,
        )
        .meta(ui({ label: "To", widget: "text", placeholder: "ada@example.com" })),
      cc: addresses({ required: false })
        .optional()
        .describe("Copy recipients, shown to everyone: one address, several separated by commas, or a list")
        .meta(ui({ label: "Cc", widget: "text", placeholder: "team@example.com", advanced: true })),
      bcc: addresses({ required: false })
        .optional()
        .describe("Hidden copy recipients: they receive the message but appear in no header. One address, several separated by commas, or a list")
        .meta(ui({ label: "Bcc", widget: "text", placeholder: "archive@example.com", advanced: true })),
      reply_to: addresses({ required: false })
        .optional()
        .describe("Where replies go when not to the sender: one address, several separated by commas, or a list")
        .meta(ui({ label: "Reply-To", widget: "text", placeholder: "support@example.com", advanced: true })),
      subject: z
        .string()
        .max(MAX_SUBJECT_LENGTH)
        .superRefine((subject, ctx) => {
          if (hasControlCharacter(subject)) {
            issue(ctx, "invalid_header", `${quoted(subject)} contains a line break or another control character, which could add mail headers of its own; the subject is one line`);
          }
        })
        .describe(`The subject line: one line, at most ${MAX_SUBJECT_LENGTH} characters; may contain templates`)
        .meta(ui({ label: "Subject", placeholder: "Order {{trg.body.id}} shipped" })),
      text: z
        .string()
        .max(MAX_BODY_LENGTH)
        .optional()
        .describe(`The plain-text body (at most ${MAX_BODY_LENGTH} characters). Give text, html or both; with both, mail clients show html and fall back to text`)
        .meta(ui({ label: "Text", widget: "textarea", placeholder: "Hello {{trg.body.name}}, your order has shipped." })),
      html: z
        .string()
        .max(MAX_BODY_LENGTH)
        .optional()
        .describe(`The HTML body (at most ${MAX_BODY_LENGTH} characters), sent as is. Give text, html or both`)
        .meta(ui({ label: "HTML", widget: "textarea", placeholder: "<p>Hello {{trg.body.name}}, your order has <b>shipped</b>.</p>", advanced: true })),
      timeout_ms: z
        .number()
        .int()
        .min(1)
        .max(300_000)
        .optional()
        .describe(`Time limit for the whole exchange with the server (connecting, TLS, login, sending), in milliseconds (default ${DEFAULT_SMTP_TIMEOUT_MS})`)
        .meta(ui({ label: "Timeout (ms)", widget: "number", placeholder: String(DEFAULT_SMTP_TIMEOUT_MS), advanced: true })),
      allow_private_network: allowPrivateNetworkParam("SMTP servers"),
    })
    .strict()
    .superRefine((params, ctx) => {
      if (params.text === undefined && params.html === undefined) {
        ctx.addIssue({ code: "custom", path: ["text"], message: "give text, html or both: the message needs a body" });
      }
      if (params.password !== undefined && params.user === undefined) {
        ctx.addIssue({ code: "custom", path: ["user"], message: "a password needs its user: set user, or remove password" });
      }
      if (params.user !== undefined && params.password === undefined) {
        ctx.addIssue({ code: "custom", path: ["password"], message: "a user needs its password: set password to {{secrets.NAME}}, or remove user" });
      }
      const count = [params.to, params.cc, params.bcc].reduce((sum, value) => sum + mailboxes(value).length, 0);
      if (count > MAX_RECIPIENTS) {
        issue(ctx, "invalid_address", `${count} recipients in to, cc and bcc together; at most ${MAX_RECIPIENTS} per message: split them over several send_email blocks`, ["to"]);
      }
    }),
  outputs: z.object({
    messageId: z.string().describe("The Message-ID header of the message sent, e.g. <run_8f2k….mail@example.com>"),
    accepted: z.array(z.string()).describe("The recipient addresses the server accepted"),
    rejected: z.array(z.string()).describe("The recipient addresses the server refused while it accepted others (their replies are in the block's log)"),
    response: z.string().describe("The server's final reply to the message, e.g. 250 2.0.0 Ok: queued as 4Bc1"),
  }),
  // Only the operator decides whether workflows may reach private addresses, never the workflow.
  operatorParams: privateNetworkOperatorParams,
  run: async (ctx, params) => {
    const tls = params.tls ?? "starttls";
    const [from] = mailboxes(params.from);
    const sent = await sendSmtp({
      host: params.host,
      port: params.port ?? DEFAULT_SMTP_PORTS[tls],
      tls,
      auth: params.user !== undefined && params.password !== undefined ? { user: params.user, password: params.password } : undefined,
      message: {
        from,
        to: mailboxes(params.to),
        cc: mailboxes(params.cc),
        bcc: mailboxes(params.bcc),
        replyTo: mailboxes(params.reply_to),
        subject: params.subject,
        text: params.text,
        html: params.html,
        messageId: messageIdFor(ctx.runId, ctx.blockId, from.address),
      },
      timeoutMs: params.timeout_ms ?? DEFAULT_SMTP_TIMEOUT_MS,
      allowPrivateNetwork: params.allow_private_network === true,
      signal: ctx.signal,
    });
    for (const { address, reply } of sent.rejected) ctx.log("warn", `The server refused the recipient ${address}: ${reply}`);
    return { messageId: sent.messageId, accepted: sent.accepted, rejected: sent.rejected.map((r) => r.address), response: sent.response };
  },
});

/**
 * The same for every attempt of the block in a run, so a retry after a send whose answer was
 * lost carries the Message-ID of the first: receivers that deduplicate on it show one message.
 */
function messageIdFor(runId: string, blockId: string, from: string): string {
  const domain = domainToASCII(from.slice(from.lastIndexOf("@") + 1)) || "weft.invalid";
  return `<${runId}.${blockId}@${domain}>`;
}
