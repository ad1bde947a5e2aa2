// Returns and repairs walked as the people who do them: an agent takes a return (a unit
// bought in February refused with the day its window closed, one bought today accepted), a
// supervisor approves it, the goods come back, are inspected and refunded; a repair is
// dispatched to a technician, who arrives, writes the report on a phone with the customer's
// signature, and the report prints.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { login, shotsDir, withDemoServer } from "./harness.mjs";
import { flows, today } from "./flows.mjs";

const demo = withDemoServer();
const PASSWORD = "sanbao-demo-2026";

const { at, submit, addProduct, sell, intake, openFromReceipt, step, sign } = flows(demo);

test("a return from the request to the refund", async () => {
  const admin = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(admin, demo.server.url, "admin", PASSWORD);
  await addProduct(admin, "JS-400G", "家用净水器", "2999.5");
  await sell(admin, { serial: "JS-0001", model: "JS-400G", name: "周敏", phone: "13911112222", sold: today() });
  await sell(admin, { serial: "JS-0002", model: "JS-400G", name: "周敏", phone: "13911112222", sold: "2026-02-13" });
  await admin.close();

  const agent = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(agent, demo.server.url, "zhangwei", PASSWORD);
  const request = { kind: "return", phone: "139 1111 2222", name: "周敏", subject: "净水器出水有异味，要求退货", description: "安装当天出水有明显异味，要求退货退款。", reason: "quality", proof: "04400190011" };
  // Bought on 2026-02-13: the seed's 3 working days ended on 2026-02-25.
  await intake(agent, { ...request, serial: "JS-0002" });
  assert.match(await agent.locator("[data-testid=unit-serial-error]").innerText(), /退换货申请期限已于2026-02-25届满/);
  assert.equal(await agent.getAttribute("[data-testid=unit-serial]", "aria-invalid"), "true");
  assert.equal(await agent.inputValue("input[name=subject]"), request.subject, "nothing typed is lost");
  await agent.screenshot({ path: join(shotsDir, "return-window-closed.png"), fullPage: true });

  assert.equal(await agent.locator("[data-testid=window-override]").count(), 0, "an agent is not offered the override");
  // A supervisor may take it late, giving the reason.
  const late = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(late, demo.server.url, "zhaolei", PASSWORD);
  await intake(late, { ...request, serial: "JS-0002" });
  await late.fill("[data-testid=window-override]", "客户出差，期内已来电申请");
  await Promise.all([late.waitForURL(/\/receipt$/), late.click("#intake button[type=submit]")]);
  await openFromReceipt(late);
  assert.ok(await late.locator("ol.timeline").getByText(/经 赵磊 同意超期受理：客户出差/).isVisible());
  await late.close();

  await agent.fill("[data-testid=unit-serial]", "JS-0001");
  await Promise.all([agent.waitForURL(/\/receipt$/), agent.click("#intake button[type=submit]")]);
  const number = await openFromReceipt(agent);
  assert.match(number, /^RT-/);
  assert.match(await agent.locator("[data-testid=unit-card]").innerText(), /JS-0001[\s\S]*保修至/);
  // The approval is a supervisor's: the agent is offered the goods coming back only.
  assert.equal(await agent.locator("form[data-step=return_approved]").count(), 0);
  assert.equal(await agent.locator("form[data-step=goods_received_back]").count(), 1);

  const boss = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(boss, demo.server.url, "zhaolei", PASSWORD);
  await boss.goto(at(`/cases/${number}`));
  await step(boss, "return_approved", (f) => f.locator("select[name=decision]").selectOption("approved"));
  assert.ok(await boss.locator("ol.timeline").getByText("退换货审批：同意退换").isVisible());
  await boss.close();

  await agent.reload();
  await step(agent, "goods_received_back", (f) => f.locator("select[name=packaging_intact]").selectOption("yes"));
  const processing = agent.locator("[data-testid=clock-chip]", { hasText: "处理" });
  assert.match(await processing.innerText(), /周[一二三四五六日] 24:00/);
  // A refusal needs its reason; an accepted inspection does not.
  await step(agent, "goods_inspected", (f) => f.locator("select[name=inspection]").selectOption("misuse"));
  assert.match(await agent.locator(".notice.err").innerText(), /不予退换时请写明检验发现的问题/);
  await step(agent, "goods_inspected", (f) => f.locator("select[name=inspection]").selectOption("accepted"));
  // More than the price is refused, naming the price.
  await step(agent, "return_processed", async (f) => {
    await f.locator("select[name=outcome]").selectOption("refund");
    await f.locator("input[name=refund]").fill("3100");
    await f.locator("select[name=method]").selectOption("original");
  });
  assert.match(await agent.locator(".notice.err").innerText(), /退款金额不能超过售价 ¥2999\.50/);
  await step(agent, "return_processed", async (f) => {
    await f.locator("select[name=outcome]").selectOption("refund");
    await f.locator("input[name=refund]").fill("2999.50");
    await f.locator("select[name=method]").selectOption("original");
  });
  assert.ok(await agent.locator("ol.timeline").getByText("退换货处理完毕：退款 ¥2999.50（原路退回）", { exact: true }).isVisible());
  assert.equal(await agent.locator("[data-testid=case-state]").innerText(), "已解决", "the refund settles the return");
  assert.match(await processing.getAttribute("class"), /\bmet\b/, "the refund met the processing clock");
  assert.equal(await agent.locator("[data-testid=steps]").count(), 0, "nothing is left to record");
  // The seed makes the company bear the freight: charging it to the customer is refused.
  const cost = async (payer) => {
    await agent.selectOption("#cost-form select[name=kind]", "freight");
    await agent.fill("#cost-form input[name=amount]", "25");
    await agent.selectOption("#cost-form select[name=payer]", payer);
    await submit(agent, "#cost-form button[type=submit]");
  };
  await cost("customer");
  assert.match(await agent.locator(".notice.err").innerText(), /运费由本公司承担，不能向客户收取/);
  await cost("company");
  assert.match(await agent.locator("[data-testid=cost-totals]").innerText(), /本公司 ¥25\.00/);
  await agent.screenshot({ path: join(shotsDir, "return-refunded.png"), fullPage: true });

  const phone = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await login(phone, demo.server.url, "zhangwei", PASSWORD);
  await phone.goto(at(`/cases/${number}`));
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the return is ${width}px wide on a phone`);
  await phone.screenshot({ path: join(shotsDir, "phone-return-refunded.png"), fullPage: true });
  await phone.close();
  await agent.close();
});

test("a repair from the fault report to the printed repair report", async () => {
  const admin = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(admin, demo.server.url, "admin", PASSWORD);
  await addProduct(admin, "KF-72LW", "立柜式空调", "6999");
  await sell(admin, { serial: "KF-7201", model: "KF-72LW", name: "陈刚", phone: "13622223333", sold: "2026-07-01" });
  await admin.close();

  const agent = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(agent, demo.server.url, "zhangwei", PASSWORD);
  await intake(agent, { kind: "repair", phone: "136 2222 3333", name: "陈刚", serial: "KF-7201", subject: "空调不制冷", description: "开机后只吹自然风，不制冷，已持续两天。", faultStarted: today() });
  const number = await openFromReceipt(agent);
  assert.match(number, /^RP-/);
  assert.ok(await agent.locator("ol.timeline").getByText(/故障始于/).isVisible(), "the fault's first day is on the timeline");
  const dispatchClock = agent.locator("[data-testid=clock-chip]", { hasText: "派工" });
  assert.doesNotMatch(await dispatchClock.getAttribute("class"), /\bmet\b/);
  // A time window that ends before it starts is named.
  const dispatch = async (slot) => step(agent, "technician_dispatched", async (f) => {
    await f.locator("select[name=technician_id]").selectOption({ label: "刘洋" });
    await f.locator("input[name=appointment_on]").fill(today());
    await f.locator("input[name=slot]").fill(slot);
    await f.locator("input[name=address]").fill("上海市浦东新区世纪大道100号 12楼");
  });
  await dispatch("18:00-09:00");
  assert.match(await agent.locator(".notice.err").innerText(), /预约时段格式应为/);
  await dispatch("14:00-17:00");
  assert.match(await dispatchClock.getAttribute("class"), /\bmet\b/, "the dispatch met its clock");
  assert.match(await agent.locator(".case-grid .kv").first().innerText(), /刘洋/);
  await agent.screenshot({ path: join(shotsDir, "repair-dispatched.png"), fullPage: true });
  await agent.close();

  // The technician's day, on a phone.
  const tech = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await login(tech, demo.server.url, "liuyang", PASSWORD);
  await tech.goto(at("/field"));
  const job = tech.locator("[data-testid=field-job]", { hasText: number });
  assert.match(await job.innerText(), /14:00-17:00[\s\S]*空调不制冷[\s\S]*世纪大道100号/);
  await tech.screenshot({ path: join(shotsDir, "phone-field-day.png"), fullPage: true });
  await Promise.all([tech.waitForURL(new RegExp(`/field/${number}$`)), job.locator("a").click()]);
  await submit(tech, "[data-testid=field-arrived]");
  await tech.fill("#report-form input[name=fault]", "不制冷");
  await tech.fill("#report-form textarea[name=cause]", "压缩机启动电容老化失效");
  await tech.fill("#report-form textarea[name=process]", "更换启动电容，检测冷媒压力正常");
  await tech.fill("#report-form textarea[name=result]", "制冷恢复正常，出风温度 12 度");
  await tech.fill("#report-form input[name=parts]", "启动电容 35μF ×1");
  await tech.fill("#report-form input[name=labour_minutes]", "60");
  // Unsigned, the report is not sent.
  await tech.click("[data-testid=field-complete]");
  assert.match(await tech.getAttribute("[data-testid=signature-pad]", "class"), /invalid/);
  await sign(tech);
  await tech.screenshot({ path: join(shotsDir, "phone-field-report.png"), fullPage: true });
  // The drawing goes as a PNG once the form is valid; the page comes back with the report in.
  await tech.click("[data-testid=field-complete]");
  await tech.locator("[data-testid=field-report-link]").waitFor();
  assert.equal(await tech.locator("[data-testid=field-report]").count(), 0, "the report is in");
  await Promise.all([tech.waitForURL(/\/repair-report$/), tech.click("[data-testid=field-report-link]")]);
  const width = await tech.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the report is ${width}px wide on a phone`);
  await tech.close();

  // The printed report, as the agent hands it to the customer.
  const desk = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(desk, demo.server.url, "zhangwei", PASSWORD);
  await desk.goto(at(`/cases/${number}`));
  await Promise.all([desk.waitForURL(/\/repair-report$/), desk.click("[data-testid=repair-report-link]")]);
  const report = await desk.locator("[data-testid=repair-report]").innerText();
  assert.match(report, /维修报告[\s\S]*KF-7201[\s\S]*刘洋[\s\S]*压缩机启动电容老化失效[\s\S]*更换启动电容[\s\S]*制冷恢复正常/);
  assert.match(await desk.locator("[data-testid=report-charge]").innerText(), /保修期内，免费维修/);
  const signed = await desk.locator("[data-testid=report-signature]").evaluate((img) => img.complete && img.naturalWidth > 0);
  assert.ok(signed, "the customer's signature shows on the report");
  await desk.emulateMedia({ media: "print" });
  assert.equal(await desk.locator("header.top").isVisible(), false, "the print leaves the navigation out");
  await desk.screenshot({ path: join(shotsDir, "repair-report-print.png"), fullPage: true });
  const pdf = await desk.pdf({ format: "A4" });
  assert.ok(pdf.length > 10_000, "the report prints to a PDF");
  await desk.close();
});

test("a maintenance visit booked in service hours, reported and signed on a phone", async () => {
  const admin = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(admin, demo.server.url, "admin", PASSWORD);
  await addProduct(admin, "JS-800R", "反渗透净水机", "4599");
  await sell(admin, { serial: "JS-8001", model: "JS-800R", name: "孙莉", phone: "13733334444", sold: "2026-06-09" });
  await admin.close();

  const agent = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(agent, demo.server.url, "zhangwei", PASSWORD);
  await intake(agent, { kind: "maintenance", phone: "137 3333 4444", name: "孙莉", serial: "JS-8001", subject: "半年保养", description: "客户预约半年一次的滤芯保养。" });
  const number = await openFromReceipt(agent);
  assert.match(number, /^MT-/);
  const book = async (day, slot) => step(agent, "maintenance_booked", async (f) => {
    await f.locator("select[name=technician_id]").selectOption({ label: "刘洋" });
    await f.locator("input[name=appointment_on]").fill(day);
    await f.locator("input[name=slot]").fill(slot);
    await f.locator("input[name=address]").fill("上海市徐汇区漕溪北路1号 3楼");
  });
  // Saturday 2026-12-12 is no service day; Wednesday 2026-12-09 9:30–11:00 is inside the hours.
  await book("2026-12-12", "09:00-10:00");
  assert.match(await agent.locator(".notice.err").innerText(), /2026-12-12 不在服务时间内/);
  await book("2026-12-09", "09:30-11:00");
  assert.ok(await agent.locator("ol.timeline").getByText(/已预约维护：技术员 刘洋，预约 2026-12-09 09:30-11:00/).isVisible());
  await agent.close();

  const tech = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await login(tech, demo.server.url, "liuyang", PASSWORD);
  await tech.goto(at(`/field/${number}`));
  await tech.fill("#report-form textarea[name=work]", "更换 PP 棉滤芯，清洗预处理滤瓶，检查进水压力");
  await tech.fill("#report-form textarea[name=result]", "出水正常，TDS 12");
  await tech.fill("#report-form input[name=next_due_on]", "2027-06-09");
  await tech.fill("#report-form textarea[name=questions]", "客户问滤芯多久更换一次：建议每六个月");
  await sign(tech);
  await tech.screenshot({ path: join(shotsDir, "phone-field-maintenance.png"), fullPage: true });
  await tech.click("[data-testid=field-complete]");
  await tech.locator("[data-testid=field-report-link]").waitFor();
  await Promise.all([tech.waitForURL(/\/repair-report$/), tech.click("[data-testid=field-report-link]")]);
  const report = await tech.locator("[data-testid=repair-report]").innerText();
  assert.match(report, /维护报告[\s\S]*JS-8001[\s\S]*更换 PP 棉滤芯[\s\S]*2027-06-09[\s\S]*每六个月/);
  assert.equal(await tech.locator("[data-testid=report-signature]").count(), 1);
  await tech.screenshot({ path: join(shotsDir, "phone-maintenance-report.png"), fullPage: true });
  await tech.close();
});
