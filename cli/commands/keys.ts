/**
 * `weft keys create|list|revoke` (docs/cli.md, "API keys"): the organization's API keys. The server
 * lets only owner and admin sessions manage keys, so these commands use the session `weft login`
 * stored, never the key (connectAsUser explains when there is none).
 */
import { EXIT, integerOption, positionals, stringOption, UsageError, type Command } from "@/cli/command";
import { answer, connectAsUser } from "@/cli/connection";
import { when } from "@/cli/format";

const create: Command = {
  path: ["keys", "create"],
  section: "Account",
  summary: "Create an organization API key (shown once)",
  options: {
    name: { type: "string", value: "name", description: "The key's name (1–32 characters)" },
    "expires-in-days": { type: "string", value: "days", description: "Days until it stops working, 1–365 (default: never)" },
  },
  async run(ctx, args) {
    positionals(args, []);
    const name = stringOption(args, "name");
    if (!name) throw new UsageError("--name is needed");
    const expiresInDays = integerOption(args, "expires-in-days", 1, 365);
    const { client } = connectAsUser(ctx, "creating API keys");
    const created = await answer(await client.api.keys.$post({ json: { name, ...(expiresInDays ? { expiresInDays } : {}) } }));
    if (ctx.globals.json) {
      ctx.out.json(created);
      return EXIT.ok;
    }
    ctx.out.line(created.key);
    ctx.out.note(`API key "${created.name}" (${created.id}) created${created.expiresAt ? `, expires ${when(created.expiresAt)}` : ""}. It is shown this once: store it now.`);
    return EXIT.ok;
  },
};

const list: Command = {
  path: ["keys", "list"],
  section: "Account",
  summary: "List the organization's API keys (no key material)",
  options: {
    limit: { type: "string", value: "n", description: "Keys per page, 1–100 (default 50)" },
    cursor: { type: "string", value: "cursor", description: "The page after this cursor (printed under a full page)" },
  },
  async run(ctx, args) {
    positionals(args, []);
    const limit = integerOption(args, "limit", 1, 100);
    const { client, login } = connectAsUser(ctx, "listing API keys");
    const page = await answer(await client.api.keys.$get({ query: { limit: limit?.toString(), cursor: stringOption(args, "cursor") } }));
    if (ctx.globals.json) {
      ctx.out.json(page);
      return EXIT.ok;
    }
    ctx.out.table(
      ["ID", "NAME", "STARTS", "CREATED", "LAST USED", "EXPIRES", "BY"],
      page.data.map((key) => [
        key.id,
        `${key.name ?? ""}${key.id === login?.key.id ? ctx.out.paint("dim", " (this CLI)") : ""}`,
        key.start ?? "",
        when(key.createdAt),
        key.lastUsedAt ? when(key.lastUsedAt) : "never",
        key.expiresAt ? when(key.expiresAt) : "never",
        key.createdBy?.name ?? "",
      ]),
    );
    if (page.nextCursor) ctx.out.note(`More: weft keys list --cursor ${page.nextCursor}`, "dim");
    return EXIT.ok;
  },
};

const revoke: Command = {
  path: ["keys", "revoke"],
  section: "Account",
  summary: "Revoke an API key: it stops working at once",
  args: "<keyId>",
  async run(ctx, args) {
    const [id] = positionals(args, ["keyId"]);
    const { client, login } = connectAsUser(ctx, "revoking API keys");
    await answer(await client.api.keys[":id"].$delete({ param: { id } }));
    if (ctx.globals.json) ctx.out.json({ id, revoked: true });
    else ctx.out.line(`API key ${id} revoked.`);
    if (id === login?.key.id) ctx.out.note("That was this CLI's own key: run `weft login` to get a new one.", "yellow");
    return EXIT.ok;
  },
};

export const keyCommands = [create, list, revoke];
