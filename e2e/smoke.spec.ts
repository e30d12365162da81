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
