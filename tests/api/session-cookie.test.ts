/**
 * The session cookie (README "Limits", lib/auth.ts): HttpOnly and SameSite=Lax always; Secure, with
 * the `__Secure-` prefix, when the app's base URL is https. Sign-up and sign-in over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestApp, type TestApp } from "../helpers/api";
import { serveApi } from "../helpers/serve";

const PASSWORD = "correct horse battery staple";

interface SetCookie {
  name: string;
  /** Attribute names in lower case, with their values (`samesite` → `lax`; flags → ""). */
  attributes: Map<string, string>;
}

function parseSetCookie(line: string): SetCookie {
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());
  return {
    name: pair.slice(0, pair.indexOf("=")),
    attributes: new Map(attributes.map((attribute) => {
      const [name, ...value] = attribute.split("=");
      return [name.toLowerCase(), value.join("=").toLowerCase()];
    })),
  };
}

describe.each([
  { baseUrl: "http://localhost:3000", secure: false, sessionCookie: "better-auth.session_token" },
  { baseUrl: "https://weft.example.com", secure: true, sessionCookie: "__Secure-better-auth.session_token" },
])("with base URL $baseUrl", ({ baseUrl, secure, sessionCookie }) => {
  let app: TestApp;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    app = await createTestApp({ baseUrl });
    server = await serveApi(app);
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  /** The cookies an auth call sets, checked to be a session that works on /api/me. */
  async function cookiesOf(path: string, body: Record<string, string>): Promise<SetCookie[]> {
    const response = await fetch(`${server.url}/api/auth/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const lines = response.headers.getSetCookie();
    const session = lines.find((line) => line.startsWith(`${sessionCookie}=`));
    expect(session, lines.join("\n")).toBeDefined();
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: session!.split(";")[0] } });
    expect(me.status).toBe(200);
    return lines.map(parseSetCookie);
  }

  test(`sign-up and sign-in set ${sessionCookie}: HttpOnly, SameSite=Lax, Path=/${secure ? ", Secure" : ", not Secure"}`, async () => {
    const email = `cookie-${secure ? "https" : "http"}@example.com`;
    const signUp = await cookiesOf("sign-up/email", { email, password: PASSWORD, name: "Cookie" });
    const signIn = await cookiesOf("sign-in/email", { email, password: PASSWORD });
    for (const cookie of [...signUp, ...signIn]) {
      expect(cookie.name.startsWith("__Secure-"), cookie.name).toBe(secure);
      expect(cookie.attributes.has("httponly"), cookie.name).toBe(true);
      expect(cookie.attributes.get("samesite"), cookie.name).toBe("lax");
      expect(cookie.attributes.has("secure"), cookie.name).toBe(secure);
    }
    const session = signIn.find((cookie) => cookie.name === sessionCookie)!;
    expect(session.attributes.get("path")).toBe("/");
  });
});
