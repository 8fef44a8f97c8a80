// eID login in a real headless Chromium through a full OpenID Connect provider: the npm
// package oidc-provider (certified by the OpenID Foundation), run here on a free port with
// its development login pages, and `etablera serve` configured with it as `[[oidc]]`.
//   The login page shows the provider's button; the browser goes to the provider, logs in,
//   consents, and comes back logged in to the account the operator linked the identity to.
//   axe-core checks the login page with the button, the provider's refusal page and the
//   administrators' page of linked identities.
// Usage: node eid.mjs [path to the etablera binary]
import { chromium } from "playwright-core";
import { axe, check, executablePath, freePort, tally } from "./common.mjs";
import Provider from "oidc-provider";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const bin = process.argv[2] ?? "../../target/debug/etablera";

function run(args, env = {}) {
  const r = spawnSync(bin, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`etablera ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const appPort = await freePort();
const idpPort = await freePort();
const app = `http://127.0.0.1:${appPort}`;
const issuer = `http://127.0.0.1:${idpPort}`;
const secret = randomBytes(24).toString("hex");

// The provider: one confidential client (Etablera), PKCE required, accounts whose id is
// whatever is typed on its development login page.
const oidc = new Provider(issuer, {
  clients: [
    {
      client_id: "etablera",
      client_secret: secret,
      redirect_uris: [`${app}/login/eid/kommun-idp/callback`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@kommun.example`, email_verified: true }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: [randomBytes(16).toString("hex")] },
});
const idpServer = oidc.listen(idpPort);

// Etablera: the demo's database, the identity `strateg` at this provider linked by the
// operator to the demo account `strateg`, and the server configured with the provider.
const out = mkdtempSync(join(tmpdir(), "etablera-eid-"));
const db = join(out, "eid.db");
run(["--database", db, "demo", "--no-serve", "--out", out]);
run(["--database", db, "identity", "link", "strateg", "--provider", "kommun-idp", "--issuer", issuer, "--subject", "strateg"]);
const config = join(out, "etablera.toml");
writeFileSync(
  config,
  `public_url = "${app}"
[[oidc]]
id = "kommun-idp"
name = "Kommunens IdP"
issuer = "${issuer}"
client_id = "etablera"
client_secret_env = "ETABLERA_OIDC_KOMMUN_IDP_SECRET"
scopes = ["email"]
`,
);
const server = spawn(bin, ["--database", db, "serve", "--config", config, "--addr", `127.0.0.1:${appPort}`], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, ETABLERA_LOG: "warn", ETABLERA_OIDC_KOMMUN_IDP_SECRET: secret },
});
await new Promise((resolve, reject) => {
  let seen = "";
  server.stdout.on("data", (d) => {
    seen += d;
    if (seen.includes("Serving Etablera")) resolve();
  });
  server.on("exit", (code) => reject(new Error(`etablera serve exited with ${code}`)));
  setTimeout(() => reject(new Error("etablera serve did not start in 60 s")), 60_000);
});
await new Promise((r) => setTimeout(r, 300));

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  console.log("eID login through oidc-provider");
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${app}/login`);
  const button = page.getByRole("link", { name: "Logga in med Kommunens IdP" });
  check((await button.count()) === 1, "the login page has the provider's button");
  await axe(page, "the login page with an eID button");
  await button.click();
  await page.waitForURL((u) => u.toString().startsWith(issuer));
  check(page.url().startsWith(`${issuer}/interaction/`), "the browser is at the provider's login page");
  await page.fill('input[name="login"]', "strateg");
  await page.fill('input[name="password"]', "vad som helst");
  await page.click('button[type="submit"]');
  // The provider asks for consent to share the scopes with Etablera.
  await page.waitForURL((u) => u.toString().startsWith(`${issuer}/interaction/`) || u.toString().startsWith(app));
  if (page.url().startsWith(issuer)) await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.toString().startsWith(app) && !u.toString().includes("/callback"));
  const body = await page.textContent("body");
  check(body.includes("Sara Strateg"), "back at Etablera, logged in as the linked account");
  const cookies = await context.cookies(app);
  check(cookies.some((c) => c.name === "etablera_session" && c.httpOnly), "the session cookie is set, HttpOnly");
  check(!cookies.some((c) => c.name === "etablera_eid_state"), "the state cookie is gone");
  await page.click('form[action="/logout"] button');
  await context.close();

  console.log("an identity linked to no account");
  const c2 = await browser.newContext({ bypassCSP: true });
  const p2 = await c2.newPage();
  await p2.goto(`${app}/login`);
  await p2.getByRole("link", { name: "Logga in med Kommunens IdP" }).click();
  await p2.waitForURL((u) => u.toString().startsWith(issuer));
  await p2.fill('input[name="login"]', "okand");
  await p2.fill('input[name="password"]', "vad som helst");
  await p2.click('button[type="submit"]');
  await p2.waitForURL((u) => u.toString().startsWith(`${issuer}/interaction/`) || u.toString().startsWith(app));
  if (p2.url().startsWith(issuer)) await p2.click('button[type="submit"]');
  await p2.waitForURL((u) => u.toString().startsWith(app));
  const alert = await p2.textContent('[role="alert"]');
  check(alert.includes("inte kopplad till något konto"), "refused with the reason, in Swedish");
  check(!(await c2.cookies(app)).some((c) => c.name === "etablera_session"), "no session for an unlinked identity");
  await axe(p2, "the eID refusal page");
  await c2.close();

  console.log("the administrators' page of linked identities");
  const c3 = await browser.newContext({ bypassCSP: true });
  const p3 = await c3.newPage();
  await p3.goto(`${app}/login`);
  await p3.fill("#username", "admin");
  await p3.fill("#password", "demo-admin-lösenord");
  await p3.click('form[action="/login"] button[type="submit"]');
  await p3.goto(`${app}/admin/identiteter`);
  check((await p3.textContent("table")).includes("Kommunens IdP"), "the linked identity is listed with its provider");
  await axe(p3, "the linked identities page");
  await c3.close();
} catch (e) {
  tally.failures++;
  console.log(`  FAIL  ${e.stack ?? e}`);
} finally {
  await browser.close();
  server.kill("SIGTERM");
  idpServer.close();
}
console.log(tally.failures === 0 ? "eID browser tests passed" : `${tally.failures} eID browser check(s) failed`);
process.exit(tally.failures === 0 ? 0 : 1);
