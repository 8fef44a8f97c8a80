// What the browser test scripts share: a free port, the checks' tally, axe-core on a page.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const tally = { failures: 0 };
export function check(cond, what) {
  if (cond) {
    console.log(`  ok    ${what}`);
  } else {
    tally.failures++;
    console.log(`  FAIL  ${what}`);
  }
}

// axe-core on the page: no serious or critical violation of WCAG 2.1 A/AA or best practice.
export async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) console.log(`        ${v.impact}: ${v.id} – ${v.help} (${v.nodes.length} element(s)): ${v.nodes[0]?.target}`);
  check(bad.length === 0, `axe-core: no serious or critical violation on ${name}`);
}
