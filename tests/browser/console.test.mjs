// Issue 23: the console in a real browser (Debian's chromium, driven by
// playwright-core; no browser download).  Logs in, reads the overview,
// replays a failed record, maps a cost code, reads the reconciliation;
// keyboard only for the login; a screenshot of each page under SHOTS.
// Usage: node console.test.mjs URL USER PASSWORD SHOTS_DIR
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// installed outside the tree by scripts/install-deps (test_console_browser.sh)
const { chromium } = await import(pathToFileURL(process.env.PLAYWRIGHT_CORE).href);

const [url, user, password, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;
async function step(name, fn) {
  try { await fn(); console.log('ok - ' + name); } catch (e) { failed++; console.log('not ok - ' + name + '\n    ' + e.message); }
}
const page = await browser.newPage();
const shot = (n) => page.screenshot({ path: `${shots}/${n}.png`, fullPage: true });
const ready = (p) => page.waitForSelector(`#page[data-ready="${p}"]`, { timeout: 60000 });
try {
  await page.goto(url + '/console/');
  await step('every control has a label', async () => {
    const unlabeled = await page.$$eval('input, select', (els) =>
      els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id));
    assert.deepEqual(unlabeled, []);
  });
  await step('log in with the keyboard only', async () => {
    await page.waitForSelector('#login:not([hidden])');
    await page.keyboard.press('Tab'); // skip link
    await page.focus('#login-user');
    await page.keyboard.type(user);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await ready('overview');
    assert.match(await page.textContent('#who'), new RegExp(user));
  });
  await step('the overview shows each flow with its last run', async () => {
    const text = await page.textContent('#page');
    assert.match(text, /purchase-orders/);
    assert.match(text, /Webhooks received/);
    await shot('overview');
  });
  await step('the nav links are reachable by keyboard', async () => {
    await page.focus('a[data-page="runs"]');
    await page.keyboard.press('Enter');
    await ready('runs');
    await shot('runs');
  });
  await step('replay a failed record', async () => {
    await page.goto(url + '/console/#failed');
    await ready('failed');
    await shot('failed');
    const before = await page.$$('button.replay');
    assert.ok(before.length > 0, 'a failed record is listed');
    await before[0].click();
    await page.waitForFunction(() => /replayed:/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
    const msg = await page.textContent('#status');
    assert.doesNotMatch(msg, /-> fail/, msg);
    await shot('failed-replayed');
  });
  await step('the audit trail is searchable and exportable', async () => {
    await page.goto(url + '/console/#audit');
    await ready('audit');
    await page.fill('#q-status', 'ok');
    await page.click('#audit-search button[type=submit]');
    await page.waitForSelector('#audit-rows table');
    assert.match(await page.getAttribute('#audit-csv', 'href'), /format=csv&status=ok/);
    await shot('audit');
  });
  await step('map a cost code from the mappings page', async () => {
    await page.goto(url + '/console/#mappings');
    await ready('mappings');
    await page.fill('#map-code', '98-765');
    await page.fill('#map-account', process.env.ACCOUNT);
    await page.click('#map-save');
    await page.waitForFunction(() => /mapping saved/.test(document.getElementById('status').textContent));
    await ready('mappings');
    const row = await page.textContent('#page table');
    assert.match(row, /98-765/);
    await shot('mappings');
  });
  await step('the reconciliation shows rows and a chart', async () => {
    await page.goto(url + '/console/#reconcile');
    await ready('reconcile');
    assert.match(await page.textContent('#recon-summary'), /difference/);
    assert.ok(await page.$('svg.chart'));
    await shot('reconcile');
  });
  await step('the review queue lists parked records', async () => {
    await page.goto(url + '/console/#review');
    await ready('review');
    await shot('review');
  });
} finally {
  await browser.close();
}
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
