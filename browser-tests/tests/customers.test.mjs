// One customer per company, as an agent keeps it: a hospital's card made, a second contact's
// bad phone named on its row, a call from a third phone logged by finding the hospital by its
// name on the intake form (the phone becomes its contact), and a duplicate merged into it.
// Desktop and phone width.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

const at = (path) => new URL(path, demo.server.url).href;

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

test("a hospital is one card with its contacts, found again at intake", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "zhangwei", "sanbao-demo-2026");
  await page.goto(at("/customers"));
  await Promise.all([page.waitForURL(/\/customers\/new$/), page.click("[data-testid=new-customer]")]);
  await page.selectOption("#kind", "organisation");
  await page.fill("#name", "福州仁和医院");
  await page.fill("#credit_code", "91350100M000100Y43");
  await page.fill("input[name='contact[1].name']", "陈工");
  await page.fill("input[name='contact[1].role']", "设备科");
  await page.fill("input[name='contact[1].phone']", "0591-87654321");
  await submit(page, "#customer-form button[type=submit]");
  const url = new URL(page.url());
  assert.match(url.pathname, /^\/customers\/\d+$/, await page.locator("main").innerText());
  assert.match(await page.locator("[role=status]").first().innerText(), /客户档案已建立/);
  const card = url.pathname;

  // Edit: a second contact whose phone is too short is named on its row, then corrected.
  await page.click("[data-testid=edit-customer]");
  await page.fill("input[name='contact[2].name']", "林女士");
  await page.fill("input[name='contact[2].phone']", "1390591");
  await submit(page, "#customer-form button[type=submit]");
  assert.equal(await page.getAttribute("input[name='contact[2].phone']", "aria-invalid"), "true");
  assert.match(await page.locator("[data-testid=err-contact-2-phone]").innerText(), /电话号码格式不正确/);
  await page.screenshot({ path: join(shotsDir, "customer-form-error.png"), fullPage: true });
  await page.fill("input[name='contact[2].phone']", "13905910001");
  await submit(page, "#customer-form button[type=submit]");
  assert.equal(new URL(page.url()).pathname, card);
  const contacts = await page.locator("[data-testid=contacts]").innerText();
  assert.match(contacts, /陈工[\s\S]*主要联系电话[\s\S]*林女士/);
  assert.match(contacts, /139\*\*\*\*0001/);

  // A call from the hospital's ward: found by name on the intake form, the new phone added.
  await page.goto(at("/cases/new"));
  await page.selectOption("#kind", "repair");
  await page.fill("[data-testid=customer-lookup]", "福州仁和");
  await page.waitForFunction(() => document.querySelectorAll("#customer-matches option").length > 0);
  await page.fill("[data-testid=customer-lookup]", "福州仁和医院");
  await page.waitForFunction(() => document.querySelector("#customer_name").value === "福州仁和医院");
  assert.equal(await page.inputValue("input[name=customer_credit_code]"), "91350100M000100Y43");
  assert.equal(await page.inputValue("select[name=customer_kind]"), "organisation");
  await page.fill("#customer_phone", "0591-88880000");
  await page.fill("input[name=customer_contact]", "三病区 王护士长");
  await page.fill("input[name=subject]", "监护仪黑屏");
  await page.screenshot({ path: join(shotsDir, "intake-find-organisation.png"), fullPage: true });
  await submit(page, "#intake button[type=submit]");
  assert.match(await page.locator("main").innerText(), /福州仁和医院/);
  await page.goto(at(card));
  assert.match(await page.locator("[data-testid=contacts]").innerText(), /三病区 王护士长/);
  assert.match(await page.locator("table.cases").innerText(), /监护仪黑屏/);

  // The same hospital entered by hand as a person is merged into the card.
  await page.goto(at("/customers/new"));
  await page.fill("#name", "仁和医院陈工");
  await page.fill("input[name='contact[1].phone']", "0591-80000000");
  await submit(page, "#customer-form button[type=submit]");
  const dup = new URL(page.url()).pathname;
  await page.click("[data-testid=merge-customer]");
  await page.fill("#merge-search", "福州仁和");
  await submit(page, "form[role=search] button[type=submit]");
  await page.screenshot({ path: join(shotsDir, "customer-merge.png"), fullPage: true });
  // The merge cannot be undone: the page asks first.
  let asked = "";
  page.once("dialog", (d) => {
    asked = d.message();
    d.accept();
  });
  await Promise.all([
    page.waitForURL((u) => u.pathname === card),
    page.click("[data-testid=merge-found] button.primary"),
  ]);
  assert.match(asked, /不能撤销/);
  assert.equal(new URL(page.url()).pathname, card);
  assert.match(await page.locator("[role=status]").first().innerText(), /已合并/);
  await page.goto(at(dup));
  assert.equal(new URL(page.url()).pathname, card, "the old link leads to the card kept");

  await page.screenshot({ path: join(shotsDir, "customer-card.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [[card, "customer-card-phone"], [`${card}/edit`, "customer-form-phone"]]) {
    await page.goto(at(path));
    await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} fits a phone (${width}px wide)`);
  }
  await page.close();
});

test("an agent imports the customer list the company kept in Excel", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "zhangwei", "sanbao-demo-2026");
  await page.goto(at("/customers"));
  await Promise.all([page.waitForURL(/\/customers\/import$/), page.click("[data-testid=import-customers]")]);
  const file = (text) => ({ name: "客户.csv", mimeType: "text/csv", buffer: Buffer.from("\ufeff" + text) });
  const head = "客户类型,客户名称,统一社会信用代码,联系人,职务/部门,电话,地址\n";
  const rows = "单位,厦门康宁诊所,91350200M000200Y8C,许医生,院办,0592-5551234,厦门市\n" +
    ",厦门康宁诊所,91350200M000200Y8C,黄女士,药房,13905920002,\n";
  // A mistyped phone on the third row: the file is refused whole, the row named.
  await page.setInputFiles("#import-customers input[type=file]", file(head + rows + "个人,陈明,,,,1390592,\n"));
  await submit(page, "#import-customers button[type=submit]");
  assert.match(await page.locator("[data-testid=import-problems]").innerText(), /第 4 行\s+电话/);
  await page.screenshot({ path: join(shotsDir, "customer-import-refused.png"), fullPage: true });
  await page.setInputFiles("#import-customers input[type=file]", file(head + rows + "个人,陈明,,,,13905920003,\n"));
  await submit(page, "#import-customers button[type=submit]");
  assert.match(await page.locator("[data-testid=import-done]").innerText(), /已导入 2 个客户/);
  await page.goto(at("/customers?q=" + encodeURIComponent("厦门康宁")));
  await Promise.all([page.waitForLoadState("load"), page.click("table.customers a")]);
  assert.match(await page.locator("[data-testid=contacts]").innerText(), /许医生[\s\S]*黄女士/);
  await page.close();
});
