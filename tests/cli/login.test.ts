/**
 * `weft login`, `whoami`, `token`, `env`, `keys` and `logout` (docs/cli.md), run as the built binary
 * against a control plane served over real HTTP: the key login mints works and sits in a 0600
 * file, the exports work without that file, keys are managed with the stored session (a key
 * alone is told to log in), and logout revokes the key on the server before forgetting it.
 */
import { chmodSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";
import { serveApi, type ServedApi } from "../helpers/serve";
import { runCli, startCli, tempHome } from "./support";

const PASSWORD = "correct horse battery staple";

let app: TestApp;
let server: ServedApi;
let owner: TestUser;
const home = tempHome();

beforeAll(async () => {
  app = await createTestApp();
  server = await serveApi(app);
  owner = await signUp(app, { password: PASSWORD });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  home.remove();
});

/** GET /api/me over HTTP with `key` as the bearer credential. */
async function meWith(key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function storedLogin(): { apiKey: string; key: { id: string; name: string }; sessionToken: string } {
  const file = JSON.parse(readFileSync(home.credentials, "utf8"));
  return file.servers[server.url];
}

const login = (extra: string[] = [], input = `${PASSWORD}\n`) =>
  runCli(["login", "--url", server.url, "--email", owner.email, "--password-stdin", ...extra], { home: home.home, input });

describe("weft login … logout", () => {
  it("a wrong password exits 1 with the server's code and stores nothing", async () => {
    const result = await login([], "not the password\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("INVALID_EMAIL_OR_PASSWORD");
    expect(() => statSync(home.credentials)).toThrow();
  });

  it("login mints an organization API key that works, stored in a file only its owner can read (0600, folder 0700)", async () => {
    const result = await login();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${server.url} as ${owner.email}`);
    expect(statSync(home.credentials).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(home.credentials)).mode & 0o777).toBe(0o700);
    const text = readFileSync(home.credentials, "utf8");
    expect(text).not.toContain(PASSWORD);
    const stored = storedLogin();
    expect(stored.apiKey).toMatch(/^weft_/);
    const me = await meWith(stored.apiKey);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ authMode: "api_key", organization: { id: owner.organizationId } });
    // better-auth refuses a sign-in without an Origin outside tests (403 MISSING_OR_NULL_ORIGIN);
    // the test server does not check it, so the header is checked here.
    const signIn = server.requests.find((r) => r.method === "POST" && r.path === "/api/auth/sign-in/email");
    expect(signIn?.headers.origin).toBe(new URL(server.url).origin);
  });

  it("whoami names the server, organization and key; --json is parseable", async () => {
    const human = await runCli(["whoami"], { home: home.home });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(server.url);
    expect(human.stdout).toContain(owner.organizationId);
    expect(human.stdout).toContain(owner.email);
    expect(human.stderr).toBe("");
    const json = await runCli(["whoami", "--json"], { home: home.home });
    expect(JSON.parse(json.stdout)).toMatchObject({ url: server.url, organization: { id: owner.organizationId }, authMode: "api_key", key: { id: storedLogin().key.id } });
  });

  it("a credentials file others can read gets a warning with the chmod that fixes it", async () => {
    chmodSync(home.credentials, 0o644);
    try {
      const result = await runCli(["whoami"], { home: home.home });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`warning: ${home.credentials} can be read by other users; run \`chmod 600 ${home.credentials}\``);
    } finally {
      chmodSync(home.credentials, 0o600);
    }
  });

  it("token prints the key, and env's exports work without the credentials file", async () => {
    const token = await runCli(["token"], { home: home.home });
    expect(token.stdout.trim()).toBe(storedLogin().apiKey);
    const env = await runCli(["env"], { home: home.home });
    const exported = Object.fromEntries([...env.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(exported).toEqual({ WEFT_URL: server.url, WEFT_API_KEY: storedLogin().apiKey });
    const elsewhere = tempHome();
    try {
      const whoami = await runCli(["whoami", "--json"], { home: elsewhere.home, env: exported });
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(JSON.parse(whoami.stdout)).toMatchObject({ organization: { id: owner.organizationId }, source: "WEFT_API_KEY" });
    } finally {
      elsewhere.remove();
    }
  });

  it("keys create, list and revoke act with the stored session; the created key works until revoked", async () => {
    const created = await runCli(["keys", "create", "--name", "ci", "--json"], { home: home.home });
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    expect((await meWith(key.key)).status).toBe(200);
    const listed = await runCli(["keys", "list"], { home: home.home });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${key.id}\\s+ci`));
    expect(listed.stdout).toContain("(this CLI)");
    expect(listed.stdout).not.toContain(key.key);
    const revoked = await runCli(["keys", "revoke", key.id], { home: home.home });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await meWith(key.key)).status).toBe(401);
    const again = await runCli(["keys", "revoke", key.id], { home: home.home });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("(not_found, HTTP 404)");
  });

  it("keys commands with only WEFT_API_KEY say to log in instead (exit 1)", async () => {
    const elsewhere = tempHome();
    try {
      const result = await runCli(["keys", "list"], { home: elsewhere.home, env: { WEFT_URL: server.url, WEFT_API_KEY: storedLogin().apiKey } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("an API key cannot manage keys");
      expect(result.stderr).toContain(`weft login --url ${server.url}`);
    } finally {
      elsewhere.remove();
    }
  });

  it("logging in again replaces the stored key and revokes the old one", async () => {
    const before = storedLogin();
    const result = await login();
    expect(result.code, result.stderr).toBe(0);
    const after = storedLogin();
    expect(after.key.id).not.toBe(before.key.id);
    expect((await meWith(before.apiKey)).status).toBe(401);
    expect((await meWith(after.apiKey)).status).toBe(200);
  });

  it("logout revokes the key on the server (401 afterwards), ends the session and forgets both", async () => {
    const stored = storedLogin();
    const result = await runCli(["logout"], { home: home.home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("revoked");
    expect((await meWith(stored.apiKey)).status).toBe(401);
    expect((await meWith(stored.sessionToken)).status).toBe(401);
    expect(() => statSync(home.credentials)).toThrow();
    const whoami = await runCli(["whoami"], { home: home.home, env: { WEFT_API_KEY: stored.apiKey, WEFT_URL: server.url } });
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain("(unauthorized, HTTP 401)");
  });

  it("when the stored session has ended, keys says so and logout forgets the login but exits 1: the key still works", async () => {
    const elsewhere = tempHome();
    try {
      expect((await runCli(["login", "--url", server.url, "--email", owner.email, "--password-stdin"], { home: elsewhere.home, input: PASSWORD })).code).toBe(0);
      const stored = JSON.parse(readFileSync(elsewhere.credentials, "utf8")).servers[server.url];
      const signedOut = await fetch(`${server.url}/api/auth/sign-out`, { method: "POST", headers: { authorization: `Bearer ${stored.sessionToken}`, "content-type": "application/json" }, body: "{}" });
      expect(signedOut.status).toBe(200);
      const keys = await runCli(["keys", "list"], { home: elsewhere.home });
      expect(keys.code).toBe(1);
      expect(keys.stderr).toContain("(unauthorized, HTTP 401)");
      expect(keys.stderr).toContain("Run `weft login` again");
      const logout = await runCli(["logout"], { home: elsewhere.home });
      expect(logout.code).toBe(1);
      expect(logout.stderr).toContain("could not be revoked: the stored session has ended");
      expect(() => statSync(elsewhere.credentials)).toThrow();
      expect((await meWith(stored.apiKey)).status).toBe(200);
    } finally {
      elsewhere.remove();
    }
  });

  it("login --org picks the organization; as a member there, login exits 1 saying to ask an owner or admin, and stores nothing", async () => {
    const member = await joinOrganization(app, owner, "member");
    const elsewhere = tempHome();
    // joinOrganization signs the member up with the helper's default password, PASSWORD.
    const memberLogin = (extra: string[]) =>
      runCli(["login", "--url", server.url, "--email", member.email, "--password-stdin", ...extra], { home: elsewhere.home, input: PASSWORD });
    try {
      const refused = await memberLogin(["--org", owner.organizationId]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("(forbidden, HTTP 403)");
      expect(refused.stderr).toContain("Only owners and admins create API keys");
      expect(() => statSync(elsewhere.credentials)).toThrow();

      const unknown = await memberLogin(["--org", "no-such-org"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('you are not a member of an organization "no-such-org"');

      // Without --org: their own (oldest) organization, where they are the owner; the other is named.
      const own = await memberLogin([]);
      expect(own.code, own.stderr).toBe(0);
      expect(own.stderr).toContain("You also belong to");
      const file = JSON.parse(readFileSync(elsewhere.credentials, "utf8"));
      expect(file.servers[server.url].organization.id).not.toBe(owner.organizationId);
      expect(file.servers[server.url].role).toBe("owner");
    } finally {
      elsewhere.remove();
    }
  });

  it("at a terminal, login asks for the email and reads the password without echoing it", async () => {
    const elsewhere = tempHome();
    try {
      // util-linux `script` gives the CLI a real pseudo-terminal; what it prints is what a person sees.
      const cli = startCli(["-qec", `node dist/cli/weft.js login --url ${server.url}`, "/dev/null"], { home: elsewhere.home }, ["script"]);
      await cli.waitFor(/Email: $/);
      cli.child.stdin.write(`${owner.email}\r`);
      await cli.waitFor(/Password: $/);
      cli.child.stdin.write(`${PASSWORD}\r`);
      const result = await cli.exited;
      cli.child.stdin.end();
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain(owner.email);
      expect(result.stdout).toContain("Logged in to");
      expect(result.stdout).not.toContain(PASSWORD);
      expect(statSync(elsewhere.credentials).mode & 0o777).toBe(0o600);
    } finally {
      elsewhere.remove();
    }
  });
});
