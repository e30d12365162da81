/**
 * How a command reaches the control plane (docs/cli.md): which server (--url, else WEFT_URL, else
 * the server of the latest login), which credential (WEFT_API_KEY, else the key stored for that
 * server), and the project's typed client (lib/api/client.ts) over them. Answers that are not 2xx
 * become `ApiFailure`s carrying the server's stable `error` code; a server that cannot be reached
 * becomes `Unreachable`. Both exit 1.
 */
import { createApiClient, type ControlPlaneClient } from "@/lib/api/client";
import { CliError, EXIT, UsageError, type CommandContext } from "./command";
import { credentialsPath, readableByOthers, readCredentials, type CredentialsFile, type StoredLogin } from "./credentials";

export interface Connection {
  url: string;
  client: ControlPlaneClient;
  /** The login stored for this server, if any. */
  login: StoredLogin | undefined;
  /** Where the credential came from. */
  source: "WEFT_API_KEY" | "credentials file" | "session";
}

/** A non-2xx answer: its status, the server's stable `error` code, its message and whole body. */
export class ApiFailure extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly body: Record<string, unknown>,
    details: string[],
  ) {
    super(`${serverMessage} (${code}, HTTP ${status})`, EXIT.failure, details);
    this.name = "ApiFailure";
  }
}

/** The server did not answer at all. */
export class Unreachable extends CliError {
  constructor(url: string, cause: unknown) {
    super(`could not reach Weft at ${url} (${networkReason(cause)})`, EXIT.failure, ["Is the server running? Check --url or WEFT_URL."]);
    this.name = "Unreachable";
  }
}

/** `url` as the CLI keys it: origin plus path, no trailing slash; not http(s) → a usage error. */
export function normalizeUrl(raw: string, from: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${from} must be an http:// or https:// URL, not ${JSON.stringify(raw)}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The credentials file of this environment, with its path; warns when others may read it. */
export function loadCredentials(ctx: CommandContext): { path: string; file: CredentialsFile } {
  const path = credentialsPath(ctx.env);
  const file = readCredentials(path);
  if (Object.keys(file.servers).length > 0 && readableByOthers(path)) {
    ctx.out.note(`warning: ${path} can be read by other users; run \`chmod 600 ${path}\``, "yellow");
  }
  return { path, file };
}

/** The server a command talks to: --url, else WEFT_URL, else the latest login's; undefined when none says. */
export function chosenUrl(ctx: CommandContext, file: CredentialsFile): string | undefined {
  if (ctx.globals.url !== undefined) return normalizeUrl(ctx.globals.url, "--url");
  if (ctx.env.WEFT_URL) return normalizeUrl(ctx.env.WEFT_URL, "WEFT_URL");
  return file.current;
}

function requireUrl(ctx: CommandContext, file: CredentialsFile): string {
  const url = chosenUrl(ctx, file);
  if (url === undefined) throw new CliError("no Weft server chosen", EXIT.failure, ["Run `weft login`, or pass --url / set WEFT_URL (with WEFT_API_KEY)."]);
  return url;
}

/** A typed client on `url` sending `token` as its bearer credential. */
export function clientFor(url: string, token: string | undefined): ControlPlaneClient {
  return createApiClient(url, {
    fetch: reporting(url),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** The server and organization API key for API calls: WEFT_API_KEY, else the stored login's key. */
export function chosenKey(ctx: CommandContext): { url: string; key: string; login: StoredLogin | undefined; source: Connection["source"] } {
  const { file } = loadCredentials(ctx);
  const url = requireUrl(ctx, file);
  const login = file.servers[url];
  if (ctx.env.WEFT_API_KEY) return { url, key: ctx.env.WEFT_API_KEY, login, source: "WEFT_API_KEY" };
  if (!login) throw new CliError(`not logged in to ${url}`, EXIT.failure, [`Run \`weft login --url ${url}\`, or set WEFT_API_KEY.`]);
  return { url, key: login.apiKey, login, source: "credentials file" };
}

/** The connection for API calls, with the key `chosenKey` finds. */
export function connect(ctx: CommandContext): Connection {
  const { url, key, login, source } = chosenKey(ctx);
  return { url, client: clientFor(url, key), login, source };
}

/**
 * The connection as the signed-in user (the session `weft login` stored), for what an API key may
 * not do: managing keys. Without a stored session, a clear refusal instead of the server's 403.
 */
export function connectAsUser(ctx: CommandContext, action: string): Connection {
  const { file } = loadCredentials(ctx);
  const url = requireUrl(ctx, file);
  const login = file.servers[url];
  if (!login?.sessionToken) {
    throw new CliError(`${action} needs a signed-in owner or admin, and an API key cannot manage keys`, EXIT.failure, [
      `Run \`weft login --url ${url}\`: it keeps the session these commands use.`,
    ]);
  }
  return { url, client: clientFor(url, login.sessionToken), login, source: "session" };
}

type SuccessJson<R> = R extends { ok: true; json(): Promise<infer J> } ? J : never;

/** The JSON of a 2xx answer (undefined for 204); an `ApiFailure` otherwise. */
export async function answer<R extends { ok: boolean; status: number; headers: Headers; json(): Promise<unknown> }>(response: R): Promise<SuccessJson<R>> {
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as SuccessJson<R>;
  throw await failureOf(response);
}

/** The `ApiFailure` of a non-2xx answer, with hints for the codes a person can act on. */
export async function failureOf(response: { status: number; headers: Headers; json(): Promise<unknown> }): Promise<ApiFailure> {
  let body: Record<string, unknown> = {};
  try {
    const parsed = await response.json();
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status speaks for it.
  }
  // The API answers `error`; better-auth's own routes answer `code`.
  const code = typeof body.error === "string" ? body.error : typeof body.code === "string" ? body.code : `http_${response.status}`;
  const message = typeof body.message === "string" ? body.message : `the server answered ${response.status}`;
  const details: string[] = [];
  if (Array.isArray(body.issues)) {
    for (const issue of body.issues as { path?: unknown[]; message?: string }[]) {
      details.push(`${issue.path && issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message ?? "invalid"}`);
    }
  }
  if (response.status === 401 && code === "unauthorized") details.push("The key or session was refused (revoked or expired?). Run `weft login` again.");
  if (code === "version_mismatch" && typeof body.current === "number") details.push(`The workflow is at version ${body.current}; pass --if-match ${body.current} after checking it.`);
  if (code === "rate_limited") details.push(`Retry in ${Math.ceil(Number(response.headers.get("retry-after") ?? Number(body.retryAfterMs) / 1000) || 1)} s.`);
  return new ApiFailure(response.status, code, message, body, details);
}

/** fetch that turns "no answer" from `url` into `Unreachable`, leaving aborts the caller asked for alone. */
export function reporting(url: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      throw new Unreachable(url, error);
    }
  };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const code = cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset";
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return "timed out connecting";
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
