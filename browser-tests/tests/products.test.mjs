// The catalogue and the warranty lookup, as a product manager and an agent use them: a product
// added (a bad warranty named beside its field first), a sold unit registered, and the unit
// found by the customer's phone with its warranty and return window. Desktop and phone width.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

const at = (path) => new URL(path, demo.server.url).href;

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

test("a product is added, a unit sold and its warranty looked up", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  await page.goto(at("/products"));
  await page.fill("#p-model", "KF-35GW");
  await page.fill("#p-name", "壁挂式空调");
  await page.fill("#p-price", "2999.5");
  await page.fill("#p-warranty_months", "200");
  await submit(page, "#product-form button[type=submit]");
  assert.equal(await page.getAttribute("#p-warranty_months", "aria-invalid"), "true");
  assert.match(await page.locator("[data-testid=err-warranty_months]").innerText(), /保修期应为 0 到 120/);
  await page.screenshot({ path: join(shotsDir, "product-form-error.png"), fullPage: true });
  await page.fill("#p-warranty_months", "12");
  await submit(page, "#product-form button[type=submit]");
  const table = await page.locator("[data-testid=products]").innerText();
  assert.match(table, /KF-35GW[\s\S]*壁挂式空调[\s\S]*12 个月/);
  assert.match(table, /2999\.50/);

  await page.click("[data-testid=units-link]");
  await page.fill("#u-serial", "sn-2026-0001");
  await page.fill("#u-model", "KF-35GW");
  await page.fill("#u-customer-name", "李娜");
  await page.fill("#u-customer-phone", "13812345678");
  await page.fill("#u-sold_on", "2026-02-13");
  await page.fill("#u-delivered_on", "2026-02-14");
  await page.fill("#u-invoice_no", "FP-2026-0213");
  await submit(page, "#unit-form button[type=submit]");
  const row = page.locator("tr[data-serial='SN-2026-0001']");
  assert.match(await row.innerText(), /在保[\s\S]*2027-02-14/);
  // The seed's window: 3 working days from the sale, across the Spring Festival break.
  assert.match(await row.innerText(), /申请期限：至 2026-02-25/);
  await page.screenshot({ path: join(shotsDir, "product-units.png"), fullPage: true });

  // An agent finds it by the customer's phone, the phone masked.
  const agent = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await login(agent, demo.server.url, "zhangwei", "sanbao-demo-2026");
  await agent.goto(at("/products/units"));
  await agent.fill("#unit-search", "13812345678");
  await submit(agent, "form[role=search] button[type=submit]");
  const found = await agent.locator("tr[data-serial='SN-2026-0001']").innerText();
  assert.match(found, /在保/);
  assert.doesNotMatch(await agent.content(), /13812345678<\/td>/);
  const width = await agent.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `units page is ${width}px wide on a phone`);
  await agent.screenshot({ path: join(shotsDir, "phone-product-units-agent.png"), fullPage: true });
  await agent.close();
  await page.close();
});

test("a catalogue file with a bad row is refused whole, then imported", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  await page.goto(at("/products"));
  await Promise.all([page.waitForURL(/\/products\/import$/), page.click("[data-testid=import-link]")]);
  const file = (text) => ({ name: "目录.csv", mimeType: "text/csv", buffer: Buffer.from("\ufeff" + text) });
  const bad = "型号,产品名称,保修期（月）,追溯方式\nDS-8800,全自动生化分析仪,24,按序列号\nDS 9,,两年,按箱\n";
  await page.setInputFiles("#import-products input[type=file]", file(bad));
  await submit(page, "#import-products button[type=submit]");
  const problems = await page.locator("[data-testid=import-problems]").innerText();
  assert.match(problems, /第 3 行[\s\S]*型号/);
  assert.match(problems, /第 3 行[\s\S]*保修期/);
  assert.match(await page.locator("[data-testid=import-refused]").innerText(), /未导入任何一行/);
  await page.screenshot({ path: join(shotsDir, "product-import-refused.png"), fullPage: true });
  await page.goto(at("/products"));
  assert.doesNotMatch(await page.locator("[data-testid=products]").innerText(), /DS-8800/);
  await page.goto(at("/products/import"));
  const good = "型号,产品名称,保修期（月）,追溯方式\nDS-8800,全自动生化分析仪,24,按序列号\nDS-9,一次性采血针,0,按批次\n";
  await page.setInputFiles("#import-products input[type=file]", file(good));
  await submit(page, "#import-products button[type=submit]");
  assert.match(await page.locator("[data-testid=import-done]").innerText(), /已导入 2 个产品/);
  await page.goto(at("/products"));
  assert.match(await page.locator("[data-testid=products]").innerText(), /DS-8800[\s\S]*DS-9[\s\S]*按批次/);
  const phone = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await login(phone, demo.server.url, "admin", "sanbao-demo-2026");
  await phone.goto(at("/products/import"));
  assert.ok((await phone.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  await phone.screenshot({ path: join(shotsDir, "phone-product-import.png"), fullPage: true });
  await phone.close();
  await page.close();
});
