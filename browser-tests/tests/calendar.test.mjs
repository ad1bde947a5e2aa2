// Calendar flow: an administrator adds a company holiday on the calendar page and sees the
// complaint verification deadline move on the policy's deadline calculator.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

async function verificationDue(page) {
  await page.goto(new URL("/settings/policies/seed", demo.server.url).href);
  await page.selectOption("#explain-form select[name=event]", "complaint_received");
  await page.fill("#explain-form input[name=at]", "2026-09-30T18:00");
  await Promise.all([page.waitForURL(/at=2026-09-30T18/), page.click("#explain-form button[type=submit]")]);
  const row = page.locator("#explained tbody tr", { hasText: "初步核实" });
  return (await row.locator("[data-testid=due]").innerText()).trim();
}

test("a company holiday moves a deadline", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");

  assert.equal(await verificationDue(page), "2026-10-10 24:00");
  await page.screenshot({ path: join(shotsDir, "policy-explain.png"), fullPage: true });

  await page.goto(new URL("/settings/calendar?year=2026", demo.server.url).href);
  // National Day is marked; 10-10 is a make-up working day.
  assert.ok((await page.locator("td.holiday").count()) >= 30);
  assert.ok((await page.locator("td.makeup").count()) === 6);
  await page.fill("#override-form input[name=date]", "2026-10-09");
  await page.selectOption("#override-form select[name=working]", "off_duty");
  await page.fill("#override-form input[name=note]", "公司年会");
  await Promise.all([page.waitForURL(/notice=saved/), page.click("#override-form button[type=submit]")]);
  assert.ok(await page.locator("table.dense", { hasText: "公司年会" }).isVisible());
  assert.equal(await page.locator("td.company-off").count(), 1);
  await page.screenshot({ path: join(shotsDir, "calendar-2026.png"), fullPage: true });

  // 10-08, (10-09 now off), 10-10, 10-12.
  assert.equal(await verificationDue(page), "2026-10-12 24:00");

  // The public policy page, as customers see it.
  await page.goto(new URL("/policy", demo.server.url).href);
  assert.ok(await page.getByText("收到投诉后 24 小时内给予回应").isVisible());
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotsDir, "public-policy-phone.png"), fullPage: true });
  await page.close();
});
