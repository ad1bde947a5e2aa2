// The steps the after-sales tests share, bound to one demo server: a product added, a unit
// sold, a case taken in, a step recorded, the customer's signature drawn.
import assert from "node:assert/strict";

export const today = () => new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });

/** `days` from today in Shanghai, as `YYYY-MM-DD`. */
export const dayFromToday = (days) => {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
};

export function flows(demo) {
  const at = (path) => new URL(path, demo.server.url).href;

  async function submit(page, selector) {
    await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
  }

  async function addProduct(page, model, name, price, { months = "12", supplier = false } = {}) {
    await page.goto(at("/products"));
    await page.fill("#p-model", model);
    await page.fill("#p-name", name);
    await page.fill("#p-price", price);
    await page.fill("#p-warranty_months", months);
    if (supplier) await page.check("#product-form input[name=supplier_repairs]");
    await submit(page, "#product-form button[type=submit]");
  }

  async function sell(page, u) {
    await page.goto(at("/products/units"));
    await page.fill("#u-serial", u.serial);
    await page.fill("#u-model", u.model);
    await page.fill("#u-customer-name", u.name);
    await page.fill("#u-customer-phone", u.phone);
    await page.fill("#u-sold_on", u.sold);
    if (u.channel) await page.selectOption("#u-channel", u.channel);
    await submit(page, "#unit-form button[type=submit]");
    assert.equal(await page.locator(`tr[data-serial='${u.serial}']`).count(), 1, `unit ${u.serial} registered`);
  }

  async function intake(page, c) {
    await page.goto(at("/cases/new"));
    await page.selectOption("select[name=kind]", c.kind);
    await page.selectOption("select[name=channel]", "phone");
    await page.fill("input[name=customer_phone]", c.phone);
    await page.fill("input[name=customer_name]", c.name);
    await page.fill("input[name=subject]", c.subject);
    await page.fill("textarea[name=description]", c.description);
    await page.fill("[data-testid=unit-serial]", c.serial);
    if (c.reason) await page.selectOption("[data-testid=return-reason]", c.reason);
    if (c.proof) await page.fill("input[name=proof_invoice]", c.proof);
    if (c.faultStarted) await page.fill("input[name=fault_started_on]", c.faultStarted);
    await submit(page, "#intake button[type=submit]");
  }

  async function openFromReceipt(page) {
    await Promise.all([page.waitForURL(/\/cases\/[A-Z]{2}-\d{4}-\d{6}$/), page.click("[data-testid=receipt-open]")]);
    return new URL(page.url()).pathname.split("/").pop();
  }

  async function step(page, name, fill = async () => {}) {
    const form = page.locator(`form[data-step=${name}]`);
    await fill(form);
    await Promise.all([page.waitForLoadState("load"), form.locator("button[type=submit]").click()]);
  }

  // The customer signs with a finger (here: the mouse).
  async function sign(page) {
    await page.locator("[data-testid=signature-pad]").scrollIntoViewIfNeeded();
    const pad = await page.locator("[data-testid=signature-pad]").boundingBox();
    await page.mouse.move(pad.x + 20, pad.y + pad.height * 0.7);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) {
      await page.mouse.move(pad.x + 20 + i * 22, pad.y + pad.height * (0.7 - 0.4 * Math.sin(i / 2)));
    }
    await page.mouse.up();
  }

  return { at, submit, addProduct, sell, intake, openFromReceipt, step, sign };
}
