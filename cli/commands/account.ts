/**
 * `weft whoami`, `weft token` and `weft env` (docs/cli.md): who the key in use acts as, the key
 * itself, and shell exports that let scripts and CI run without the credentials file.
 */
import { EXIT, positionals, type Command } from "@/cli/command";
import { answer, chosenKey, connect } from "@/cli/connection";

const whoami: Command = {
  path: ["whoami"],
  section: "Account",
  summary: "Show the server, organization and key in use",
  async run(ctx, args) {
    positionals(args, []);
    const connection = connect(ctx);
    const me = await answer(await connection.client.api.me.$get());
    const stored = connection.source === "credentials file" ? connection.login : undefined;
    const user = me.user ?? stored?.user ?? null;
    if (ctx.globals.json) {
      ctx.out.json({ url: connection.url, organization: me.organization, role: me.role, authMode: me.authMode, user, key: stored?.key ?? null, source: connection.source });
      return EXIT.ok;
    }
    const pairs: [string, string][] = [
      ["Server", connection.url],
      ["Organization", `${me.organization.name} (${me.organization.id})`],
    ];
    if (user) pairs.push(["Logged in as", `${user.email}${stored ? ` (${stored.role})` : ""}`]);
    pairs.push(["Key", stored ? `"${stored.key.name}" (${stored.key.start ?? stored.key.id}…, acts as a ${me.role})` : `from ${connection.source} (acts as a ${me.role})`]);
    ctx.out.fields(pairs);
    return EXIT.ok;
  },
};

const token: Command = {
  path: ["token"],
  section: "Account",
  summary: "Print the API key in use",
  description: "For `curl -H \"Authorization: Bearer $(weft token)\"`. The key is a secret: do not paste it where others can read it.",
  async run(ctx, args) {
    positionals(args, []);
    const { url, key } = chosenKey(ctx);
    if (ctx.globals.json) ctx.out.json({ url, apiKey: key });
    else ctx.out.line(key);
    return EXIT.ok;
  },
};

/** `value` single-quoted for POSIX shells. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const env: Command = {
  path: ["env"],
  section: "Account",
  summary: "Print shell exports of WEFT_URL and WEFT_API_KEY",
  description: 'Run `eval "$(weft env)"` to use them in this shell, or copy them into a CI secret store.',
  async run(ctx, args) {
    positionals(args, []);
    const { url, key } = chosenKey(ctx);
    if (ctx.globals.json) ctx.out.json({ WEFT_URL: url, WEFT_API_KEY: key });
    else ctx.out.line(`export WEFT_URL=${shellQuote(url)}\nexport WEFT_API_KEY=${shellQuote(key)}`);
    return EXIT.ok;
  },
};

export const accountCommands = [whoami, token, env];
