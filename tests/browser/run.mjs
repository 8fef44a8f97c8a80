// Browser tests in a real headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core, against `etablera demo` on a free port:
//   the main flow (log in, overview, target page, English, log out), the same with the
//   keyboard alone, and axe-core on every page type (no serious or critical violation).
// Usage: node run.mjs [path to the etablera binary]
import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const bin = process.argv[2] ?? "../../target/debug/etablera";
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let failures = 0;
function check(cond, what) {
  if (cond) {
    console.log(`  ok    ${what}`);
  } else {
    failures++;
    console.log(`  FAIL  ${what}`);
  }
}

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

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) console.log(`        ${v.impact}: ${v.id} – ${v.help} (${v.nodes.length} element(s)): ${v.nodes[0]?.target}`);
  check(bad.length === 0, `axe-core: no serious or critical violation on ${name}`);
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
if (failures > 0) {
  console.log(`${failures} browser check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
