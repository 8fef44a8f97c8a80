// Browser tests in a real headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core, against `etablera demo` on a free port:
//   the main flow (log in, overview, target page, English, log out), the same with the
//   keyboard alone, and axe-core on every page type (no serious or critical violation).
// Usage: node run.mjs [path to the etablera binary]
import { chromium } from "playwright-core";
import { axe, axeSource, check, executablePath, freePort, tally } from "./common.mjs";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = process.argv[2] ?? "../../target/debug/etablera";

async function startDemo() {
  const port = await freePort();
  const out = mkdtempSync(join(tmpdir(), "etablera-browser-"));
  const proc = spawn(bin, ["demo", "--out", out, "--addr", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    let seen = "";
    proc.stdout.on("data", (d) => {
      seen += d;
      if (seen.includes("Serving Etablera")) resolve();
    });
    proc.on("exit", (code) => reject(new Error(`etablera demo exited with ${code}`)));
    setTimeout(() => reject(new Error("etablera demo did not start in 120 s")), 120_000);
  });
  // Give the listener a moment after the message.
  await new Promise((r) => setTimeout(r, 300));
  return { base: `http://127.0.0.1:${port}`, proc };
}

const { base, proc } = await startDemo();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  // axe-core itself must find a violation where there is one, or its silence means nothing.
  {
    const c = await browser.newContext({ bypassCSP: true });
    const p = await c.newPage();
    await p.setContent('<html><body><img src="x.png"><input type="text"></body></html>');
    await p.addScriptTag({ content: axeSource });
    const r = await p.evaluate(async () => await window.axe.run(document));
    check(r.violations.some((v) => v.impact === "critical" || v.impact === "serious"), "axe-core finds the violations of a broken page");
    await c.close();
  }

  // The main flow with the mouse.
  console.log("main flow");
  // bypassCSP lets the test inject axe-core; the CSP itself is checked by the HTTP tests.
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await axe(page, "the home page");
  await page.click("text=Logga in");
  await axe(page, "the login page");
  await page.fill("#username", "strateg");
  await page.fill("#password", "fel lösenord här");
  await page.click("form[action='/login'] button[type=submit]");
  check((await page.textContent("[role=alert]"))?.includes("Fel användarnamn"), "a wrong password is refused with a message");
  await axe(page, "the login page with an error");
  await page.fill("#username", "strateg");
  await page.fill("#password", "demo-strateg-lösenord");
  await page.click("form[action='/login'] button[type=submit]");
  check((await page.textContent("header"))?.includes("Inloggad som"), "logged in");
  await page.click("text=Integrationsstrategi 2020");
  check((await page.textContent("h1"))?.includes("uppföljning"), "the overview opens");
  check((await page.locator(".status").count()) > 5, "the overview shows statuses");
  await axe(page, "the overview");
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, "overview.png"), fullPage: true });
  await page.selectOption("#f-area", "arbete");
  await page.click("form.filters button");
  check(!(await page.content()).includes("Minst 10 % av befolkningen"), "the area filter works without JavaScript");
  await page.click("text=Nyanlända som efter avslutad etablering");
  check((await page.locator("svg[role=img]").count()) === 1, "the target page shows the chart");
  check((await page.locator("table").count()) >= 1, "the target page shows the data table");
  await axe(page, "the target page");
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, "target.png"), fullPage: true });
  // The strategy library: the demo's strategy texts, searched in Swedish.
  await page.goto(`${base}/bibliotek?q=integrationsstrategi`);
  check((await page.locator("mark").count()) > 0, "the library marks what «integrationsstrategi» found");
  check((await page.textContent("table"))?.includes("Ljusnarsberg"), "the library lists the demo's documents");
  await axe(page, "the strategy library");
  // The targets read out of a library text, with the forms to accept or reject them.
  await page.click("text=mål ur texten >> nth=0");
  check((await page.textContent("h1"))?.includes("Mål ur texten"), "the drafts page opens from the library");
  check((await page.locator("form button[type=submit]").count()) > 0, "a strategist may accept or reject drafts");
  await axe(page, "the targets read out of a library text");
  // Other municipalities' targets for the same indicator, reached from the target page.
  await page.goto(`${base}/s/ostersund-2020/t/m2-arbete-studier`);
  await page.click("text=Andra kommuners mål för samma indikator");
  check((await page.textContent("table.comparison"))?.includes("Östersund"), "the comparison for N00973 lists Östersund's target");
  check((await page.textContent("main"))?.includes("Fiktiva demodata"), "the comparison marks the demo's figures as fictitious");
  await axe(page, "the comparison across municipalities");
  // Change the target value and see the status change (2018: on the path to 50 %, far
  // behind the path to 90 %).
  await page.goto(`${base}/s/ostersund-2020/t/m2-arbete-studier?year=2018`);
  const statusBefore = await page.getAttribute(".status", "class");
  await page.click("text=Ändra målet");
  await axe(page, "the target edit form");
  await page.fill("#value", "tio procent");
  await page.click("main form button[type=submit]");
  check((await page.textContent("[role=alert]"))?.includes("tio procent"), "a wrong value is refused with the field named");
  await axe(page, "the target edit form with an error");
  await page.fill("#value", "90");
  await page.click("main form button[type=submit]");
  await page.goto(`${base}/s/ostersund-2020/t/m2-arbete-studier?year=2018`);
  const statusAfter = await page.getAttribute(".status", "class");
  check(statusBefore !== statusAfter && statusAfter.includes("off_track"), `the status changed (${statusBefore} → ${statusAfter})`);
  check((await page.content()).includes("Ändringshistorik"), "the revision history shows the change");

  // Upload an xlsx with an error, see the row; upload a good file, see the chart change.
  const xlsx = (rows) => {
    const r = spawnSync(bin, ["xlsx", "--rows", JSON.stringify(rows)], { encoding: "buffer" });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    return r.stdout;
  };
  const dir = mkdtempSync(join(tmpdir(), "etablera-xlsx-"));
  writeFileSync(join(dir, "fel.xlsx"), xlsx([["Kommun", "Indikator", "2025"], ["Östersund", "OSD-UTOMNORD-ANST", "4"], ["Ankeborg", "OSD-UTOMNORD-ANST", "3"]]));
  writeFileSync(join(dir, "ratt.xlsx"), xlsx([["Kommun", "Indikator", "2025"], ["Östersund", "OSD-UTOMNORD-ANST", "4,5"]]));
  await page.goto(`${base}/s/ostersund-2020/t/m2-utomnordiskt-anstallda`);
  const pointsBefore = await page.locator("svg[role=img] circle").count();
  await page.goto(`${base}/s/ostersund-2020/data`);
  await axe(page, "the data page");
  await page.setInputFiles("#file", join(dir, "fel.xlsx"));
  await page.click("text=Förhandsgranska");
  const err = await page.textContent("[role=alert]");
  check(err?.includes("row 3") && err?.includes("Ankeborg"), "the upload error names its row");
  await axe(page, "the data page with upload errors");
  await page.setInputFiles("#file", join(dir, "ratt.xlsx"));
  await page.click("text=Förhandsgranska");
  check((await page.textContent("h1"))?.includes("Förhandsvisning"), "a good file is previewed");
  await axe(page, "the upload preview");
  await page.click("text=Spara i databasen");
  check((await page.textContent("[role=status]"))?.includes("new or changed"), "the upload is stored");
  await page.goto(`${base}/s/ostersund-2020/t/m2-utomnordiskt-anstallda`);
  const pointsAfter = await page.locator("svg[role=img] circle").count();
  check(pointsAfter === pointsBefore + 1 && (await page.content()).includes("4,5"), `the chart shows the new value (${pointsBefore} → ${pointsAfter} points)`);

  for (const [path, name] of [
    ["/s/ostersund-2020/plan", "the action plan"],
    ["/s/ostersund-2020/plan/hp-2019-1/andra", "the activity edit form"],
    ["/s/ostersund-2020/compare", "the comparison"],
    ["/s/ostersund-2020/strategy", "the strategy page"],
    ["/s/ostersund-2020/reports", "the report page"],
    ["/indikatorer?q=utrikes", "the indicator catalogue"],
    ["/indikatorer/N00973", "an indicator's page"],
  ]) {
    await page.goto(`${base}${path}`);
    await axe(page, name);
  }
  {
    // The establishment register: the case worker's pages and the newcomer's plan in six languages.
    const rctx = await browser.newContext({ bypassCSP: true });
    const r = await rctx.newPage();
    await r.goto(`${base}/login`);
    await r.fill("#username", "handlaggare");
    await r.fill("#password", "demo-handläggare-lösenord");
    await Promise.all([r.waitForURL((u) => !u.pathname.startsWith("/login")), r.click("form[action='/login'] button[type=submit]")]);
    await r.goto(`${base}/register/2380?mine=1`);
    check((await r.content()).includes("Ärenden"), "the caseload");
    await axe(r, "the caseload");
    await r.click("table tbody tr a");
    check((await r.content()).includes("Individuell plan"), "a person's page");
    await axe(r, "a person's page");
    await r.goto(`${base}/register/2380/ny`);
    await axe(r, "the new person form");
    await r.goto(`${base}/register/2380/statistik`);
    await axe(r, "the register statistics");
    await r.goto(`${base}/register/2380?mine=1`);
    await r.click("table tbody tr a");
    await r.click("#link-h ~ form button[type=submit]");
    const href = await r.getAttribute("a[href^='/min-plan/']", "href");
    check(!!href, "a plan link was made");
    await axe(r, "the plan link page");
    const nctx = await browser.newContext({ bypassCSP: true });
    const n = await nctx.newPage();
    for (const [lang, dir] of [["sv", "ltr"], ["en", "ltr"], ["ar", "rtl"], ["prs", "rtl"], ["so", "ltr"], ["ti", "ltr"]]) {
      await n.goto(`${base}${href}?lang=${lang}`);
      check((await n.getAttribute("html", "lang")) === lang && (await n.getAttribute("html", "dir")) === dir, `the plan in ${lang} (${dir})`);
      await axe(n, `the newcomer's plan in ${lang}`);
    }
    await n.goto(`${base}/min-plan`);
    await axe(n, "the plan code form");
    await nctx.close();
    await rctx.close();
  }
  {
    const actx = await browser.newContext({ bypassCSP: true });
    const a = await actx.newPage();
    await a.goto(`${base}/login`);
    await a.fill("#username", "admin");
    await a.fill("#password", "demo-admin-lösenord");
    await Promise.all([a.waitForURL((u) => !u.pathname.startsWith("/login")), a.click("form[action='/login'] button[type=submit]")]);
    await a.goto(`${base}/admin/audit`);
    check((await a.content()).includes("target.update"), "the audit log shows the target change");
    await axe(a, "the audit log");
    await actx.close();
  }
  {
    // A whole reporting round: the strategist opens it, the admin names two reporters, the
    // two departments report (one is returned once), the strategist approves, the board's
    // adoption is recorded with its § number; a later import changes the figures but not
    // the adopted PDF; reopening is refused to the strategist and audited with the admin.
    console.log("reporting round");
    // A form post answers with a redirect to the round's page: wait for that navigation.
    const nav = async (p, target) => {
      await Promise.all([p.waitForEvent("framenavigated"), target.click()]);
      await p.waitForLoadState();
    };
    const login = async (user, pw) => {
      const c = await browser.newContext({ bypassCSP: true });
      const p = await c.newPage();
      await p.goto(`${base}/login`);
      await p.fill("#username", user);
      await p.fill("#password", pw);
      await Promise.all([p.waitForURL((u) => !u.pathname.startsWith("/login")), p.click("form[action='/login'] button[type=submit]")]);
      return [c, p];
    };
    const roundUrl = `${base}/s/ostersund-2020/omgangar/2020`;
    const [sc, s] = await login("strateg", "demo-strateg-lösenord");
    await s.goto(`${base}/s/ostersund-2020`);
    await s.click("text=Uppföljningsomgångar");
    check((await s.textContent("h1"))?.includes("Uppföljningsomgångar"), "the rounds page opens from the overview");
    await axe(s, "the rounds page");
    await s.fill("#o-year", "2020");
    await s.fill("#o-deadline", "2021-02-15");
    await nav(s, s.locator("main form button[type=submit]"));
    const sections = await s.locator("main section h2").allTextContents();
    check(sections.some((t) => t.startsWith("Upphandlingsenheten")) && sections.some((t) => t.startsWith("Barn- och utbildningsförvaltningen")), "the round has a task per responsible department");
    await axe(s, "an open round");
    const [ac, a] = await login("admin", "demo-admin-lösenord");
    await a.goto(roundUrl);
    for (const [dept, user] of [["Upphandlingsenheten", "upphandling"], ["Barn- och utbildningsförvaltningen", "skola"]]) {
      const sec = a.locator("main section", { has: a.locator(`h2:text-matches("^${dept}")`) });
      await sec.locator("input[name=username]").fill(user);
      await nav(a, sec.locator("form[action$='/rapportor'] button"));
    }
    const [uc, u] = await login("upphandling", "demo-upphandling-lösenord");
    await u.goto(roundUrl);
    const mine = u.locator("main section", { has: u.locator("h2:text-matches('^Upphandlingsenheten')") });
    check((await mine.locator("select[name=status]").count()) === 1, "the reporter may report for their department");
    check((await u.locator("main section", { has: u.locator("h2:text-matches('^Barn')") }).locator("select").count()) === 0, "and not for another");
    await mine.locator("select[name=status]").selectOption("done");
    await mine.locator("input[name=comment]").fill("Upphandlingskrav i tre avtal");
    await nav(u, mine.locator("form[action*='/aktivitet/'] button"));
    await nav(u, u.locator("main section", { has: u.locator("h2:text-matches('^Upphandlingsenheten')") }).locator("form[action$='/lamna-in'] button"));
    check((await u.textContent("main"))?.includes("Upphandlingsenheten: inlämnad"), "the report is submitted");
    await axe(u, "the round as a reporter sees it");
    const [kc, k] = await login("skola", "demo-skola-lösenord");
    await k.goto(roundUrl);
    await nav(k, k.locator("main section", { has: k.locator("h2:text-matches('^Barn')") }).locator("form[action$='/lamna-in'] button"));
    // The strategist returns the procurement report with a comment; it is sent again.
    await s.goto(roundUrl);
    let sec = s.locator("main section", { has: s.locator("h2:text-matches('^Upphandlingsenheten')") });
    await sec.locator("textarea[name=comment]").fill("Ange hur många avtal som fick kraven");
    await nav(s, sec.locator("button[value=return]"));
    check((await s.textContent("main"))?.includes("Upphandlingsenheten: återsänd"), "the report is returned");
    await u.goto(roundUrl);
    check((await u.textContent("main"))?.includes("Ange hur många avtal"), "the reporter sees the strategist's comment");
    await nav(u, u.locator("main section", { has: u.locator("h2:text-matches('^Upphandlingsenheten')") }).locator("form[action$='/lamna-in'] button"));
    // The strategist accepts the two, and reports and accepts for the departments left.
    await s.goto(roundUrl);
    for (;;) {
      const accept = s.locator("button[value=accept]").first();
      if ((await accept.count()) === 0) break;
      await nav(s, accept);
    }
    for (;;) {
      const submit = s.locator("form[action$='/lamna-in'] button").first();
      if ((await submit.count()) === 0) break;
      await nav(s, submit);
      await nav(s, s.locator("button[value=accept]").first());
    }
    check((await s.textContent("main"))?.includes("granskad"), "every report is accepted: the round is reviewed");
    await nav(s, s.locator("form[action$='/godkann'] button"));
    await axe(s, "an approved round with the adoption form");
    await s.fill("#a-date", "2021-03-12");
    await s.fill("#a-ref", "KS 2021-03-12");
    await s.fill("#a-dnr", "KS 2021/123");
    await nav(s, s.locator("form[action$='/anta'] button"));
    check((await s.textContent("[role=alert]"))?.includes("§"), "a decision reference without a § number is refused");
    await s.goto(roundUrl);
    await s.fill("#a-date", "2021-03-12");
    await s.fill("#a-ref", "KS 2021-03-12 § 45");
    await s.fill("#a-dnr", "KS 2021/123");
    await nav(s, s.locator("form[action$='/anta'] button"));
    check((await s.textContent("main"))?.includes("KS 2021-03-12 § 45"), "the adoption is recorded with its § number");
    await axe(s, "an adopted round");
    const pdf1 = await (await s.request.get(`${roundUrl}/antagen.pdf`)).body();
    check(pdf1.subarray(0, 5).toString() === "%PDF-", "the adopted PDF downloads");
    // A later import changes the figures.
    await s.goto(`${base}/s/ostersund-2020/data`);
    writeFileSync(join(dir, "senare.xlsx"), xlsx([["Kommun", "Indikator", "2024"], ["Östersund", "OSD-UTOMNORD-ANST", "3,9"]]));
    await s.setInputFiles("#file", join(dir, "senare.xlsx"));
    await s.click("text=Förhandsgranska");
    await s.click("text=Spara i databasen");
    await s.goto(roundUrl);
    check((await s.textContent("main"))?.includes("har ändrats sedan uppföljningen antogs"), "the round says the figures changed since adoption");
    const pdf2 = await (await s.request.get(`${roundUrl}/antagen.pdf`)).body();
    check(Buffer.compare(pdf1, pdf2) === 0, `the adopted PDF is byte-identical after the import (${pdf1.length} bytes)`);
    // Reopening: no form for the strategist, and a post is refused; the admin reopens.
    check((await s.locator("form[action$='/oppna-igen']").count()) === 0, "the strategist has no reopen form");
    const csrf = await s.getAttribute("input[name=csrf]", "value");
    const refused = await s.request.post(`${roundUrl}/oppna-igen`, { form: { csrf, reason: "Fel siffra" } });
    check(refused.status() === 403, `reopening is refused to a strategist (${refused.status()})`);
    await a.goto(roundUrl);
    await a.fill("#r-reason", "Fel siffra i mål 3");
    await nav(a, a.locator("form[action$='/oppna-igen'] button"));
    check((await a.textContent("main"))?.includes("Läge: granskad") && (await a.locator("form[action$='/godkann']").count()) === 1, "the admin reopened the round: open again, every report still accepted");
    await a.goto(`${base}/admin/audit`);
    check((await a.content()).includes("round.reopen") && (await a.content()).includes("round.adopt"), "the audit log shows the adoption and the reopening");
    for (const c of [sc, ac, uc, kc]) await c.close();
  }
  await page.goto(`${base}/s/ostersund-2020/t/m2-utomnordiskt-anstallda`);

  await page.click("text=English");
  check((await page.textContent("h2"))?.includes("Assessment"), "switched to English");
  await axe(page, "the target page in English");
  await page.goto(`${base}/tillganglighet`);
  await axe(page, "the accessibility statement");
  await page.goto(`${base}/s/finns-inte`);
  await axe(page, "the error page");
  await page.goto(`${base}/`);
  await page.click("header button[type=submit]");
  check(!(await page.textContent("header"))?.includes("Logged in as"), "logged out");
  await ctx.close();

  // The same flow with the keyboard alone.
  console.log("keyboard only");
  const kctx = await browser.newContext();
  const k = await kctx.newPage();
  await k.goto(`${base}/`);
  await k.keyboard.press("Tab");
  check((await k.evaluate(() => document.activeElement?.textContent)) === "Hoppa till innehållet", "the first Tab reaches the skip link");
  await k.keyboard.press("Enter");
  check((await k.evaluate(() => document.activeElement?.id)) === "main", "the skip link moves focus to the content");
  await k.goto(`${base}/login`);
  await k.focus("#username");
  await k.keyboard.type("lasare");
  await k.keyboard.press("Tab");
  await k.keyboard.type("demo-läsare-lösenord");
  await Promise.all([k.waitForURL((u) => !u.pathname.startsWith("/login")), k.keyboard.press("Enter")]);
  check((await k.textContent("header"))?.includes("Inloggad som"), "log in with the keyboard");
  // Tab to the strategy link and follow it.
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await k.keyboard.press("Tab");
    reached = (await k.evaluate(() => document.activeElement?.textContent)) === "Integrationsstrategi 2020";
  }
  check(reached, "Tab reaches the strategy link");
  await Promise.all([k.waitForURL(/\/s\//), k.keyboard.press("Enter")]);
  check((await k.textContent("h1"))?.includes("uppföljning"), "the overview opens from the keyboard");
  await kctx.close();
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
if (tally.failures > 0) {
  console.log(`${tally.failures} browser check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
