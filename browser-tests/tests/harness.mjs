// Shared harness: start a real `sanbao serve` on a fresh data directory and a free port, and
// launch the system's Chromium through playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { after, before } from "node:test";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");
export const shotsDir = join(repoRoot, "target", "browser");
mkdirSync(shotsDir, { recursive: true });

const binary = process.env.SANBAO_BIN || join(repoRoot, "target", "debug", "sanbao");

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Start sanbao; resolves once it prints its URL. `extra`: more CLI arguments. */
export async function startServer(extra = []) {
  const dataDir = mkdtempSync(join(tmpdir(), "sanbao-browser-"));
  const port = await freePort();
  const proc = spawn(binary, ["serve", "--data-dir", dataDir, "--listen", `127.0.0.1:${port}`, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SANBAO_DATABASE_URL: "" },
  });
  let out = "";
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sanbao did not start:\n${out}\n${err}`)), 20000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.on("exit", (code) => fail(new Error(`sanbao exited ${code}:\n${out}\n${err}`)));
  });
  // Everything sanbao prints at start is out once it answers requests.
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(new URL("/healthz", url))).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stdout: () => out,
    get initialPassword() {
      const pw = out.match(/one-time password: (\S+)/);
      return pw ? pw[1] : null;
    },
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((ok) => (proc.exitCode !== null ? ok() : proc.once("exit", ok)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Sign in through the login form. */
export async function login(page, base, username, password) {
  await page.goto(new URL("/login", base).href);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL((u) => u.pathname !== "/login"), page.click("main form button[type=submit]")]);
}

/** Choose a new password on the forced change page. */
export async function changePassword(page, current, next) {
  await page.fill("input[name=current_password]", current);
  await page.fill("input[name=password]", next);
  await page.fill("input[name=password_confirm]", next);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/me/password")),
    page.click("main form button[type=submit]"),
  ]);
}

/** A demo server and a browser shared by a test file's tests: started before the first,
 * stopped after the last. Read `demo.server` and `demo.browser` inside the tests. */
export function withDemoServer(extra = ["--demo"]) {
  const demo = { server: null, browser: null };
  before(async () => {
    demo.server = await startServer(extra);
    demo.browser = await launchBrowser();
  });
  after(async () => {
    await demo.browser?.close();
    await demo.server?.stop();
  });
  return demo;
}
