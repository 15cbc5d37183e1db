// The whole story in a real browser: an admin invites a therapist, the therapist creates a
// client, co-defines progress with them and invites them; the client checks in on a phone;
// the therapist sees it on the client page and the caseload; a supervisor comments on the
// trainee's reflection; and a client cannot open another client's record.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  accessibilityProblems,
  adminEmail,
  desktop,
  password,
  person,
  phone,
  screenshot,
  signIn,
  startBrowser,
  startServer,
} from "./harness.mjs";

let server;
let chrome;
const people = [];

async function open(options) {
  const p = await person(chrome.browser, server.base, options);
  people.push(p);
  return p;
}

// Checks a page the way every page is checked: axe, then no CSP refusal or error so far.
async function check(p, name) {
  await screenshot(p.page, name);
  assert.deepEqual(await accessibilityProblems(p.page), [], `${name}: accessibility`);
  assert.deepEqual(p.problems, [], `${name}: console`);
}

before(async () => {
  server = await startServer();
  chrome = await startBrowser();
});

after(async () => {
  for (const p of people) await p.context.close();
  await chrome?.close();
  await server?.stop();
});

describe("signing in", () => {
  test("a wrong password is refused kindly and nothing else is shown", async () => {
    const p = await open(desktop);
    await p.page.goto("/login");
    await p.page.getByLabel("E-mail").fill(adminEmail);
    await p.page.getByLabel("Password").fill("not the password");
    await p.page.getByRole("button", { name: "Sign in" }).click();
    await p.page.getByRole("alert").getByText("do not match").waitFor();
    assert.equal(new URL(p.page.url()).pathname, "/login");
    await check(p, "login-refused");
  });

  test("a page asked for before signing in opens after it", async () => {
    const p = await open(desktop);
    await p.page.goto("/account");
    await p.page.waitForURL(/\/login\?next=%2Faccount/);
    await p.page.getByLabel("E-mail").fill(adminEmail);
    await p.page.getByLabel("Password").fill(password);
    await p.page.getByRole("button", { name: "Sign in" }).click();
    await p.page.getByRole("heading", { name: "Account" }).waitFor();
    await p.page.getByText("Service admin").waitFor();
    await check(p, "account");
  });

  test("signing out ends the session", async () => {
    const p = await open(desktop);
    await signIn(p.page, adminEmail);
    await p.page.getByRole("button", { name: "Sign out" }).click();
    await p.page.waitForURL(/\/login/);
    const me = await p.page.evaluate(() => fetch("/api/v1/me").then((r) => r.status));
    assert.equal(me, 401);
  });
});
