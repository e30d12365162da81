/**
 * send_email in real worker processes (`npm run worker`'s command), for what depends on how the
 * process was started (docs/connectors.md, "send_email"):
 * - TLS that succeeds: the certificate of the local server is trusted the way an operator trusts
 *   a private CA, with NODE_EXTRA_CA_CERTS, which Node reads at start-up only, so it needs a
 *   process of its own. Nothing in Weft turns certificate checks off; send-email.test.ts shows
 *   the same servers refused by a worker that does not trust them;
 * - the production default (WEFT_ALLOW_PRIVATE_HTTP unset): an SMTP server on 127.0.0.1 is
 *   refused with ssrf_blocked before any connection.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResource } from "@/lib/resources/run";
import { call, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun } from "../helpers/runtime";
import { selfSignedCertificate, startSmtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { until } from "../helpers/until";
import { killAll, startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";

const PASSWORD = "tls-pässword-91ab";
const ACCOUNT = { username: "mailer@example.com", password: PASSWORD };

/** One app, its user with the SMTP_PASSWORD secret, and one worker process started with `env`. */
async function setup(env: Record<string, string | undefined>): Promise<{ app: TestApp; user: TestUser; workers: WorkerProcess[] }> {
  const app = await createTestApp();
  const user = await signUp(app);
  const res = await call(app, "POST", "/api/secrets", { headers: user.bearer, body: { name: "SMTP_PASSWORD", value: PASSWORD } });
  expect(res.status).toBe(201);
  const workers = [await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, env })];
  return { app, user, workers };
}

async function runMail(app: TestApp, user: TestUser, params: Record<string, unknown>): Promise<RunResource> {
  const workflowId = await createWorkflow(app, user.bearer, {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      {
        id: "mail",
        type: "send_email",
        params: { from: "alerts@example.com", to: "ada@example.com", subject: "Over TLS", text: "Hello", ...params },
      },
    ],
    edges: [{ source: "trg", target: "mail" }],
  });
  return finishedRun(app, user.organizationId, await dispatchRun(app, user.bearer, workflowId), 60_000);
}

describe("with the server's certificate trusted through NODE_EXTRA_CA_CERTS", () => {
  let app: TestApp;
  let user: TestUser;
  let workers: WorkerProcess[] = [];
  let certificate: ReturnType<typeof selfSignedCertificate>;
  const sinks: SmtpSink[] = [];

  beforeAll(async () => {
    // Valid for the name localhost only (no IP address): the check must be made against the name.
    certificate = selfSignedCertificate(["localhost"]);
    ({ app, user, workers } = await setup({ NODE_EXTRA_CA_CERTS: certificate.file }));
  });
  afterAll(async () => {
    await killAll(workers);
    await Promise.all(sinks.map((sink) => sink.close()));
    await app?.close();
    certificate?.remove();
  });

  async function sink(implicitTls: boolean): Promise<SmtpSink> {
    const started = await startSmtpSink({ account: ACCOUNT, certificate, implicitTls });
    sinks.push(started);
    return started;
  }

  it.each([
    ["starttls", false],
    ["tls", true],
  ] as const)("tls %s to localhost: the message and the login travel encrypted, and the run outputs the Message-ID received", async (tls, implicitTls) => {
    const to = await sink(implicitTls);
    const run = await runMail(app, user, { host: "localhost", port: to.port, tls, user: ACCOUNT.username, password: "{{secrets.SMTP_PASSWORD}}" });
    expect(run.status).toBe("succeeded");
    await until(() => to.mails.length === 1, 10_000, "the sink to receive the message");
    expect(to.mails[0].secure).toBe(true);
    expect(to.logins).toEqual([{ username: ACCOUNT.username, password: PASSWORD, method: "PLAIN", secure: true }]);
    expect(to.mails[0].parsed.subject).toBe("Over TLS");
    expect(run.output).toMatchObject({ mail: { messageId: to.mails[0].parsed.messageId, accepted: ["ada@example.com"] } });
  });

  it("the same trusted certificate reached as 127.0.0.1, a name it is not valid for: smtp_tls_failed, no password or message sent", async () => {
    const to = await sink(false);
    const run = await runMail(app, user, { host: "127.0.0.1", port: to.port, tls: "starttls", user: ACCOUNT.username, password: "{{secrets.SMTP_PASSWORD}}" });
    expect(run).toMatchObject({ status: "failed", error: { code: "smtp_tls_failed" } });
    expect(run.error?.message).toContain('not valid for the name "127.0.0.1"');
    expect(to.logins).toEqual([]);
    expect(to.mails).toEqual([]);
  });
});

describe("under the production default (a worker process without WEFT_ALLOW_PRIVATE_HTTP)", () => {
  let app: TestApp;
  let user: TestUser;
  let workers: WorkerProcess[] = [];
  let to: SmtpSink;

  beforeAll(async () => {
    ({ app, user, workers } = await setup({ WEFT_ALLOW_PRIVATE_HTTP: undefined }));
    to = await startSmtpSink();
  });
  afterAll(async () => {
    await killAll(workers);
    await to?.close();
    await app?.close();
  });

  it.each(["127.0.0.1", "localhost"])("a run sending through %s fails with ssrf_blocked, and the server sees no connection", async (host) => {
    const run = await runMail(app, user, { host, port: to.port, tls: "none" });
    expect(run).toMatchObject({ status: "failed", error: { blockId: "mail", code: "ssrf_blocked" } });
    expect(run.error?.message).toContain("loopback");
    expect(to.connections).toBe(0);
  });
});
