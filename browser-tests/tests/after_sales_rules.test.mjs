// The after-sales rules beyond the single case, walked as the people who use them: the
// administrator puts 网购七日无理由 in force beside the company's rules and the public page says
// so; an air conditioner under its supplier's repair terms gets a maintenance plan that books
// its own visit; its repair out of warranty is quoted and accepted before the work, its parts
// are charged to the supplier, and the supervisor claims them back until settled.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";
import { dayFromToday, flows, today } from "./flows.mjs";

const demo = withDemoServer();
const PASSWORD = "sanbao-demo-2026";
const { at, submit, addProduct, sell, intake, openFromReceipt, step } = flows(demo);

test("policies in force, a maintenance plan, a quote out of warranty and a supplier claim", async () => {
  const admin = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(admin, demo.server.url, "admin", PASSWORD);
  await admin.goto(at("/settings/policies/cn-online-7day"));
  await submit(admin, "[data-testid=in-force-toggle]");
  assert.equal(await admin.locator("[data-testid=in-force]").count(), 1, "the distance-selling policy is in force");

  // The customer's page lists both, with what each covers and the statutory rights.
  const pub = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await pub.goto(at("/policy"));
  assert.equal(await pub.locator("[data-policy=cn-online-7day]").count(), 1);
  assert.equal(await pub.locator("[data-policy=seed]").count(), 1);
  const words = await pub.locator("body").innerText();
  assert.match(words, /七日无理由退货权利/);
  assert.doesNotMatch(words, /online|working_days|cn-online/);
  const wide = await pub.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the policy page is ${wide}px wide on a phone`);
  await pub.screenshot({ path: join(shotsDir, "phone-policies-in-force.png"), fullPage: true });
  await pub.close();

  // Sold in 2024 with a year's warranty: out of warranty now; the supplier covers its repairs.
  await addProduct(admin, "KF-26GW", "挂壁式空调", "2599", { supplier: true });
  assert.match(await admin.locator("[data-testid=products]").innerText(), /KF-26GW[\s\S]*向供货方索赔/);
  await sell(admin, { serial: "KF-2601", model: "KF-26GW", name: "吴静", phone: "13544445555", sold: "2024-03-01" });

  // A plan every 6 months whose first visit is 10 days away and is booked 14 days ahead:
  // the sweeper opens its maintenance case at once.
  const row = () => admin.locator("tr[data-serial='KF-2601']");
  await row().locator("details.plan-form summary").click();
  await row().locator("input[name=every_months]").fill("0");
  await row().locator("input[name=first_due_on]").fill(dayFromToday(10));
  await submit(admin, "tr[data-serial='KF-2601'] details.plan-form button[type=submit]");
  assert.ok((await admin.locator("[data-testid=plan-err]").count()) > 0, "a plan every 0 months is refused by field");
  await row().locator("details.plan-form summary").click();
  await row().locator("input[name=every_months]").fill("6");
  await row().locator("input[name=first_due_on]").fill(dayFromToday(10));
  await row().locator("input[name=lead_days]").fill("14");
  await submit(admin, "tr[data-serial='KF-2601'] details.plan-form button[type=submit]");
  assert.match(await row().locator("[data-testid=plan]").innerText(), /每 6 个月保养，下次 \d{4}-\d{2}-\d{2}/);
  let queued = false;
  for (let i = 0; i < 45 && !queued; i++) {
    await admin.waitForTimeout(1000);
    await admin.reload();
    queued = /已生成保养服务单/.test(await row().locator("[data-testid=plan]").innerText());
  }
  assert.ok(queued, "the sweeper queued the planned visit");
  assert.match(await row().innerText(), /MT-\d{4}-\d{6}/, "the planned visit is a maintenance case of the unit");
  await admin.screenshot({ path: join(shotsDir, "unit-maintenance-plan.png"), fullPage: true });
  await admin.close();

  const agent = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(agent, demo.server.url, "zhangwei", PASSWORD);
  await intake(agent, { kind: "repair", phone: "135 4444 5555", name: "吴静", serial: "KF-2601", subject: "空调漏水", description: "室内机滴水，已持续一周。", faultStarted: today() });
  const number = await openFromReceipt(agent);
  assert.match(await agent.locator("[data-testid=unit-card]").innerText(), /已过保修期/);
  await step(agent, "technician_dispatched", async (f) => {
    await f.locator("select[name=technician_id]").selectOption({ label: "刘洋" });
    await f.locator("input[name=appointment_on]").fill(today());
    await f.locator("input[name=slot]").fill("09:00-12:00");
    await f.locator("input[name=address]").fill("上海市静安区南京西路1266号");
  });
  // Out of warranty the technician's diagnosis is quoted, and the work waits for the
  // customer's yes.
  assert.equal(await agent.locator("form[data-step=repair_completed]").count(), 0, "no repair before the quote");
  await step(agent, "quote_issued", async (f) => {
    await f.locator("input[name=quote]").fill("280");
    await f.locator("input[name=parts]").fill("更换排水管，清洗接水盘");
  });
  assert.ok(await agent.locator("ol.timeline").getByText(/¥280\.00/).first().isVisible());
  await step(agent, "quote_answered", (f) => f.locator("select[name=accepted]").selectOption("yes"));
  assert.equal(await agent.locator("form[data-step=quote_answered]").count(), 0, "the answer is in");
  // The supplier's terms cover this air conditioner: its parts are claimed from the supplier.
  const payers = await agent.locator("#cost-form select[name=payer] option").allInnerTexts();
  assert.ok(payers.includes("供货方（索赔）"), payers.join(","));
  await agent.selectOption("#cost-form select[name=kind]", "parts");
  await agent.fill("#cost-form input[name=amount]", "120");
  await agent.selectOption("#cost-form select[name=payer]", "supplier");
  await agent.fill("#cost-form input[name=note]", "排水管 ×1");
  await submit(agent, "#cost-form button[type=submit]");
  assert.match(await agent.locator("[data-testid=cost-totals]").innerText(), /供货方（索赔） ¥120\.00/);
  await agent.screenshot({ path: join(shotsDir, "repair-quote-claim.png"), fullPage: true });
  await agent.close();

  // The supervisor sends the claim with the supplier's number, then records it settled.
  const boss = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(boss, demo.server.url, "zhaolei", PASSWORD);
  await boss.goto(at("/claims"));
  const claim = boss.locator("[data-testid=claims] tr", { hasText: number });
  assert.match(await claim.innerText(), /配件费[\s\S]*¥120\.00/);
  await claim.locator("input[name=reference]").fill("GYS-2026-118");
  await submit(boss, `[data-testid=claims] tr:has-text("${number}") button[type=submit]`);
  assert.match(await claim.innerText(), /GYS-2026-118/);
  await boss.screenshot({ path: join(shotsDir, "claims-queue.png"), fullPage: true });
  await claim.locator("select[name=state]").selectOption("settled");
  await claim.locator("input[name=settled]").fill("120");
  await submit(boss, `[data-testid=claims] tr:has-text("${number}") button[type=submit]`);
  assert.equal(await boss.locator("[data-testid=claims] tr", { hasText: number }).count(), 0, "a settled claim leaves the queue");
  await boss.goto(at(`/cases/${number}`));
  assert.match(await boss.locator("ol.timeline").innerText(), /GYS-2026-118/);
  await boss.close();
});
