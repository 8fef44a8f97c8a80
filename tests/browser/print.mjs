// The peer of scripts/bench-reports: headless Chromium (Debian's) printing each HTML report
// in DIR to PDF, as a browser-based report service would. The browser is started once and
// its start is not counted; each report's time runs from opening the page to the PDF's
// bytes. Prints a JSON list of milliseconds.
// Usage: node print.mjs DIR
import { chromium } from 'playwright-core';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2]);
const files = readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();
const times = [];
for (const f of files) {
  const start = performance.now();
  const page = await context.newPage();
  await page.goto('file://' + join(dir, f), { waitUntil: 'load' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true, tagged: true, outline: true });
  await page.close();
  times.push(performance.now() - start);
  writeFileSync(join(dir, f.replace(/\.html$/, '.chromium.pdf')), pdf);
}
await browser.close();
console.log(JSON.stringify(times));
