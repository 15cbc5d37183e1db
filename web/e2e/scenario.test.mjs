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

// The people of the story and what they hand on to each other.
const story = {};

// Opens a one-time link, chooses an e-mail and password, and lands signed in.
async function join(p, link, email) {
  await p.page.goto(new URL(link).pathname + new URL(link).hash);
  await p.page.getByLabel("E-mail").fill(email);
  await p.page.getByLabel("Password", { exact: true }).fill(password);
  await p.page.getByLabel("The same password again").fill(password);
  await p.page.getByRole("button", { name: "Join" }).click();
  await p.page.waitForURL((url) => url.pathname !== "/join");
}

// A write from the page itself (cookie and CSRF header), for set-up the story does not show.
function apiFrom(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const response = await fetch(path, {
        method,
        headers: { "Content-Type": "application/json", "X-Tandem-CSRF": localStorage.getItem("tandem.csrf") ?? "" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
}

describe("the story of a practice", () => {
  test("an admin invites a therapist in training and a supervisor", async () => {
    const admin = await open(desktop);
    story.admin = admin;
    await signIn(admin.page, adminEmail);
    await admin.page.getByRole("heading", { level: 1 }).waitFor();
    await check(admin, "admin-service");
    await admin.page.goto("/admin/users");
    await admin.page.getByLabel("Role").selectOption("therapist");
    await admin.page.getByLabel("Name", { exact: true }).fill("Tess Tester (fictional)");
    await admin.page.getByLabel("In training").check();
    await admin.page.getByRole("button", { name: "Invite", exact: true }).click();
    story.therapistLink = await admin.page.getByLabel("Invitation link").inputValue();
    assert.match(story.therapistLink, /\/join#.{20,}/);
    await check(admin, "admin-people");
    await admin.page.getByLabel("Role").selectOption("supervisor");
    await admin.page.getByLabel("Name", { exact: true }).fill("Sol Supervisor (fictional)");
    await admin.page.getByRole("button", { name: "Invite", exact: true }).click();
    await admin.page.waitForFunction((old) => document.querySelector("#invitation-link")?.value !== old, story.therapistLink);
    story.supervisorLink = await admin.page.getByLabel("Invitation link").inputValue();
    assert.notEqual(story.supervisorLink, story.therapistLink);
  });

  test("the therapist joins, creates a client and co-defines progress with them", async () => {
    const therapist = await open(desktop);
    story.therapist = therapist;
    await join(therapist, story.therapistLink, "tess@e2e.example.org");
    await therapist.page.waitForURL(/\/caseload/);
    await check(therapist, "therapist-caseload-empty");

    await therapist.page.goto("/clients/new");
    await therapist.page.getByLabel("Name", { exact: true }).fill("Robin Example (fictional)");
    await therapist.page.getByRole("button", { name: "Create client" }).click();
    await therapist.page.getByRole("button", { name: "Open episode" }).click();
    await therapist.page.waitForURL(/\/clients\/\d+\/progress/);
    story.clientId = Number(new URL(therapist.page.url()).pathname.split("/")[2]);

    await therapist.page.getByLabel("What do you hope for?").fill("To sleep again and to see my friends.");
    await therapist.page.getByLabel("Goal 1 in the client's words").fill("Sleep through most nights");
    await therapist.page.getByRole("button", { name: "Save this version" }).click();
    await therapist.page.getByRole("button", { name: "I agree with this version" }).click();
    await therapist.page.getByText("Sleep through most nights").first().waitFor();
    await check(therapist, "therapist-progress-conversation");
  });

  test("the therapist invites the client with a one-time link", async () => {
    const { page } = story.therapist;
    await page.goto(`/clients/${story.clientId}`);
    await page.getByRole("button", { name: "Invite to Tandem" }).click();
    story.clientLink = await page.getByLabel("Invitation link").inputValue();
    assert.match(story.clientLink, /\/join#.{20,}/);
  });

  test("the client, on a phone, completes a check-in and sees the crisis words at once", async () => {
    const client = await open(phone);
    story.client = client;
    const { page } = client;
    await join(client, story.clientLink, "robin@e2e.example.org");
    await page.waitForURL(/\/check-in/);
    await check(client, "client-check-in-start");
    await page.getByRole("button", { name: "Start today's check-in" }).click();

    const slider = page.getByLabel("Sleep through most nights");
    await slider.focus();
    for (let i = 0; i < 2; i++) await page.keyboard.press("ArrowRight");
    story.goalRating = Number(await slider.inputValue());
    await check(client, "client-check-in-goal");
    await page.getByRole("button", { name: "Next", exact: true }).click();

    // The questionnaire: a preamble, then one question per screen.
    for (let i = 0; i < 3; i++) {
      if (await page.getByRole("heading", { name: "Question 1 of 9" }).isVisible()) break;
      await page.getByRole("button", { name: "Next", exact: true }).click();
    }
    for (let q = 1; q <= 9; q++) {
      await page.getByRole("heading", { name: `Question ${q} of 9` }).waitFor();
      await page.getByLabel(q === 9 ? "Several days" : "Not at all", { exact: true }).check();
      if (q === 1) await check(client, "client-check-in-question");
      await page.getByRole("button", { name: q === 9 ? "Send answers" : "Next", exact: true }).click();
    }
    await page.getByRole("alert").filter({ hasText: "E2E crisis text" }).waitFor();
    await check(client, "client-check-in-crisis");

    // On past the optional moment to how the session felt.
    for (let i = 0; i < 3; i++) {
      if (await page.getByLabel("How did today's session feel?").isVisible()) break;
      await page.getByRole("button", { name: "Next", exact: true }).click();
    }
    await page.getByLabel("How did today's session feel?").focus();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("button", { name: "Finish" }).click();
    await page.getByRole("link", { name: "See my journey" }).click();
    await page.waitForURL(/\/journey/);
    await page.getByRole("heading", { name: "The agreement you made together" }).waitFor();
    await page.getByRole("img").first().waitFor();
    await page.getByText("Sleep through most nights").first().waitFor();
    await check(client, "client-journey");
  });

  test("the therapist sees the check-in on the client page and in the caseload", async () => {
    const therapist = story.therapist;
    const { page } = therapist;
    await page.goto(`/clients/${story.clientId}`);
    await page.getByRole("img").first().waitFor();
    const scores = await apiFrom(page, "GET", `/api/v1/episodes/${await openEpisode(page)}/timeline`);
    assert.equal(scores.status, 200);
    assert.equal(scores.body.scores.length, 1);
    assert.equal(scores.body.scores[0].total, 1);
    assert.equal(scores.body.scores[0].crisis, true);
    assert.equal(scores.body.goals[0].ratings.find((r) => r.rater === "client")?.value, story.goalRating);
    await check(therapist, "therapist-client-page");

    await page.goto("/caseload");
    const row = page.getByText("Robin Example (fictional)").first();
    await row.waitFor();
    await page.getByText("Safety answer to follow up").first().waitFor();
    await check(therapist, "therapist-caseload");

    // Recording the session: today's is there already (the client's check-in opened it).
    await page.goto(`/clients/${story.clientId}/session`);
    await page.getByRole("button", { name: "Add to session 1" }).click();
    await page.getByRole("heading", { name: "Your reflection on the work with Robin Example (fictional)" }).waitFor();
    await check(therapist, "therapist-record-session");
  });

  test("the trainee writes a reflection and the supervisor comments on it", async () => {
    const { page } = story.therapist;
    await page.goto("/reflections");
    await page.getByLabel("What I tried to fix").fill("I offered sleep tips before Robin had finished.");
    await page.getByLabel("What I sat with").fill("The quiet after they spoke about the nights.");
    await page.getByRole("button", { name: "Save reflection" }).click();
    await page.getByText("The quiet after they spoke about the nights.").first().waitFor();
    await check(story.therapist, "therapist-reflections");

    const supervisor = await open(desktop);
    await join(supervisor, story.supervisorLink, "sol@e2e.example.org");
    const admin = story.admin.page;
    await admin.goto("/admin/users");
    await admin.getByLabel("Supervisor", { exact: true }).selectOption({ label: "Sol Supervisor (fictional)" });
    await admin.getByLabel("Supervisee").selectOption({ label: "Tess Tester (fictional) (in training)" });
    await admin.getByRole("button", { name: "Link supervisor" }).click();
    await admin.getByRole("status").filter({ hasText: "now supervises" }).waitFor();

    await supervisor.page.goto("/supervision");
    await supervisor.page.getByRole("link", { name: /Read reflections by Tess Tester/ }).click();
    await supervisor.page.getByLabel("Your comment").first().fill("Noticing the quiet is the work. Let's talk on Tuesday.");
    await supervisor.page.getByRole("button", { name: "Add comment" }).first().click();
    await supervisor.page.getByText("Comment added").waitFor();
    await check(supervisor, "supervisor-reflections");
    await supervisor.page.goto("/supervision");
    await supervisor.page.getByText("Robin Example (fictional)").first().waitFor();
    await check(supervisor, "supervisor-overview");

    await page.goto("/reflections");
    await page.getByText("Noticing the quiet is the work.").waitFor();
  });

  test("a client cannot open another client's page", async () => {
    const other = await apiFrom(story.therapist.page, "POST", "/api/v1/clients", { display_name: "Other Person (fictional)" });
    assert.equal(other.status, 201);
    const { page } = story.client;
    await page.goto(`/clients/${other.body.id}`);
    await page.getByRole("heading", { name: "Not open to you" }).waitFor();
    const record = await apiFrom(page, "GET", `/api/v1/clients/${other.body.id}`);
    assert.ok(record.status === 403 || record.status === 404, `status ${record.status}`);
    const episodes = await apiFrom(page, "GET", `/api/v1/clients/${other.body.id}/episodes`);
    assert.ok(episodes.status === 403 || episodes.status === 404, `status ${episodes.status}`);
    assert.equal(JSON.stringify(record.body).includes("Other Person"), false);
  });

  test("the admin's other pages: instruments, audit and service outcomes", async () => {
    const admin = story.admin;
    await admin.page.goto("/admin/instruments");
    await admin.page.getByText("PHQ-9").first().waitFor();
    await check(admin, "admin-instruments");
    await admin.page.goto("/admin/audit");
    await admin.page.getByText("organisation.create").first().waitFor();
    await check(admin, "admin-audit");
  });
});

// The client's open episode, as the therapist's page sees it.
async function openEpisode(page) {
  const episodes = await apiFrom(page, "GET", `/api/v1/clients/${story.clientId}/episodes`);
  return episodes.body.items.find((e) => e.status === "open").id;
}
