// Foundation flow: the administrator signs in with the one-time password printed at first
// start, creates a salesperson, logs out; the salesperson signs in and sees the shell.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { join } from "node:path";
import { changePassword, launchBrowser, login, shotsDir, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("administrator creates a salesperson who then signs in", async () => {
  assert.ok(server.initialPassword, `first start prints a one-time password:\n${server.stdout()}`);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

  // The login page is Chinese by default.
  await page.goto(server.url);
  assert.match(new URL(page.url()).pathname, /^\/login/);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  await page.screenshot({ path: join(shotsDir, "login.png") });

  // The one-time password must be replaced at first login.
  await login(page, server.url, "admin", server.initialPassword);
  assert.equal(new URL(page.url()).pathname, "/me/password");
  await changePassword(page, server.initialPassword, "Sanbao-Root-2026");
  assert.equal(new URL(page.url()).pathname, "/");
  for (const item of ["工作台", "服务单", "客户", "产品", "销售", "报表", "设置"]) {
    assert.ok(await page.locator("nav.main").getByText(item, { exact: true }).isVisible(), item);
  }
  assert.ok(await page.locator(".who").getByText("系统管理员").first().isVisible());

  // Settings → users → new user.
  await page.click("nav.main >> text=设置");
  await page.click("text=用户");
  await page.click("text=新建用户");
  await page.fill("input[name=username]", "sunli");
  await page.fill("input[name=display_name]", "孙丽");
  await page.fill("input[name=password]", "Sales-Start-2026");
  await page.check("input[name=roles][value=salesperson]");
  await page.screenshot({ path: join(shotsDir, "user-form.png"), fullPage: true });
  await Promise.all([page.waitForURL(/\/settings\/users\?notice=created/), page.click("main button:has-text('保存')")]);
  const row = page.locator("table.dense tbody tr", { hasText: "sunli" });
  assert.ok(await row.isVisible());
  assert.match(await row.innerText(), /孙丽[\s\S]*销售员/);
  await page.screenshot({ path: join(shotsDir, "users.png"), fullPage: true });

  // Log out.
  await Promise.all([page.waitForURL(/\/login/), page.click("[data-testid=logout]")]);

  // The salesperson signs in, must choose their own password, then sees the shell.
  await login(page, server.url, "sunli", "Sales-Start-2026");
  assert.equal(new URL(page.url()).pathname, "/me/password");
  await changePassword(page, "Sales-Start-2026", "Own-Secret-Pass-9");
  assert.equal(new URL(page.url()).pathname, "/");
  assert.ok(await page.locator(".who").getByText("孙丽").isVisible());
  assert.ok(await page.locator(".who").getByText("销售员").isVisible());
  // No settings for a salesperson.
  assert.equal(await page.locator("nav.main").getByText("设置", { exact: true }).count(), 0);
  await page.screenshot({ path: join(shotsDir, "salesperson-home.png"), fullPage: true });

  // A phone-sized view of the same shell (technicians use Sanbao on phones).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotsDir, "salesperson-home-phone.png"), fullPage: true });
  await page.close();
});

test("pages switch to English per user", async () => {
  const page = await browser.newPage();
  await login(page, server.url, "admin", "Sanbao-Root-2026");
  await page.goto(new URL("/me", server.url).href);
  await page.selectOption("select[name=lang]", "en");
  await Promise.all([page.waitForURL(/\/me\?saved=1/), page.click("main button:has-text('保存')")]);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.ok(await page.locator("nav.main").getByText("Settings", { exact: true }).isVisible());
  await page.goto(new URL("/settings/roles", server.url).href);
  await page.screenshot({ path: join(shotsDir, "roles-en.png"), fullPage: true });
  await page.close();
});
