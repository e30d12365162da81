/**
 * A real SMTP server for tests (smtp-server, on 127.0.0.1 only): it records every connection,
 * login attempt and message it receives, and can refuse logins and recipients the way real
 * servers do, echoing what it was sent in its replies. With a certificate it offers STARTTLS,
 * or speaks implicit TLS (`implicitTls`). `selfSignedCertificate` makes one with openssl.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerAddress } from "smtp-server";

export interface ReceivedMail {
  /** The envelope: MAIL FROM and every RCPT TO the server accepted. */
  envelope: { from: string; to: string[] };
  /** Whether the session was encrypted (implicit TLS or after STARTTLS). */
  secure: boolean;
  /** The user the session logged in as, if any. */
  user: string | null;
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  host: "127.0.0.1";
  port: number;
  /** TCP connections accepted, login attempts (with what was sent), and messages received. */
  connections: number;
  logins: { username: string; password: string; method: string; secure: boolean }[];
  mails: ReceivedMail[];
  /** Connections closed so far. */
  closedConnections: number;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** The account AUTH accepts; any login when absent and `auth` is not false. */
  account?: { username: string; password: string };
  /** false: the server does not offer AUTH at all. */
  auth?: boolean;
  /** Recipients whose RCPT TO is refused with 550 (the reply names the address). */
  refuse?: (address: string) => boolean;
  /** The refusal also echoes the session's login, password included (and in base64), as careless servers do. */
  echoLoginInRefusals?: boolean;
  /** PEM key and certificate: STARTTLS is offered (or, with implicitTls, TLS from the first byte). */
  certificate?: { key: string; cert: string };
  implicitTls?: boolean;
}

/** Starts a sink on 127.0.0.1 on a free port; close it in afterAll. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const sockets = new Set<Socket>();
  const pending: Promise<void>[] = [];
  const loginOf = new Map<string, string>();
  const disabledCommands = [...(options.certificate ? [] : ["STARTTLS"]), ...(options.auth === false ? ["AUTH"] : [])];
  const server = new SMTPServer({
    logger: false,
    secure: options.implicitTls === true,
    ...(options.certificate ?? {}),
    authOptional: true,
    // Plain-text sessions may log in too, as a relay on a private network may let them.
    allowInsecureAuth: true,
    disabledCommands,
    onAuth(auth: SMTPServerAuthentication, session, callback) {
      const password = auth.password ?? "";
      loginOf.set(session.id, `${auth.username} / ${password} / ${Buffer.from(password).toString("base64")}`);
      sink.logins.push({ username: auth.username ?? "", password, method: auth.method, secure: session.secure });
      const { account } = options;
      if (!account || (auth.username === account.username && password === account.password)) return callback(null, { user: auth.username });
      // As careless servers do: the reply echoes what the client sent, the password included.
      const plain = Buffer.from(`\0${auth.username}\0${password}`).toString("base64");
      callback(Object.assign(new Error(`Invalid login ${auth.username} / ${password} (AUTH PLAIN ${plain})`), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      if (options.refuse?.(address.address)) {
        const echo = options.echoLoginInRefusals ? ` (session of ${loginOf.get(session.id) ?? "nobody"})` : "";
        return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown${echo}`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        const user = typeof session.user === "string" ? session.user : null;
        const secure = session.secure;
        pending.push(
          simpleParser(raw).then((parsed) => {
            sink.mails.push({ envelope, secure, user, raw, parsed });
          }),
        );
        callback(null, "Ok: queued as SINK1");
      });
    },
  });
  server.on("error", () => {
    // A client that hangs up mid-handshake (the TLS failure tests) is not the sink's failure.
  });
  const sink: SmtpSink = {
    host: "127.0.0.1",
    port: 0,
    connections: 0,
    closedConnections: 0,
    logins: [],
    mails: [],
    async close() {
      await Promise.allSettled(pending);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.server.on("connection", (socket: Socket) => {
    sink.connections++;
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      sink.closedConnections++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}

/**
 * A self-signed certificate (and its key) for `names` (DNS names), made with openssl; `file` is
 * the certificate's path, for NODE_EXTRA_CA_CERTS. `remove()` deletes the files.
 */
export function selfSignedCertificate(names: string[]): { key: string; cert: string; file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "weft-smtp-cert-"));
  const keyFile = join(dir, "key.pem");
  const file = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", file, "-days", "2", "-subj", `/CN=${names[0]}`,
    "-addext", `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}`,
  ], { stdio: "ignore" });
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(file, "utf8"), file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
