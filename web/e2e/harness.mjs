// The end-to-end harness: a real `tandem serve` on 127.0.0.1 over a new SQLite file made
// with `tandem init`, and Debian's headless Chromium driven by playwright-core. Every page
// a test looks at can be checked with axe-core (no serious or critical violation) and is
// watched for Content-Security-Policy refusals and uncaught errors.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
export const tandemBinary = process.env.TANDEM_BIN ?? join(repo, "build", "tandem");
export const resultsDir = join(repo, "test-results");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const axeSource = readFileSync(join(repo, "web", "node_modules", "axe-core", "axe.min.js"), "utf8");

export const adminEmail = "admin@e2e.example.org";
export const password = "e2e test password (fictional)";

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

function must(result, what) {
  if (result.status !== 0) {
    throw new Error(`${what} failed (${result.status}): ${result.stderr?.toString() ?? ""}`);
  }
  return result.stdout.toString();
}

// A new practice with one admin, served with the built web app.
export async function startServer() {
  if (!existsSync(tandemBinary)) throw new Error(`no ${tandemBinary}: build first (make build)`);
  if (!existsSync(join(repo, "web", "dist", "index.html"))) throw new Error("no web/dist: run `npm run build` in web/");
  const dir = mkdtempSync(join(tmpdir(), "tandem-e2e-"));
  const key = join(dir, "e2e.key");
  const db = `sqlite:${join(dir, "e2e.db")}`;
  must(spawnSync(tandemBinary, ["keygen", "--key-file", key]), "tandem keygen");
  must(
    spawnSync(
      tandemBinary,
      [
        "init",
        "--db", db,
        "--key-file", key,
        "--organisation", "Brookside Practice (fictional test)",
        "--admin-email", adminEmail,
        "--admin-name", "Alex Admin (fictional)",
        "--crisis-text", "E2E crisis text: call the (fictional) help line on 0000 000 000.",
      ],
      { env: { ...process.env, TANDEM_ADMIN_PASSWORD: password } },
    ),
    "tandem init",
  );
  const port = await freePort();
  const server = spawn(
    tandemBinary,
    ["serve", "--db", db, "--key-file", key, "--listen", `127.0.0.1:${port}`, "--web-dir", join(repo, "web", "dist")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  server.stderr.on("data", (chunk) => (stderr += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const ready = await fetch(`${base}/readyz`);
      if (ready.ok) break;
    } catch {
      /* not listening yet */
    }
    if (server.exitCode !== null || i > 100) throw new Error(`tandem serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() {
      server.kill("SIGTERM");
      await new Promise((r) => (server.exitCode !== null ? r() : server.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  mkdirSync(resultsDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    // playwright-core starts Chromium with a new, empty profile of its own each time.
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
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export const desktop = { viewport: { width: 1280, height: 900 } };
// A phone-sized screen with touch.
export const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, deviceScaleFactor: 2 };

// A browser context for one person; collects CSP refusals and page errors.
export async function person(browser, base, options = desktop) {
  const context = await browser.newContext({ ...options, baseURL: base });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
    else if (message.type() === "error" && !/status of 4\d\d/.test(text)) problems.push(`console error: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

export async function signIn(page, email, secret = password) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

// axe-core on the page as it is now: the serious and critical violations, described.
export async function accessibilityProblems(page) {
  const results = await page.evaluate(`${axeSource};\naxe.run(document, { resultTypes: ["violations"] })`);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}
