import { expect, test } from "@playwright/test";

test("a person signs up in the browser, lands where they were going, and their cookie session works on the API", async ({ page }) => {
  await page.goto("/workflows");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fworkflows/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { name: "Create your Weft account" })).toBeVisible();
  const email = `grace-${Date.now()}@example.com`;
  await page.getByLabel("Name").fill("Grace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct-horse-battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/workflows$/);

  // The browser's cookie session reaches the control plane, with the personal organization active.
  const me = await page.evaluate(async () => (await fetch("/api/me")).json());
  expect(me).toMatchObject({ user: { email }, role: "owner", authMode: "session", organization: { name: "Grace's organization" } });

  // A cookie mutation from the app's own page carries the right Origin and passes the CSRF check.
  const created = await page.evaluate(async () => {
    const res = await fetch("/api/workflows", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "From the browser" }) });
    return { status: res.status, body: await res.json() };
  });
  expect(created.status).toBe(201);
  expect(created.body.name).toBe("From the browser");
});

test("a wrong password shows an error and stays on the sign-in page", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("wrong-password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("after sign-in, ?next= is followed only when it resolves to this site (tabs, newlines, // and /\\ cannot leave it)", async ({ page, request }) => {
  const email = `nomad-${Date.now()}@example.com`;
  const signedUp = await request.post("/api/auth/sign-up/email", { data: { email, password: "correct-horse-battery", name: "Nomad" } });
  expect(signedUp.ok()).toBe(true);
  for (const next of ["/%09/evil.example/x", "/%0A/evil.example/x", "//evil.example/x", "/%5Cevil.example/x", "https://evil.example/x"]) {
    await page.context().clearCookies();
    await page.goto(`/sign-in?next=${next}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("correct-horse-battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/workflows$/);
    expect(new URL(page.url()).hostname, `next=${next}`).not.toContain("evil");
  }
  // A same-site next is still followed.
  await page.context().clearCookies();
  await page.goto(`/sign-in?next=${encodeURIComponent("/runs?status=failed")}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct-horse-battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/runs\?status=failed$/);
});
