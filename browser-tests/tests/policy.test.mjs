// Policy editing in the form view: an administrator shortens the first response from 24 to 12
// hours, is told which field is wrong when the promise still says 24, fixes it, and the public
// /policy page promises 12 小时.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

test("the first response is shortened in the form view and the public page follows", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  await page.goto(new URL("/settings/policies/seed", demo.server.url).href);
  const form = page.locator("#policy-form");
  // Clock names, not codes; the TOML view is folded away.
  const text = await form.innerText();
  assert.match(text, /首次响应/);
  assert.doesNotMatch(text, /first_response|complaint_received|working_days/);
  assert.equal(await page.locator("#policy-toml textarea").isVisible(), false);
  await page.screenshot({ path: join(shotsDir, "policy-form.png"), fullPage: true });

  const row = form.locator("[data-testid=clock-row]").nth(3);
  assert.equal(await row.locator("select[name$='.clock']").inputValue(), "first_response");
  await row.locator("input[name$='.n']").fill("12");
  await row.locator("input[name$='.public']").fill("收到投诉后 24 小时内给予回应。");
  await Promise.all([page.waitForLoadState("load"), form.locator("button[type=submit]").click()]);
  // Refused, the field marked where it is, the typed values kept.
  const err = page.locator("#policy-form [data-testid=field-err]");
  assert.match(await err.innerText(), /24/);
  const again = page.locator("#policy-form [data-testid=clock-row]").nth(3);
  assert.equal(await again.locator("input[name$='.n']").inputValue(), "12");
  assert.equal(await again.locator("input[name$='.public']").getAttribute("aria-invalid"), "true");
  await page.screenshot({ path: join(shotsDir, "policy-form-refused.png"), fullPage: true });

  await again.locator("input[name$='.public']").fill("收到投诉后 {n} 小时内给予回应。");
  await page.fill("#policy-form input[name=note]", "首次响应改为 12 小时");
  await Promise.all([page.waitForURL(/notice=saved/), page.locator("#policy-form button[type=submit]").click()]);
  assert.match(await page.locator(".notice").first().innerText(), /已保存/);
  assert.match(await page.locator("#policy-form").innerText(), /./);
  assert.equal(await page.locator("#policy-form [data-testid=clock-row]").nth(3).locator("input[name$='.n']").inputValue(), "12");

  const pub = await demo.browser.newPage({ viewport: { width: 390, height: 844 } });
  await pub.goto(new URL("/policy", demo.server.url).href);
  const body = await pub.locator("body").innerText();
  assert.match(body, /收到投诉后 12 小时内给予回应/);
  assert.doesNotMatch(body, /24 小时/);
  await pub.close();

  // At phone width the rows stack and nothing needs sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the page is ${wide}px wide at 390px`);
  await page.screenshot({ path: join(shotsDir, "policy-form-phone.png"), fullPage: false });
  await page.close();
});
