// The workbench is each role's own: an agent reports a problem on a case, the supervisor finds
// it on their desk grouped by case, acknowledges it with a comment in place and is told so; the
// agent's workbench counts their queues. Desktop and phone width.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";

const demo = withDemoServer();

test("an exception report waits on the supervisor's desk until acknowledged", async () => {
  const agent = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(agent, demo.server.url, "zhangwei", "sanbao-demo-2026");
  // The agent's workbench: counts that link to their queues, and their next cases.
  for (const q of ["mine", "due_soon", "breached"]) {
    assert.equal(await agent.locator(`[data-testid=count-${q}]`).count(), 1, q);
  }
  await agent.screenshot({ path: join(shotsDir, "workbench-agent.png"), fullPage: true });
  // Report a problem on the first of the agent's desk cases.
  await agent.goto(new URL("/cases?queue=desk", demo.server.url).href);
  const number = (await agent.locator("table.cases tbody tr a").first().innerText()).trim();
  await agent.goto(new URL(`/cases/${number}`, demo.server.url).href);
  await agent.fill("#exception-form input[name=reason]", "客户不满意维修结果，要求主管回电");
  await Promise.all([agent.waitForLoadState("load"), agent.click("#exception-form button[type=submit]")]);
  assert.match(await agent.locator("[role=status]").first().innerText(), /已上报主管/);
  await agent.close();

  const sup = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(sup, demo.server.url, "zhaolei", "sanbao-demo-2026");
  const item = sup.locator("[data-testid=desk-case]", { hasText: number });
  assert.equal(await item.count(), 1, "the case is on the desk once");
  assert.match(await item.innerText(), /客户不满意维修结果/);
  await sup.screenshot({ path: join(shotsDir, "workbench-supervisor.png"), fullPage: true });
  await sup.setViewportSize({ width: 390, height: 844 });
  await sup.screenshot({ path: join(shotsDir, "workbench-supervisor-phone.png"), fullPage: true });
  const width = await sup.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the desk fits a phone (${width}px wide)`);
  await sup.setViewportSize({ width: 1280, height: 900 });
  await item.locator("input[name=comment]").fill("已回电，明日复检");
  await Promise.all([sup.waitForLoadState("load"), item.locator("button.primary").click()]);
  assert.match(await sup.locator("[role=status]").first().innerText(), /已确认 \d+ 项上报/);
  assert.equal(await sup.locator("[data-testid=desk-case]", { hasText: number }).count(), 0);
  await sup.goto(new URL(`/cases/${number}`, demo.server.url).href);
  assert.match(await sup.locator("ol.timeline").innerText(), /主管已确认升级（\d+ 项）：已回电，明日复检/);
  await sup.close();
});

test("on a phone the case list is cards and the filters fold away", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 390, height: 844 } });
  await login(page, demo.server.url, "zhaolei", "sanbao-demo-2026");
  await page.goto(new URL("/cases?queue=all", demo.server.url).href);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width}px wide)`);
  assert.equal(await page.locator("details[data-fold]").evaluate((d) => d.open), false, "filters folded");
  assert.equal(await page.locator("form.filters select[name=kind]").isVisible(), false);
  const card = page.locator("table.cases tbody tr").first();
  assert.ok(await card.locator(".c-number").isVisible());
  assert.ok(await card.locator(".c-subject").isVisible());
  assert.ok(await card.locator(".c-customer").isVisible());
  assert.equal(await card.locator(".c-assignee").isVisible(), false);
  const chips = await card.locator(".chip-clock").evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);
  assert.equal(chips, 1, "one chip per card: the most urgent");
  // A subject reads on one or two lines, not two characters a line.
  const subjectWidth = await card.locator(".c-subject").evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(subjectWidth > 250, `the subject has the card's width (${subjectWidth}px)`);
  await page.screenshot({ path: join(shotsDir, "cases-phone.png"), fullPage: false });
  // Opening the filters shows them; a filter set keeps them open on the next page.
  await page.click("details[data-fold] > summary");
  assert.ok(await page.locator("form.filters select[name=kind]").isVisible());
  await page.selectOption("form.filters select[name=kind]", "complaint");
  await Promise.all([page.waitForLoadState("load"), page.click("form.filters button[type=submit]")]);
  assert.equal(await page.locator("details[data-fold]").evaluate((d) => d.open), true);
  assert.match(await page.locator("details[data-fold] > summary").innerText(), /已筛选/);
  await page.screenshot({ path: join(shotsDir, "cases-phone-filtered.png"), fullPage: false });
  // On a desktop the filters are open without a click.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL("/cases?queue=all", demo.server.url).href);
  assert.ok(await page.locator("form.filters select[name=kind]").isVisible());
  await page.screenshot({ path: join(shotsDir, "cases-desktop.png"), fullPage: false });
  await page.close();
});

test("the administrator's first-run checklist ticks a step once it is done", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  const list = page.locator("[data-testid=checklist]");
  await list.waitFor({ state: "visible" });
  const todo = () => list.locator("li.todo").count();
  const before = await todo();
  assert.ok(before >= 1);
  await page.screenshot({ path: join(shotsDir, "checklist.png"), fullPage: false });
  await Promise.all([page.waitForURL(/\/settings#company$/), list.locator("a[href='/settings#company']").click()]);
  await page.fill("#company input[name=company_name]", "福州百盛医疗器械有限公司");
  await Promise.all([page.waitForURL(/\/$/), page.click("#company button[type=submit]")]);
  assert.match(await page.locator(".notice").first().innerText(), /已保存/);
  assert.equal(await todo(), before - 1);
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the page is ${wide}px wide at 390px`);
  await page.screenshot({ path: join(shotsDir, "checklist-phone.png"), fullPage: false });
  await page.close();
});
