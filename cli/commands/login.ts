/**
 * `weft login` and `weft logout` (docs/cli.md, "Logging in"). Login signs in with email and
 * password, mints an organization API key through `POST /api/keys` with that session (a key cannot
 * mint keys) and stores both per server URL; logout revokes the key on the server, ends the
 * session, then forgets them.
 */
import { hostname } from "node:os";
import { CliError, EXIT, flag, positionals, stringOption, UsageError, type Command, type CommandContext, type ParsedArgs } from "@/cli/command";
import { answer, ApiFailure, chosenUrl, clientFor, loadCredentials, normalizeUrl, Unreachable } from "@/cli/connection";
import { writeCredentials, type StoredLogin } from "@/cli/credentials";
import { ask, canPrompt, readStdin } from "@/cli/input";
import { listOrganizations, setActiveOrganization, signIn, signOut, type OrganizationSummary } from "@/cli/session";

const DEFAULT_URL = "http://localhost:3000";

async function loginUrl(ctx: CommandContext, current: string | undefined): Promise<string> {
  const given = ctx.globals.url ?? ctx.env.WEFT_URL;
  if (given) return normalizeUrl(given, ctx.globals.url !== undefined ? "--url" : "WEFT_URL");
  if (canPrompt(ctx)) {
    const fallback = current ?? DEFAULT_URL;
    const typed = (await ask(ctx, `Weft URL (${fallback}): `)).trim();
    return normalizeUrl(typed || fallback, "the URL");
  }
  if (current) return current;
  throw new UsageError("--url is needed (stdin is not a terminal to ask on)");
}

async function loginEmail(ctx: CommandContext, args: ParsedArgs): Promise<string> {
  const email = stringOption(args, "email") ?? (canPrompt(ctx) ? (await ask(ctx, "Email: ")).trim() : undefined);
  if (!email) throw new UsageError(canPrompt(ctx) ? "an email is needed" : "--email is needed (stdin is not a terminal to ask on)");
  return email;
}

async function loginPassword(ctx: CommandContext, args: ParsedArgs): Promise<string> {
  const given = stringOption(args, "password");
  if (given !== undefined && flag(args, "password-stdin")) throw new UsageError("give --password or --password-stdin, not both");
  if (given !== undefined) return given;
  if (flag(args, "password-stdin")) return (await readStdin(ctx.stdin)).replace(/\r?\n$/, "");
  if (canPrompt(ctx)) return ask(ctx, "Password: ", { hidden: true });
  throw new UsageError("--password-stdin or --password is needed (stdin is not a terminal to ask on)");
}

/**
 * Switches the new session to `--org` (an id or slug), if given. Answers the user's organizations,
 * so login can say when there are others to choose from.
 */
async function chooseOrganization(url: string, token: string, wanted: string | undefined): Promise<OrganizationSummary[]> {
  const organizations = await listOrganizations(url, token);
  if (wanted === undefined) return organizations;
  const chosen = organizations.find((org) => org.id === wanted || org.slug === wanted);
  if (!chosen) {
    throw new CliError(`you are not a member of an organization "${wanted}"`, EXIT.failure, [
      `Yours: ${organizations.map((org) => `${org.slug} (${org.name})`).join(", ") || "none"}.`,
    ]);
  }
  await setActiveOrganization(url, token, chosen);
  return organizations;
}

const login: Command = {
  path: ["login"],
  section: "Account",
  summary: "Sign in and store an organization API key for a server",
  description: [
    "Asks for what the options do not give (the password without echo). Signs in, creates an API",
    "key for your organization (the oldest you belong to, or --org; owners and admins only) and",
    "stores it, with the session, in a credentials file only you can read. Logging in again to the",
    "same server replaces the stored key and revokes the old one. The password is not stored.",
  ].join("\n"),
  options: {
    email: { type: "string", value: "email", description: "Your account's email" },
    password: { type: "string", value: "password", description: "Your password (visible to other processes: prefer the prompt or --password-stdin)" },
    "password-stdin": { type: "boolean", description: "Read the password from stdin" },
    org: { type: "string", value: "slug|id", description: "The organization the key belongs to (default: the one sign-in opens, your oldest)" },
    "key-name": { type: "string", value: "name", description: 'The new key\'s name (default "weft CLI on <host>")' },
  },
  async run(ctx, args) {
    positionals(args, []);
    const { path, file } = loadCredentials(ctx);
    const url = await loginUrl(ctx, file.current);
    const email = await loginEmail(ctx, args);
    const password = await loginPassword(ctx, args);
    const keyName = (stringOption(args, "key-name") ?? `weft CLI on ${hostname()}`).slice(0, 32);

    const sessionToken = await signIn(url, email, password);
    const asUser = clientFor(url, sessionToken);
    let stored: StoredLogin;
    let organizations: OrganizationSummary[];
    try {
      organizations = await chooseOrganization(url, sessionToken, stringOption(args, "org"));
      const me = await answer(await asUser.api.me.$get());
      const created = await answer(await asUser.api.keys.$post({ json: { name: keyName } }));
      stored = {
        apiKey: created.key,
        key: { id: created.id, name: created.name, start: created.start },
        sessionToken,
        user: me.user,
        organization: me.organization,
        role: me.role,
        savedAt: new Date().toISOString(),
      };
    } catch (error) {
      await signOut(url, sessionToken).catch(() => false);
      if (error instanceof ApiFailure && error.status === 403) {
        throw new CliError(`${error.message}`, EXIT.failure, ["Only owners and admins create API keys: ask one for a key and set WEFT_API_KEY."]);
      }
      throw error;
    }
    const previous = file.servers[url];
    file.servers[url] = stored;
    file.current = url;
    writeCredentials(path, file);
    if (previous) await retire(ctx, url, previous);

    if (ctx.globals.json) {
      ctx.out.json({ url, user: stored.user, organization: stored.organization, role: stored.role, key: stored.key, credentialsFile: path });
    } else {
      ctx.out.line(`Logged in to ${url} as ${stored.user?.email ?? email} (${stored.organization.name}, ${stored.role}).`);
      ctx.out.line(`API key "${stored.key.name}" (${stored.key.start ?? stored.key.id}…) saved in ${path}.`);
      const others = organizations.filter((org) => org.id !== stored.organization.id);
      if (others.length > 0) ctx.out.note(`You also belong to ${others.map((org) => org.slug).join(", ")}: \`weft login --org <slug>\` makes a key for another.`, "dim");
    }
    return EXIT.ok;
  },
};

/** Revokes a replaced login's key and ends its session; a failure is only a warning. */
async function retire(ctx: CommandContext, url: string, previous: StoredLogin): Promise<void> {
  try {
    await answer(await clientFor(url, previous.sessionToken).api.keys[":id"].$delete({ param: { id: previous.key.id } }));
  } catch (error) {
    if (!(error instanceof ApiFailure && error.status === 404)) {
      ctx.out.note(`warning: the previous key "${previous.key.name}" (${previous.key.id}) could not be revoked: ${(error as Error).message}`, "yellow");
    }
  }
  await signOut(url, previous.sessionToken).catch(() => false);
}

const logout: Command = {
  path: ["logout"],
  section: "Account",
  summary: "Revoke this CLI's API key on the server and forget it",
  description: "Revokes the stored key (so it stops working everywhere), ends the stored session, then removes both from the credentials file.",
  async run(ctx, args) {
    positionals(args, []);
    const { path, file } = loadCredentials(ctx);
    const url = chosenUrl(ctx, file);
    const stored = url !== undefined ? file.servers[url] : undefined;
    if (url === undefined || !stored) throw new CliError(url ? `not logged in to ${url}` : "not logged in", EXIT.failure);
    let revoked = true;
    try {
      await answer(await clientFor(url, stored.sessionToken).api.keys[":id"].$delete({ param: { id: stored.key.id } }));
    } catch (error) {
      if (error instanceof Unreachable) throw new CliError(error.message, EXIT.failure, ["Nothing was removed: run `weft logout` again when the server answers."]);
      if (!(error instanceof ApiFailure) || ![401, 404].includes(error.status)) throw error;
      // 404: already revoked (in the web app, say). 401: the session ended, so the key cannot be revoked from here.
      revoked = error.status === 404;
    }
    await signOut(url, stored.sessionToken).catch(() => false);
    delete file.servers[url];
    if (file.current === url) file.current = Object.keys(file.servers)[0];
    writeCredentials(path, file);
    if (ctx.globals.json) ctx.out.json({ url, keyId: stored.key.id, revoked });
    else ctx.out.line(`Logged out of ${url}${revoked ? `; API key "${stored.key.name}" revoked.` : "."}`);
    if (revoked) return EXIT.ok;
    ctx.out.error(`the API key "${stored.key.name}" (${stored.key.id}) could not be revoked: the stored session has ended`, [
      "It still works until an owner or admin revokes it (Settings → API keys, or `weft login` then `weft keys revoke`).",
    ]);
    return EXIT.failure;
  },
};

export const loginCommands = [login, logout];
