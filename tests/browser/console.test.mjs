// Issue 23: the console in a real browser (Debian's chromium, driven by
// playwright-core; no browser download).  Logs in, reads the overview,
// replays a failed record, maps a cost code, sees a reconcile difference
// turn green after a run, resolves an ambiguous vendor by choosing a
// candidate (the next run links it), maps an unmapped cost code from the
// review page (the record posts);
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
  const { ZITEM, ZINC, UITEM, MAP_ACCOUNT, PROJECT } = process.env;
  // a fresh load of a page: going to the hash the page is on already
  // would not read the API again
  const fresh = async (name) => {
    await page.goto(url + '/console/#' + name);
    await page.reload();
    await ready(name);
  };
  const reconRow = async (code) => {
    await fresh('reconcile');
    return page.getAttribute(`#page tr[data-key="${PROJECT}|${code}"]`, 'class');
  };
  await step('the reconciliation shows rows and a chart of the posted cost', async () => {
    assert.equal(await reconRow('03-300'), 'diff', 'the cost approved after the last run is a difference');
    assert.match(await page.textContent('#recon-summary'), /difference/);
    const bars = await page.$$('svg.chart rect');
    assert.ok(bars.length > 0, 'the costs flow ran: the chart has bars');
    await shot('reconcile');
  });
  await step('a reconcile difference turns green after a run started from the overview', async () => {
    await page.goto(url + '/console/#overview');
    await ready('overview');
    await page.focus('#run-flow-costs');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /costs run queued/.test(document.getElementById('status').textContent));
    let cls = 'diff';
    for (let i = 0; i < 60 && cls !== 'same'; i++) {
      await page.waitForTimeout(1000);
      cls = await reconRow('03-300');
    }
    assert.equal(cls, 'same', 'the row is no longer a difference: ' + await page.textContent(`#page tr[data-key="${PROJECT}|03-300"]`));
    await shot('reconcile-green');
  });
  await step('resolve an ambiguous vendor by choosing a candidate, side by side', async () => {
    await page.goto(url + '/console/#review');
    await ready('review');
    await page.focus(`button.open-item[data-item="${ZITEM}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#compare');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'item-title', 'focus moves to the item');
    const heads = await page.$$eval('#compare thead th', (t) => t.map((x) => x.textContent));
    assert.deepEqual(heads.slice(0, 2), ['Field', 'This record']);
    assert.equal(heads.length, 4, 'the record and its two candidates');
    assert.ok((await page.$$('#compare td.differs')).length > 0, 'the differing fields are marked');
    const unlabeled = await page.$$eval('#review-item input, #review-item textarea', (els) =>
      els.filter((e) => !(e.labels && e.labels.length)).map((e) => e.id));
    assert.deepEqual(unlabeled, []);
    await shot('review-vendor');
    await page.focus(`#resolve-form input[value="link:${ZINC}"]`);
    await page.keyboard.press('Space');
    await page.fill('#resolve-why', 'same tax id as the Inc.');
    await page.focus('#resolve-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /resolved: link/.test(document.getElementById('status').textContent));
    assert.match(await page.textContent('#status'), new RegExp('link ' + ZINC));
  });
  await step('the next run links the vendor (started from the overview)', async () => {
    await page.goto(url + '/console/#overview');
    await ready('overview');
    await page.click('#run-flow-vendors');
    await page.waitForFunction(() => /vendors run queued/.test(document.getElementById('status').textContent));
    let text = '';
    for (let i = 0; i < 60 && !/\(applied\)/.test(text); i++) {
      await page.waitForTimeout(1000);
      await fresh('review');
      await page.check('#review-all');
      await page.waitForSelector(`#page[data-ready="review"] #review-all:checked`);
      text = (await page.textContent(`button.open-item[data-item="${ZITEM}"] >> xpath=ancestor::tr`)) || '';
    }
    assert.match(text, /link \d+ by ada \(applied\)/, text);
    await shot('review-vendor-applied');
    await page.goto(url + '/console/#audit');
    await ready('audit');
    await page.fill('#q-doc', `review item ${ZITEM}`);
    await page.click('#audit-search button[type=submit]');
    await page.waitForSelector('#audit-rows table');
    const trail = await page.textContent('#audit-rows table');
    assert.match(trail, /resolve/);
    assert.match(trail, /user:ada/, 'the console action is in the audit with the user');
    await shot('audit-resolve');
  });
  await step('fix an unmapped cost code from the review page and see the record post', async () => {
    assert.equal(await reconRow('14-200'), 'diff', 'the parked cost is a difference');
    await page.goto(url + '/console/#review');
    await ready('review');
    await page.click(`button.open-item[data-item="${UITEM}"]`);
    await page.waitForSelector('#resolve-form');
    assert.match(await page.textContent('#item-reason'), /14-200/);
    await page.check('#resolve-form input[value="map"]');
    await page.fill('#map-to', MAP_ACCOUNT);
    await page.fill('#resolve-why', 'materials');
    await shot('review-unmapped');
    await page.click('#resolve-submit');
    await page.waitForFunction(() => /resolved: map|error|refused/i.test(document.getElementById('status').textContent), null, { timeout: 120000 });
    assert.match(await page.textContent('#status'), /resolved: map \d+; the record: create/);
    assert.equal(await reconRow('14-200'), 'same', 'the posted cost reconciles');
    await shot('reconcile-after-map');
  });
} finally {
  await browser.close();
}
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
