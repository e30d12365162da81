import { once } from "node:events";
import { connect } from "node:net";
import { expect, test } from "@playwright/test";

test("the app started by `npm start` serves /health and /api/health", async ({ request }) => {
  for (const path of ["/health", "/api/health"]) {
    const res = await request.get(path);
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", version: expect.any(String) });
  }
});

test("the landing page renders with its styles", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Weft" })).toBeVisible();
  await expect(page.getByText("POST /api/workflows/:id/operations")).toBeVisible();
  // Tailwind is applied: the body background is stone-50, not the browser default white.
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).not.toBe("rgba(0, 0, 0, 0)");
  expect(background).not.toBe("rgb(255, 255, 255)");
});

test("a product page without a session redirects to sign-in", async ({ request }) => {
  const res = await request.get("/workflows", { maxRedirects: 0 });
  expect(res.status()).toBe(307);
  expect(res.headers().location).toContain("/sign-in?next=%2Fworkflows");
});

test("API answers go out uncompressed (no-transform); pages are still gzipped", async ({ request }) => {
  const gzip = { "accept-encoding": "gzip" };
  for (const path of ["/health", "/api/connectors/greet", "/api/webhooks/whk_doesnotexist0000000000"]) {
    const res = await request.fetch(path, { method: path.includes("webhooks") ? "POST" : "GET", headers: gzip });
    expect(res.headers()["content-encoding"], path).toBeUndefined();
    expect(res.headers()["cache-control"], path).toBe("no-transform");
    expect(res.headers()["content-type"], path).toContain("application/json");
  }
  const page = await request.get("/sign-in", { headers: gzip });
  expect(page.status()).toBe(200);
  expect(page.headers()["content-encoding"]).toBe("gzip");
});

test("pages carry security headers, and the session cookie is HttpOnly and SameSite=Lax", async ({ request }) => {
  for (const path of ["/", "/sign-in", "/workflows"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const headers = res.headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
  }
  const email = `cookie-${Date.now()}@example.com`;
  const signedUp = await request.post("/api/auth/sign-up/email", { data: { email, password: "correct-horse-battery", name: "Cookie" } });
  expect(signedUp.ok()).toBe(true);
  const session = signedUp
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .map((h) => h.value)
    .find((value) => /better-auth\.session_token=/.test(value));
  expect(session).toBeDefined();
  expect(session).toMatch(/;\s*HttpOnly/i);
  expect(session).toMatch(/;\s*SameSite=Lax/i);
});

test("HTTP the server cannot parse gets the API's JSON error shape from the running app", async ({ baseURL }) => {
  const { hostname, port } = new URL(baseURL!);
  /** Writes one raw request and reads until the app closes the connection. */
  async function exchange(raw: string): Promise<string> {
    const socket = connect(Number(port), hostname);
    await once(socket, "connect");
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
    socket.write(raw);
    await once(socket, "close");
    return text;
  }
  const tooLong = await exchange(`GET /api/runs?q=${"x".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  expect(tooLong).toMatch(/^HTTP\/1\.1 431 /);
  expect(JSON.parse(tooLong.slice(tooLong.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: "headers_too_large" });
  const badLength = await exchange("POST /api/workflows HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n{}");
  expect(badLength).toMatch(/^HTTP\/1\.1 400 /);
  expect(JSON.parse(badLength.slice(badLength.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: "invalid_content_length" });
});
