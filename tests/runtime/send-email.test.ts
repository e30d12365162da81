/**
 * The send_email connector in real runs (docs/connectors.md, "send_email"): a worker sends through
 * nodemailer to SMTP servers this file starts on 127.0.0.1 (tests/helpers/smtp-sink.ts), which
 * parse what they receive with mailparser. Private networks are allowed, as tests run; the
 * production default and TLS with a trusted certificate are in send-email-tls.test.ts.
 */
import { readFileSync } from "node:fs";
import net, { type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendEmail } from "@/lib/connectors/send_email";
import { directContext } from "../helpers/connectors";
import type { RunResource } from "@/lib/resources/run";
import { call, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs, runWhen, startWorkerTestApp } from "../helpers/runtime";
import { selfSignedCertificate, startSmtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { until } from "../helpers/until";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;
const sinks: SmtpSink[] = [];

const PASSWORD = "pässword-Ω-7f3c9e1b";
const ACCOUNT = { username: "mailer@example.com", password: PASSWORD };

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp());
  const res = await call(app, "POST", "/api/secrets", { headers: user.bearer, body: { name: "SMTP_PASSWORD", value: PASSWORD } });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await close?.();
  await Promise.all(sinks.map((sink) => sink.close()));
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  sinks.push(started);
  return started;
}

/** A webhook trigger → one send_email block `mail` with `params`. */
async function runMail(params: Record<string, unknown>, input: unknown = {}): Promise<{ runId: string; run: RunResource }> {
  const workflowId = await createWorkflow(app, user.bearer, {
    blocks: [
      { id: "trg", type: "trigger_webhook", params: {} },
      { id: "mail", type: "send_email", params },
    ],
    edges: [{ source: "trg", target: "mail" }],
  });
  const runId = await dispatchRun(app, user.bearer, workflowId, { input });
  return { runId, run: await finishedRun(app, user.organizationId, runId) };
}

/** The params of a plain-text message to the sink, over an unencrypted session, logging in. */
function basic(to: SmtpSink, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: to.host,
    port: to.port,
    tls: "none",
    user: ACCOUNT.username,
    password: "{{secrets.SMTP_PASSWORD}}",
    from: "Weft Alerts <alerts@example.com>",
    to: "ada@example.com",
    subject: "Hello",
    text: "Hi there",
    ...extra,
  };
}

/** Everything a client can read about a run, as text: the run, its logs and its stream. */
async function everythingReadable(runId: string): Promise<string> {
  const run = await call(app, "GET", `/api/runs/${runId}`, { headers: user.bearer });
  const logs = await call(app, "GET", `/api/runs/${runId}/logs?limit=100`, { headers: user.bearer });
  const stream = await app.api.request(`/api/runs/${runId}/stream`, { headers: user.bearer });
  return [JSON.stringify(run.body), JSON.stringify(logs.body), await stream.text()].join("\n");
}

/** The forms a password crosses an SMTP session in: as is, and base64 alone or in AUTH PLAIN. */
function passwordForms(username: string, password: string): string[] {
  const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  return [password, base64(password), base64(`\0${username}\0${password}`)];
}

describe("send_email delivers", () => {
  it("a run sends the message: the sink gets from, to, cc, reply-to, subject, text and html, bcc only in the envelope, and messageId is its Message-ID", async () => {
    const to = await sink({ account: ACCOUNT });
    const { run } = await runMail(
      basic(to, {
        to: "{{trg.body.to}}",
        cc: "Grace Hopper <grace@example.com>",
        bcc: ["audit@example.com"],
        reply_to: "support@example.com",
        subject: "Order {{trg.body.order}} shipped ✓",
        text: "Hello {{trg.body.name}}",
        html: "<p>Hello <b>{{trg.body.name}}</b></p>",
      }),
      { body: { to: ["Ada <ada@example.com>", "bob@example.org"], order: 42, name: "Ada" } },
    );
    expect(run.status).toBe("succeeded");
    await until(() => to.mails.length === 1, 10_000, "the sink to receive the message");
    const [mail] = to.mails;
    const { parsed } = mail;
    expect(parsed.from?.value).toEqual([{ name: "Weft Alerts", address: "alerts@example.com" }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : null).toEqual([
      { name: "Ada", address: "ada@example.com" },
      { name: "", address: "bob@example.org" },
    ]);
    expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value : null).toEqual([{ name: "Grace Hopper", address: "grace@example.com" }]);
    expect(parsed.replyTo?.value).toEqual([{ name: "", address: "support@example.com" }]);
    expect(parsed.subject).toBe("Order 42 shipped ✓");
    expect(parsed.text?.trim()).toBe("Hello Ada");
    expect(parsed.html).toBe("<p>Hello <b>Ada</b></p>");
    // Bcc is delivered (it is in the envelope) but written in no header.
    expect(mail.envelope).toEqual({ from: "alerts@example.com", to: ["ada@example.com", "bob@example.org", "grace@example.com", "audit@example.com"] });
    expect(parsed.headers.has("bcc")).toBe(false);
    expect(mail.raw.toLowerCase()).not.toContain("audit@example.com");
    // It logged in with the secret's value, resolved in the worker.
    expect(to.logins).toEqual([{ username: ACCOUNT.username, password: PASSWORD, method: "PLAIN", secure: false }]);
    expect(mail.user).toBe(ACCOUNT.username);
    const output = (run.output as { mail: { messageId: string; accepted: string[]; rejected: string[]; response: string } }).mail;
    expect(output.messageId).toBe(parsed.messageId);
    expect(output.messageId).toBe(`<${run.id}.mail@example.com>`);
    expect(output).toMatchObject({
      accepted: ["ada@example.com", "bob@example.org", "grace@example.com", "audit@example.com"],
      rejected: [],
      response: "250 Ok: queued as SINK1",
    });
  });

  it("recipients the server refuses while it accepts others are listed in rejected, with their reply in a warn log line, and the block succeeds", async () => {
    const to = await sink({ refuse: (address) => address.startsWith("nobody") });
    const { runId, run } = await runMail({ ...basic(to), user: undefined, password: undefined, to: ["ada@example.com", "nobody@example.com"] });
    expect(run.status).toBe("succeeded");
    expect(run.output).toMatchObject({ mail: { accepted: ["ada@example.com"], rejected: ["nobody@example.com"] } });
    await until(() => to.mails.length === 1, 10_000, "the sink to receive the message");
    expect(to.mails[0].envelope.to).toEqual(["ada@example.com"]);
    const entry = (await runLogs(app, user.organizationId, runId)).find((e) => e.blockId === "mail");
    expect(entry?.messages).toEqual([
      expect.objectContaining({ level: "warn", message: expect.stringContaining("refused the recipient nobody@example.com: 550 5.1.1 <nobody@example.com>: Recipient address rejected") }),
    ]);
  });
});

describe("the README's send_email example", () => {
  it("its patch batch, pointed at a local server, saves with ok: true and its run delivers the mail it shows", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### `send_email`"));
    const batch = /-d @- <<'OPS'; echo\n([\s\S]*?)\nOPS\n/.exec(section)?.[1];
    const input = /-d '(\{"input":[^']*)'/.exec(section)?.[1];
    expect(batch && input).toBeTruthy();
    const { ops } = JSON.parse(batch!) as { ops: { block_id: string; params?: Record<string, unknown> }[] };
    const to = await sink({ account: { username: "apikey", password: PASSWORD } });
    const mailOp = ops.find((op) => op.block_id === "mail")!;
    // Only where the server is changes: this one is local and speaks no TLS.
    Object.assign(mailOp.params!, { host: to.host, port: to.port, tls: "none" });
    const created = await call(app, "POST", "/api/workflows", { headers: user.bearer, body: { name: "Shipping mail" } });
    const patched = await call(app, "POST", `/api/workflows/${created.body.id}/operations`, { headers: user.bearer, body: { ops } });
    expect(patched.body).toMatchObject({ ok: true, skipped_items: [], validation_errors: [] });
    const runId = await dispatchRun(app, user.bearer, created.body.id as string, JSON.parse(input!) as { input: unknown });
    const run = await finishedRun(app, user.organizationId, runId);
    expect(run.output).toMatchObject({ mail: { accepted: ["ada@example.com", "archive@example.com"], rejected: [] } });
    await until(() => to.mails.length === 1, 10_000, "the sink to receive the message");
    expect(to.mails[0].parsed.subject).toBe("Order 1042 has shipped");
  });
});

describe("send_email fails with a stable code", () => {
  it("a wrong password fails with smtp_auth_failed, and the password is in no form in the run, its logs, its stream or its error", async () => {
    const to = await sink({ account: { username: ACCOUNT.username, password: "something-else" } });
    const { runId, run } = await runMail(basic(to));
    expect(run).toMatchObject({ status: "failed", error: { blockId: "mail", code: "smtp_auth_failed" } });
    expect(run.error?.message).toContain(`refused the login of user "${ACCOUNT.username}" (535)`);
    // The password was really sent (and echoed back by the server), so its absence below means something.
    expect(to.logins.map((l) => l.password)).toEqual([PASSWORD]);
    expect(to.mails).toEqual([]);
    const readable = (await everythingReadable(runId)).toLowerCase();
    for (const form of passwordForms(ACCOUNT.username, PASSWORD)) expect(readable).not.toContain(form.toLowerCase());
    expect(readable).not.toContain(JSON.stringify(PASSWORD).slice(1, -1).toLowerCase());
  });

  it("the connector's own error leaves out a literal password the server echoed (no runtime redaction involved)", async () => {
    const to = await sink({ account: { username: "u", password: "right" } });
    const literal = "literal-pw-0c1d";
    const params = sendEmail.params.parse({ ...basic(to), user: "u", password: literal, allow_private_network: true });
    const controller = new AbortController();
    const ctx = directContext({ blockId: "mail", signal: controller.signal });
    const error = await sendEmail.run!(ctx, params).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe("smtp_auth_failed");
    expect(to.logins.map((l) => l.password)).toEqual([literal]);
    const text = JSON.stringify({ message: error?.message, ...error });
    for (const form of passwordForms("u", literal)) expect(text).not.toContain(form);
  });

  it("a literal password a server echoes in other replies (a refused recipient, the final reply) is replaced by [REDACTED] in the error and in the log lines", async () => {
    const literal = "literal-pw-5e6f";
    const to = await sink({ refuse: (address) => address.startsWith("nobody"), echoLoginInRefusals: true });
    const lines: string[] = [];
    const ctx = directContext({ blockId: "mail", log: (_level, message) => void lines.push(message) });
    const send = (recipients: string[]) =>
      sendEmail.run!(ctx, sendEmail.params.parse({ ...basic(to), user: "u", password: literal, to: recipients, allow_private_network: true }));
    const refused = await send(["nobody@example.com"]).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(refused?.code).toBe("smtp_rejected");
    expect(refused?.message).toContain("session of u / [REDACTED] / [REDACTED]");
    await send(["ada@example.com", "nobody@example.com"]);
    expect(lines).toEqual([expect.stringContaining("session of u / [REDACTED] / [REDACTED]")]);
    for (const text of [refused?.message ?? "", ...lines]) for (const form of passwordForms("u", literal)) expect(text).not.toContain(form);
  });

  it("credentials given to a server that offers no AUTH: smtp_auth_failed, and nothing is sent without logging in", async () => {
    const to = await sink({ auth: false });
    const { run } = await runMail(basic(to));
    expect(run).toMatchObject({ status: "failed", error: { code: "smtp_auth_failed" } });
    expect(to.mails).toEqual([]);
  });

  it("every recipient refused: smtp_rejected naming them and quoting the server", async () => {
    const to = await sink({ refuse: () => true });
    const { run } = await runMail({ ...basic(to), user: undefined, password: undefined, to: "nobody@example.com, ghost@example.com" });
    expect(run).toMatchObject({ status: "failed", error: { code: "smtp_rejected" } });
    expect(run.error?.message).toContain("refused every recipient (nobody@example.com, ghost@example.com)");
    expect(run.error?.message).toContain("550 5.1.1");
    expect(to.mails).toEqual([]);
  });

  it("a port nothing listens on: smtp_connection_failed with ECONNREFUSED", async () => {
    const closed = await sink();
    const port = closed.port;
    await closed.close();
    sinks.splice(sinks.indexOf(closed), 1);
    const { run } = await runMail({ ...basic(closed), port });
    expect(run).toMatchObject({ status: "failed", error: { code: "smtp_connection_failed" } });
    expect(run.error?.message).toBe(`could not connect to 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it("a server that never greets: smtp_timeout after timeout_ms", async () => {
    const silent = await silentServer();
    try {
      const { run } = await runMail({ ...basic(await sink()), port: silent.port, timeout_ms: 300 });
      expect(run).toMatchObject({ status: "failed", error: { code: "smtp_timeout" } });
      expect(run.error?.message).toContain("within 300 ms");
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("tls starttls against a server that offers no STARTTLS: smtp_tls_failed, before any password or message is sent", async () => {
    const to = await sink({ account: ACCOUNT });
    const { run } = await runMail(basic(to, { tls: "starttls" }));
    expect(run).toMatchObject({ status: "failed", error: { code: "smtp_tls_failed" } });
    expect(run.error?.message).toContain("did not start TLS");
    expect(to.connections).toBe(1);
    expect(to.logins).toEqual([]);
    expect(to.mails).toEqual([]);
  });
});

describe("send_email refuses bad addresses and header injection", () => {
  it.each([
    ["subject", { subject: "{{trg.body.value}}" }, "Hi\r\nBcc: victim@example.com", "invalid_header"],
    ["to", { to: "{{trg.body.value}}" }, "ada@example.com\r\nBcc: victim@example.com", "invalid_header"],
    ["a display name", { from: "{{trg.body.value}}" }, "Ada\nX-Injected: 1 <ada@example.com>", "invalid_header"],
    ["to", { to: "{{trg.body.value}}" }, "ada@@example.com", "invalid_address"],
    ["cc", { cc: ["grace@example.com", "{{trg.body.value}}"] }, "not an address", "invalid_address"],
  ])("%s resolved from the trigger to %j fails the block with %s, naming it, and the server sees no connection", async (_field, params, value, code) => {
    const to = await sink();
    const { run } = await runMail(basic(to, params), { body: { value } });
    expect(run).toMatchObject({ status: "failed", error: { blockId: "mail", code } });
    expect(run.error?.message).toContain(JSON.stringify(value).slice(0, 20));
    expect(to.connections).toBe(0);
  });

  it("more than 50 recipients in to, cc and bcc together fail with invalid_address", async () => {
    const to = await sink();
    const many = Array.from({ length: 30 }, (_, i) => `r${i}@example.com`);
    const { run } = await runMail(basic(to, { to: "{{trg.body.to}}", bcc: "{{trg.body.bcc}}" }), { body: { to: many, bcc: many } });
    expect(run).toMatchObject({ status: "failed", error: { code: "invalid_address" } });
    expect(run.error?.message).toContain("60 recipients");
    expect(to.connections).toBe(0);
  });
});

describe("send_email with an untrusted certificate", () => {
  let certificate: ReturnType<typeof selfSignedCertificate>;
  beforeAll(() => {
    certificate = selfSignedCertificate(["localhost"]);
  });
  afterAll(() => certificate?.remove());

  it.each([
    ["starttls", false],
    ["tls", true],
  ] as const)("tls %s to a server whose self-signed certificate this worker does not trust: smtp_tls_failed, no password or message sent", async (tls, implicitTls) => {
    const to = await sink({ account: ACCOUNT, certificate, implicitTls });
    const { run } = await runMail(basic(to, { host: "localhost", tls }));
    expect(run).toMatchObject({ status: "failed", error: { code: "smtp_tls_failed" } });
    expect(run.error?.message).toContain("not signed by an authority this worker trusts");
    expect(to.connections).toBe(1);
    expect(to.logins).toEqual([]);
    expect(to.mails).toEqual([]);
  });
});

describe("send_email and cancel", () => {
  it("canceling the run while the server stalls ends the block and closes the connection", async () => {
    const silent = await silentServer();
    try {
      const workflowId = await createWorkflow(app, user.bearer, {
        blocks: [
          { id: "trg", type: "trigger_manual", params: {} },
          { id: "mail", type: "send_email", params: { ...basic(await sink()), port: silent.port, timeout_ms: 120_000 } },
        ],
        edges: [{ source: "trg", target: "mail" }],
      });
      const runId = await dispatchRun(app, user.bearer, workflowId);
      await until(() => silent.connections() === 1, 10_000, "the block to connect");
      await runWhen(app, user.organizationId, runId, (r) => r.status === "running");
      const res = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: user.bearer });
      expect(res.status).toBe(200);
      await until(() => silent.closed() === 1, 10_000, "the connection to close");
      const run = await finishedRun(app, user.organizationId, runId);
      expect(run.status).toBe("canceled");
    } finally {
      await silent.close();
    }
  });
});

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; connections(): number; closed(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let closed = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => {
      closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    closed: () => closed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
