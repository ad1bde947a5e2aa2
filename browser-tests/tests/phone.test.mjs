// Every page at a phone's width (390 px): nothing wider than the screen, so nobody scrolls a
// whole page sideways; wide tables scroll inside themselves or become cards. One screenshot
// per page, looked at when a layout changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

const PAGES = [
  "/",
  "/cases",
  "/cases?queue=breached",
  "/cases/new",
  "/customers",
  "/customers/1",
  "/customers/new",
  "/customers/1/edit",
  "/customers/1/merge?q=华康",
  "/products",
  "/products/units",
  "/products/import",
  "/me",
  "/me/password",
  "/settings",
  "/settings/users",
  "/settings/users/new",
  "/settings/users/1",
  "/settings/roles",
  "/settings/roles/agent",
  "/settings/desks",
  "/settings/desks/new",
  "/settings/desks/1",
  "/settings/tokens",
  "/settings/audit",
  "/settings/calendar",
  "/settings/hours",
  "/settings/hours/1",
  "/settings/policies",
  "/settings/policies/seed",
  "/settings/policies/seed/diff?from=0&to=0",
  "/settings/jobs",
  "/policy",
  "/api/docs",
];

test("every page fits a phone's width", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  // A case page too: the first of the list.
  await page.goto(new URL("/cases?queue=all", demo.server.url).href);
  const number = (await page.locator("table.cases tbody tr a").first().innerText()).trim();
  const wide = [];
  for (const path of [...PAGES, `/cases/${number}`]) {
    const res = await page.goto(new URL(path, demo.server.url).href);
    assert.equal(res.status(), 200, path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const name = path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "home";
    await page.screenshot({ path: join(shotsDir, `phone-${name}.png`), fullPage: true });
    if (width > 390) wide.push(`${path}: ${width}px`);
  }
  assert.deepEqual(wide, [], "pages wider than the phone");
  await page.close();
});
