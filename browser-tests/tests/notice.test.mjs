// The State Council's notice, pasted as text: an administrator sees the next year marked
// provisional (holidays from the law), pastes the 2026 notice, sees it beside the law with every
// difference marked, loads it, and the year is the one Sanbao ships, day for day.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { join } from "node:path";
import { login, repoRoot, shotsDir, withDemoServer } from "./harness.mjs";

const notice2026 = readFileSync(join(repoRoot, "crates/domain/data/cn-notices/2026.txt"), "utf8");

const demo = withDemoServer();

/** Every day cell of the year grid as "class:day", in order. */
async function grid(page, year) {
  await page.goto(new URL(`/settings/calendar?year=${year}`, demo.server.url).href);
  return page.locator(".year-grid td").evaluateAll((tds) => tds.map((td) => `${td.className}:${td.textContent}`));
}

test("a year without its notice is provisional, with the law's holidays", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  await page.goto(new URL("/settings/calendar?year=2030", demo.server.url).href);
  const banner = page.locator("[data-testid=provisional-banner]", { hasText: "2030" });
  assert.ok(await banner.isVisible());
  assert.match(await banner.innerText(), /全国年节及纪念日放假办法/);
  // 2030 by law: 元旦 1, 春节 4 + 2 given back, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3.
  assert.equal(await page.locator(".year-grid td.holiday.prov").count(), 15);
  assert.equal(await page.locator(".year-grid td.makeup").count(), 0);
  const newYear = page.locator(".year-grid table.month").first().locator("td.holiday.prov").first();
  assert.match(await newYear.getAttribute("title"), /元旦 · 暂定/);
  await page.screenshot({ path: join(shotsDir, "calendar-2030-provisional.png"), fullPage: true });
  await page.close();
});

test("pasting the 2026 notice shows it beside the law and loads the year as shipped", async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, demo.server.url, "admin", "sanbao-demo-2026");
  const shipped = await grid(page, 2026);
  assert.ok(shipped.filter((c) => c.startsWith("holiday")).length >= 30);

  // A notice with a line that cannot be read: the line is named and nothing loads.
  await page.fill("#notice-form textarea[name=notice]", notice2026.replace("四、劳动节：5月1日", "四、劳动节：5月"));
  await page.click("#notice-form button[type=submit]");
  const errors = page.locator("#notice-errors");
  await errors.waitFor();
  assert.match(await errors.innerText(), /第 9 行/);
  await page.screenshot({ path: join(shotsDir, "calendar-notice-error.png"), fullPage: true });

  // The notice as published: read, compared, loaded.
  await page.fill("#notice-form textarea[name=notice]", notice2026);
  await page.click("#notice-form button[type=submit]");
  await page.locator("#notice-compare").waitFor();
  assert.match(await page.locator("#notice-preview h2").innerText(), /2026 · 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）/);
  const row = (date) => page.locator("#notice-compare tbody tr", { hasText: date });
  assert.match(await row("2026-10-10").innerText(), /调休上班/);
  assert.equal(await row("2026-10-10").getAttribute("class"), "differs");
  // 元旦: the law's day, and the notice's: the same.
  assert.match(await row("2026-01-01").innerText(), /法定节假日（元旦）.*法定节假日（元旦）/s);
  assert.equal(await row("2026-01-01").getAttribute("class"), null);
  // 清明 04-05 is a Sunday: the law gives it back on Monday 04-06, as the notice does.
  assert.match(await row("2026-04-06").innerText(), /补假/);
  const differences = Number((await page.locator("[data-testid=differences]").innerText()).match(/\d+/)[0]);
  assert.equal(await page.locator("#notice-compare tr.differs").count(), differences);
  assert.match(await page.locator("#notice-preview").innerText(), /该年已载入/);
  await page.screenshot({ path: join(shotsDir, "calendar-notice-preview.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotsDir, "calendar-notice-preview-phone.png"), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 900 });

  await Promise.all([page.waitForURL(/notice=imported/), page.click("#notice-load button[type=submit]")]);
  assert.match(await page.locator(".notice").first().innerText(), /已导入/);
  const loaded = await grid(page, 2026);
  assert.deepEqual(loaded, shipped);
  assert.ok(await page.locator("table.dense tr", { hasText: "国办发明电〔2025〕7号" }).locator(".tag.warn").isVisible());
  await page.screenshot({ path: join(shotsDir, "calendar-2026-from-notice.png"), fullPage: true });
  await page.close();
});
