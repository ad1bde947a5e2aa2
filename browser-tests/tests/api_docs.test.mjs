// The API reference: an administrator follows the link on the token page and reads the
// operations, at desktop and phone width.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

test("the token page leads to the API reference", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  await page.goto(new URL("/settings/tokens", demo.server.url).href);
  await Promise.all([page.waitForURL(/\/api\/docs$/), page.click("[data-testid=api-docs-link]")]);
  assert.match(await page.locator("h1").innerText(), /API 参考/);
  const ops = page.locator("[data-testid=api-op]");
  assert.ok((await ops.count()) >= 10);
  const create = page.locator("#create_case");
  assert.match(await create.innerText(), /POST\s+\/api\/v1\/cases/);
  assert.match(await create.innerText(), /NewCase/);
  // The table of contents jumps to an operation; the body's shape links to its fields.
  await page.click("a[href='#create_case']");
  await page.click("#create_case a[href='#shape-NewCase']");
  assert.ok(await page.locator("#shape-NewCase table").isVisible());
  await page.screenshot({ path: join(shotsDir, "api-docs.png"), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(new URL("/api/docs", demo.server.url).href);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the page is ${wide}px wide at 390px`);
  await page.screenshot({ path: join(shotsDir, "api-docs-phone.png"), fullPage: false });
  await page.close();
});
