/**
 * The credentials file (docs/cli.md, "Credentials"): one login per server URL, in
 * `$XDG_CONFIG_HOME/weft/credentials.json` (else `~/.config/weft/credentials.json`), readable by
 * its owner only (0600, in a 0700 folder). A login holds the organization API key `weft login`
 * minted and the session token of that sign-in, which `weft keys` and `weft logout` need because a
 * key cannot manage keys. The password is never stored.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { CliError } from "./command";

export interface StoredLogin {
  apiKey: string;
  key: { id: string; name: string | null; start: string | null };
  /** The signed session token from sign-in (better-auth's `set-auth-token`). */
  sessionToken: string;
  user: { id: string; email: string; name: string } | null;
  organization: { id: string; name: string; slug: string };
  role: string;
  savedAt: string;
}

export interface CredentialsFile {
  /** The server of the latest login: commands use it when neither --url nor WEFT_URL says. */
  current?: string;
  servers: Record<string, StoredLogin>;
}

/** Where the credentials file lives for this environment. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "weft", "credentials.json");
}

/** The file's logins (none when it does not exist); a file that is not ours to read is an error. */
export function readCredentials(path: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { servers: {} };
    throw new CliError(`cannot read the credentials file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as CredentialsFile;
    if (!parsed || typeof parsed !== "object" || typeof parsed.servers !== "object" || parsed.servers === null) throw new Error("no servers");
    return parsed;
  } catch {
    throw new CliError(`the credentials file ${path} is damaged`, 1, ["Delete it and run `weft login` again."]);
  }
}

/** Whether group or others may read the file (it should be 0600). */
export function readableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/**
 * Replaces the file with `file`, created 0600 in a 0700 folder and renamed into place, so a
 * reader never sees half a file and the key is never readable by others, not even briefly.
 */
export function writeCredentials(path: string, file: CredentialsFile): void {
  if (Object.keys(file.servers).length === 0) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
