// Browser test of the live console, run by cmd/vigil/console_browser_test.go
// (which builds and starts `vigil serve` on testdata/console, installs
// playwright-core and Chromium, and sets the environment below).
//
//   VIGIL_URL          a server without a token, e.g. http://127.0.0.1:41234/
//   VIGIL_TOKEN_URL    the same resources served with -token (optional)
//   VIGIL_TOKEN        that token
//   CHROMIUM           the browser executable (Debian's /usr/bin/chromium)
//   FIREFOX            run in Firefox instead (e.g. Debian's /usr/bin/firefox-esr),
//                      over WebDriver BiDi (playwright-core's channel moz-firefox)
//   PLAYWRIGHT_DIR     the npm prefix holding node_modules/playwright-core
//   SCREENSHOT         where to save a screenshot (optional)
//
// Prints one line per check and the measured latencies; exits non-zero on
// the first failure.

import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';

const env = process.env;
const require = createRequire(path.join(env.PLAYWRIGHT_DIR, 'node_modules', 'x.js'));
const { chromium, firefox } = require('playwright-core');

const BUDGET_MS = 1000; // a change must show within this, measured in the page

function check(cond, msg) {
  if (!cond) throw new Error('check failed: ' + msg);
  console.log('ok   ' + msg);
}

/** POSTs Drasi HTTP-source events. */
async function post(base, events, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(new URL('v1/sources/feed/events', base), { method: 'POST', headers, body: JSON.stringify(events) });
  const body = await r.text();
  if (!r.ok) throw new Error(`POST events: ${r.status} ${body}`);
}

const item = (op, id, props) => ({
  operation: op,
  element: { type: 'node', id, labels: ['Item'], properties: props },
  timestamp: Date.now(),
});

/**
 * Arms a MutationObserver in the page that records (with the page's clock)
 * when a row containing `text` appears in (present) or leaves (!present) the
 * panel's table; then runs `action` and returns the latency from just before
 * the action to that moment. Node and the page share the machine's clock.
 */
async function measure(page, query, text, present, action) {
  await page.evaluate(({ query, text, present }) => {
    window.__seenAt = 0;
    const tbody = document.querySelector(`section.panel[data-query="${query}"] table.rows tbody`);
    const has = () => [...tbody.rows].some((r) => r.textContent.includes(text));
    if (has() === present) { window.__seenAt = Date.now(); return; }
    const mo = new MutationObserver(() => {
      if (has() === present) { window.__seenAt = Date.now(); mo.disconnect(); }
    });
    mo.observe(tbody, { childList: true, subtree: true, characterData: true });
  }, { query, text, present });
  const t0 = Date.now();
  await action();
  const seenAt = await page.waitForFunction(() => window.__seenAt, null, { timeout: 5000, polling: 10 })
    .then((h) => h.jsonValue())
    .catch(() => 0);
  if (!seenAt) throw new Error(`row "${text}" did not ${present ? 'appear' : 'disappear'} within 5 s`);
  return seenAt - t0;
}

function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console error: ' + m.text()); });
}

async function mainScenario(browser) {
  const base = env.VIGIL_URL;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  watchErrors(page, errors);
  await page.goto(base);

  const list = page.locator('#query-list');
  await list.locator('button[data-query="items"]').waitFor();
  check(await list.locator('li').count() === 3, 'the query list shows the three queries');

  // A query in error shows its error in the list and, selected, in its panel.
  const brokenErr = list.locator('li[data-query="broken"] p.error');
  await brokenErr.waitFor();
  check((await brokenErr.textContent()).includes('unknown function'), 'the broken query shows its error in the list');
  await list.locator('button[data-query="broken"]').click();
  const brokenPanel = page.locator('section.panel[data-query="broken"]');
  await brokenPanel.locator('.panel-error').waitFor();
  check((await brokenPanel.locator('.panel-error').textContent()).includes('nosuch.fn'), 'the broken query panel shows its error');
  await brokenPanel.getByRole('button', { name: 'Stop following broken' }).click();
  await brokenPanel.waitFor({ state: 'detached' });

  // Select the queries: the first running one is followed on load already.
  for (const q of ['items', 'totals']) {
    const b = list.locator(`button[data-query="${q}"]`);
    if (await b.getAttribute('aria-pressed') !== 'true') await b.click();
    await page.waitForFunction((q) => document.querySelector(`button[data-query="${q}"]`).getAttribute('aria-pressed') === 'true', q);
  }
  const panel = page.locator('section.panel[data-query="items"]');
  await panel.locator('.live.live').waitFor(); // SSE open
  await panel.locator('.no-rows').waitFor(); // snapshot received: no rows yet
  const heads = await panel.locator('thead th').allTextContents();
  check(heads.join(',') === 'name,qty', 'the results table has the query\'s columns as headers: ' + heads.join(', '));
  check(/#q=items,totals|#q=totals,items/.test(page.url()), 'the selection is kept in the URL: ' + new URL(page.url()).hash);

  // Sources and reactions status.
  await page.locator('#sources tbody th', { hasText: 'feed' }).waitFor();
  check(true, 'the sources table lists the HTTP source');
  await page.locator('#reactions tbody th', { hasText: 'stream' }).waitFor();
  check(true, 'the reactions table lists the SSE reaction');

  const name = 'widget-' + Math.random().toString(36).slice(2, 8);
  const rows = panel.locator('tbody tr');

  // Insert: the row appears, highlighted.
  const tAdd = await measure(page, 'items', name, true, () => post(base, [item('insert', name, { name, qty: 3 })]));
  check(tAdd <= BUDGET_MS, `the inserted row appeared in ${tAdd} ms (budget ${BUDGET_MS} ms)`);
  check(await rows.count() === 1, 'one row');
  const row = rows.first();
  check((await row.locator('td').allTextContents()).join('|') === `${name}|3`, 'the row shows name and qty');
  check((await row.getAttribute('class') || '').includes('flash-added'), 'the new row is highlighted');

  // The row trips the breaker on `items`: the breakers table shows it OPEN.
  await page.waitForFunction((key) => {
    const section = document.querySelector('#breakers-section');
    if (!section || section.hidden) return false;
    return [...section.querySelectorAll('tbody tr')].some((tr) => tr.cells[0].textContent === key
      && tr.cells[1].textContent === 'OPEN');
  }, name, { timeout: 8000 });
  check(true, 'the breakers table shows the tripped breaker OPEN');

  // Update: the same row is replaced in place.
  const tUpd = await measure(page, 'items', `${name}5`, true, () => post(base, [item('update', name, { name, qty: 5 })]));
  check(tUpd <= BUDGET_MS, `the updated row showed in ${tUpd} ms`);
  check(await rows.count() === 1, 'still one row after the update');
  check((await rows.first().getAttribute('class') || '').includes('flash-updated'), 'the updated row is highlighted');
  const totals = page.locator('section.panel[data-query="totals"] tbody tr');
  await page.waitForFunction(() => {
    const tr = document.querySelector('section.panel[data-query="totals"] tbody tr');
    return tr && tr.textContent === '15';
  }, null, { timeout: 2000 }).catch(() => {});
  check((await totals.first().locator('td').allTextContents()).join('|') === '1|5', 'the aggregate query follows (items 1, qty 5)');

  // Delete: the row disappears.
  const tDel = await measure(page, 'items', name, false, () => post(base, [{ operation: 'delete', element: { type: 'node', id: name, labels: ['Item'], properties: {} } }]));
  check(tDel <= BUDGET_MS, `the deleted row disappeared in ${tDel} ms (budget ${BUDGET_MS} ms)`);
  check(await rows.count() === 0, 'no rows');
  await panel.locator('.no-rows').waitFor();

  // Screen readers hear about it (announcements are batched).
  await page.waitForFunction(() => /items: .*(added|deleted)/.test(
    document.querySelector('section.panel[data-query="items"] .announce').textContent), null, { timeout: 3000 });
  check(true, 'the change is announced in an aria-live region');

  // The source's change count reaches the status table.
  await page.waitForFunction(() => {
    const th = [...document.querySelectorAll('#sources tbody th')].find((t) => t.textContent === 'feed');
    return th && Number(th.parentElement.cells[3].textContent) >= 3;
  }, null, { timeout: 8000 });
  check(true, 'the sources table counts the changes');

  if (env.SCREENSHOT) {
    await post(base, [item('insert', 'bolt', { name: 'bolt', qty: 12 }), item('insert', 'nut', { name: 'nut', qty: 40 })]);
    await page.waitForTimeout(300);
    await page.screenshot({ path: env.SCREENSHOT, fullPage: true });
  }
  check(errors.length === 0, 'no errors in the page' + (errors.length ? ': ' + errors.join('; ') : ''));
  await ctx.close();
  return { tAdd, tUpd, tDel };
}

/** Applies a YAML body as file `file` (POST v1/apply?file=). */
async function apply(base, file, yaml) {
  const r = await fetch(new URL('v1/apply?file=' + encodeURIComponent(file), base), {
    method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: yaml,
  });
  return { status: r.status, body: await r.text() };
}

const flakyQuery = (fn) => `apiVersion: v1
kind: ContinuousQuery
name: flaky
spec:
  sources: {subscriptions: [{id: feed, nodes: [{sourceLabel: Item}]}]}
  query: |
    MATCH (i:Item) RETURN ${fn}(i.name) AS x
`;

/**
 * Errors go away once fixed or deleted: a file that does not load, a query
 * in error, a webhook whose receiver fails and then recovers. The console
 * polls every 3 s, so each wait allows a few polls.
 */
async function errorsScenario(browser) {
  const base = env.VIGIL_URL;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  watchErrors(page, errors);
  await page.goto(base);
  const wait = { timeout: 8000 };

  // A file that does not parse: listed, then gone once the file is fixed.
  const box = page.locator('#load-errors');
  let r = await apply(base, 'console-errors.yaml', 'apiVersion: v1\nkind: ContinuousQuery\nname: flaky\nspec: {query: [\n');
  check(r.status === 400, 'a file that does not parse is refused: ' + r.body.trim());
  await box.waitFor({ state: 'visible', ...wait });
  check((await box.textContent()).includes('console-errors.yaml'), 'the load error names the file');
  r = await apply(base, 'console-errors.yaml', flakyQuery('nosuch.fn'));
  await box.waitFor({ state: 'hidden', ...wait });
  check(true, 'the load error disappears once the file applies');

  // A query in error: its error shows in the list and in its panel, and
  // goes from both once the query is fixed.
  const list = page.locator('#query-list');
  const err = list.locator('li[data-query="flaky"] p.error');
  await err.waitFor({ state: 'visible', ...wait });
  check((await err.textContent()).includes('nosuch.fn'), 'the broken query shows its error in the list');
  await list.locator('button[data-query="flaky"]').click();
  const panelErr = page.locator('section.panel[data-query="flaky"] .panel-error');
  await panelErr.waitFor({ state: 'visible', ...wait });
  r = await apply(base, 'console-errors.yaml', flakyQuery('toUpper'));
  check(r.status === 200, 'the fixed query applies: ' + r.body.trim());
  await err.waitFor({ state: 'hidden', ...wait });
  check(true, 'the query\'s error leaves the list once it is fixed');
  await panelErr.waitFor({ state: 'hidden', ...wait });
  check(true, 'and leaves its panel');

  // Broken again, then deleted: its entry (and its error) goes.
  await apply(base, 'console-errors.yaml', flakyQuery('nosuch.fn'));
  await err.waitFor({ state: 'visible', ...wait });
  const del = await fetch(new URL('v1/queries/flaky', base), { method: 'DELETE' });
  check(del.status === 200, 'the broken query is deleted');
  await list.locator('li[data-query="flaky"]').waitFor({ state: 'detached', ...wait });
  check(true, 'a deleted query leaves the list with its error');

  // A webhook whose receiver fails: the error shows while it does, and
  // the column is empty again once deliveries succeed.
  let failing = true;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.statusCode = failing ? 500 : 200; res.end(); });
  });
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
  try {
    const url = `http://127.0.0.1:${receiver.address().port}/hook`;
    r = await apply(base, 'console-hook.yaml', `apiVersion: v1
kind: Reaction
name: hook
spec:
  kind: Http
  queries: {items: }
  properties: {url: "${url}", baseDelay: 50ms, maxDelay: 200ms, maxAttempts: 1000}
`);
    check(r.status === 200, 'the webhook applies: ' + r.body.trim());
    const hookErr = page.locator('#reactions tbody tr', { has: page.locator('th', { hasText: /^hook$/ }) }).locator('td.error');
    await page.waitForFunction(() => {
      const th = [...document.querySelectorAll('#reactions tbody th')].find((t) => t.textContent === 'hook');
      return th && th.parentElement.querySelector('td.error').textContent.includes('500');
    }, null, wait);
    check(true, 'the failing webhook shows its error');
    failing = false;
    await page.waitForFunction(() => {
      const th = [...document.querySelectorAll('#reactions tbody th')].find((t) => t.textContent === 'hook');
      return th && th.parentElement.querySelector('td.error').textContent === '';
    }, null, wait);
    check(true, 'the error goes once the webhook delivers again: ' + JSON.stringify(await hookErr.textContent()));
    await fetch(new URL('v1/reactions/hook', base), { method: 'DELETE' });
  } finally {
    receiver.close();
  }

  const other = errors.filter((e) => !e.includes('404'));
  check(other.length === 0, 'no errors in the page' + (other.length ? ': ' + other.join('; ') : ''));
  await ctx.close();
}

async function tokenScenario(browser) {
  const base = env.VIGIL_TOKEN_URL, token = env.VIGIL_TOKEN;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  watchErrors(page, errors);

  const denied = await page.goto(base);
  check(denied.status() === 401, 'without the token the console answers 401');

  await page.goto(new URL('?token=' + encodeURIComponent(token), base).href);
  const panel = page.locator('section.panel[data-query="items"]');
  await panel.locator('.live.live').waitFor();
  check(!page.url().includes(token), 'the token is removed from the address bar');
  const cookies = await ctx.cookies();
  check(cookies.some((c) => c.name === 'vigil_token' && c.httpOnly), 'the token is kept in an HttpOnly cookie');

  const tAdd = await measure(page, 'items', 'guarded', true, () => post(base, [item('insert', 'guarded', { name: 'guarded', qty: 1 })], token));
  check(tAdd <= BUDGET_MS, `with a token, the row appeared over SSE in ${tAdd} ms`);

  // The cookie is gone (e.g. the server restarted with another token): the
  // console asks for the token and carries on.
  await ctx.clearCookies();
  await page.locator('#auth').waitFor({ state: 'visible', timeout: 8000 });
  check(true, 'a rejected cookie brings up the token form');
  await page.getByLabel('Token', { exact: true }).fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#auth-error').waitFor();
  check(true, 'a wrong token is refused');
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#auth').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.querySelector('#conn').textContent === 'Connected', null, { timeout: 5000 });
  check(true, 'signing in with the form restores the console');

  // 401s (the first visit, the cleared cookie) show up as console errors.
  const other = errors.filter((e) => !e.includes('401'));
  check(other.length === 0, 'no other errors in the page' + (other.length ? ': ' + other.join('; ') : ''));
  await ctx.close();
}

const browser = env.FIREFOX
  ? await firefox.launch({ channel: 'moz-firefox', executablePath: env.FIREFOX, headless: true })
  : await chromium.launch({
    executablePath: env.CHROMIUM,
    headless: true,
    // Root (as in CI) cannot use Chromium's sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
console.log(`browser ${env.FIREFOX ? 'firefox' : 'chromium'} ${browser.version()}`);
try {
  const t = await mainScenario(browser);
  await errorsScenario(browser);
  if (env.VIGIL_TOKEN_URL) await tokenScenario(browser);
  console.log(`latency insert=${t.tAdd}ms update=${t.tUpd}ms delete=${t.tDel}ms`);
} finally {
  await browser.close();
}
