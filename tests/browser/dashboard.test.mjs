// The dashboard in a real browser (Debian's headless chromium, driven by puppeteer-core): signs
// in as an analyst and as a partner, opens every page of each, and checks that
//  - every chart canvas is a Chart.js chart whose datasets hold numbers, whose plotted elements
//    exist, and whose canvas is not blank (pixels drawn);
//  - no page shows an error, a console error, a failed request or a CSP violation;
//  - the session cookie is HttpOnly, SameSite=Strict, Path=/, and invisible to scripts;
//  - a state-changing request with the cookie but without the CSRF token is refused (403) and
//    one with it goes through; signing out ends the session (401 afterwards);
//  - nothing the partner's browser receives or shows names another brand or another brand's
//    product (and its own brand does appear: the check can fail);
//  - the pages fit a phone's width.
// Screenshots (desktop and phone width) go to $LTV_SCREENSHOTS. Started by tests/browser/run.sh.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import puppeteer from 'puppeteer-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run tests/browser/run.sh)`);
  return v;
};
const url = env('LTV_URL').replace(/\/$/, '');
const analystToken = env('LTV_ANALYST_TOKEN');
const partnerToken = env('LTV_PARTNER_TOKEN');
const partnerBrands = env('LTV_PARTNER_BRANDS').split(',');
const shots = env('LTV_SCREENSHOTS');

// Other brands and their products (ids, and names when the file has them), from the simulated
// products file. An other brand's product id that is part of one of the partner's own product ids
// (e.g. "tea" in "green tea") could not be told apart in a page and is left out of the check.
const products = fs.readFileSync(env('LTV_PRODUCTS_CSV'), 'utf8').trim().split('\n');
const header = products.shift().split(',');
const col = (name) => header.indexOf(name);
const idColumn = col('product') >= 0 ? col('product') : col('product_id');
const otherBrands = new Set();
const otherProducts = new Set();
const ownProducts = [];
for (const line of products) {
  const cells = line.split(',');
  const brand = cells[col('brand')];
  const names = [cells[idColumn]].concat(col('name') >= 0 && cells[col('name')] ? [cells[col('name')]] : []);
  if (partnerBrands.includes(brand)) {
    ownProducts.push(...names);
  } else {
    otherBrands.add(brand);
    for (const n of names) otherProducts.add(n);
  }
}
for (const n of [...otherProducts]) {
  if (ownProducts.some((own) => own.includes(n))) otherProducts.delete(n);
}
if (otherBrands.size === 0 || otherProducts.size < 10) {
  throw new Error(`the simulated data has too little of other brands to check isolation (${otherBrands.size} brands, ${otherProducts.size} products)`);
}

let checks = 0;
const failures = [];
function check(condition, what) {
  checks += 1;
  if (!condition) {
    failures.push(what);
    console.error('FAIL ' + what);
  }
}

const browser = await puppeteer.launch({
  executablePath: env('LTV_CHROMIUM'),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});

/// A fresh browser context (own cookies) with a page that records problems.
async function openPage(who) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({width: 1280, height: 900});
  const problems = {console: [], requests: [], bodies: []};
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.console.push('page error: ' + e.message));
  page.on('response', async (r) => {
    if (r.status() >= 400) problems.requests.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    if (r.request().resourceType() === 'fetch' || r.request().resourceType() === 'xhr' ||
        r.request().resourceType() === 'document') {
      try {
        problems.bodies.push({url: r.url(), body: await r.text()});
      } catch (e) { /* a redirect has no body */ }
    }
  });
  await page.evaluateOnNewDocument(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation',
                              (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {context, page, problems, who};
}

async function signIn(s, token) {
  const response = await s.page.goto(url + '/', {waitUntil: 'load'});
  const h = response.headers();
  check(/script-src 'self'/.test(h['content-security-policy'] || '') &&
        /frame-ancestors 'none'/.test(h['content-security-policy'] || '') &&
        !/unsafe-inline/.test(h['content-security-policy'] || ''),
        `${s.who}: the sign-in page has a strict CSP (${h['content-security-policy']})`);
  check(h['x-content-type-options'] === 'nosniff', `${s.who}: X-Content-Type-Options nosniff`);
  check(h['referrer-policy'] === 'no-referrer', `${s.who}: Referrer-Policy no-referrer`);
  await s.page.type('#token', token);
  await Promise.all([s.page.waitForNavigation({waitUntil: 'load'}), s.page.click('#login-button')]);
  check(s.page.url() === url + '/app/dashboard.html', `${s.who}: signed in and on the dashboard (${s.page.url()})`);
  await s.page.waitForFunction(() => document.body.dataset.ready === 'true', {timeout: 30000})
      .catch(() => check(false, `${s.who}: the dashboard's first page was drawn (${s.problems.console.join('; ')})`));
  const cookies = await s.context.cookies();
  const session = cookies.find((c) => c.name === 'ltv_session');
  check(session && session.httpOnly && session.sameSite === 'Strict' && session.path === '/',
        `${s.who}: the session cookie is HttpOnly, SameSite=Strict, Path=/ (${JSON.stringify(session)})`);
  check(!(await s.page.evaluate(() => document.cookie)).includes('ltv_session'),
        `${s.who}: scripts cannot read the session cookie`);
}

/// Waits for the page `id` to be drawn, then checks it (inspect()); screenshots at desktop and
/// phone width.
async function checkPage(s, id, hash, minCharts) {
  await s.page.evaluate((h) => { window.location.hash = h; }, hash);
  await s.page.waitForFunction((p) => document.body.dataset.ready === 'true' && document.body.dataset.page === p,
                               {timeout: 30000}, id);
  const result = await inspect(s, id, minCharts);
  await s.page.screenshot({path: path.join(shots, `${s.who}-${id}.png`), fullPage: true});
  // Phone width: the page fits (no sideways scrolling of the page; wide tables scroll inside).
  // (Only the size changes: switching isMobile would reload the page.)
  await s.page.setViewport({width: 390, height: 844});
  await new Promise((r) => setTimeout(r, 300));  // Chart.js resizes on the next frame
  const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `${s.who} ${id}: fits a 390 px wide phone (overflows by ${overflow} px)`);
  await s.page.screenshot({path: path.join(shots, `${s.who}-${id}-phone.png`), fullPage: true});
  await s.page.setViewport({width: 1280, height: 900});
  return result;
}

/// The drawn page's charts, errors and notes, checked: every canvas a Chart.js chart with
/// numbers, plotted elements, titled axes and drawn pixels.
async function inspect(s, id, minCharts) {
  const result = await s.page.evaluate(() => {
    const out = {charts: [], canvases: document.querySelectorAll('canvas').length,
                 errors: [...document.querySelectorAll('.error')].map((e) => e.textContent),
                 empty: [...document.querySelectorAll('.empty')].map((e) => e.textContent),
                 csp: window.__csp.slice(), text: document.body.innerText, html: document.documentElement.outerHTML};
    for (const canvas of document.querySelectorAll('canvas')) {
      const chart = Chart.getChart(canvas);
      const c = {title: canvas.dataset.chart, chart: !!chart, datasets: 0, points: 0, elements: 0, painted: 0,
                 xTitle: '', yTitle: ''};
      if (chart) {
        c.datasets = chart.data.datasets.length;
        chart.data.datasets.forEach((d, i) => {
          c.points += d.data.filter((v) => typeof v === 'number' && Number.isFinite(v)).length;
          c.elements += chart.getDatasetMeta(i).data.filter((e) => !e.skip && Number.isFinite(e.x) && Number.isFinite(e.y)).length;
        });
        c.xTitle = chart.options.scales.x.title.display ? chart.options.scales.x.title.text : '';
        c.yTitle = chart.options.scales.y.title.display ? chart.options.scales.y.title.text : '';
        // Pixels drawn: the canvas starts transparent; count pixels with some opacity.
        const ctx = canvas.getContext('2d');
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < img.length; i += 4) if (img[i] > 0) c.painted += 1;
        c.area = canvas.width * canvas.height;
      }
      out.charts.push(c);
    }
    return out;
  });
  check(result.errors.length === 0, `${s.who} ${id}: no error shown (${result.errors.join('; ')})`);
  check(result.csp.length === 0, `${s.who} ${id}: no CSP violation (${result.csp.join('; ')})`);
  check(result.charts.length >= minCharts, `${s.who} ${id}: at least ${minCharts} charts (found ${result.charts.length})`);
  check(result.empty.length === 0 || id === 'customer',
        `${s.who} ${id}: no empty-data note on the simulated data (${result.empty.join('; ')})`);
  for (const c of result.charts) {
    const name = `${s.who} ${id} chart "${c.title}"`;
    check(c.chart, `${name}: the canvas is a Chart.js chart`);
    check(c.datasets > 0 && c.points > 0, `${name}: datasets with numbers (${c.datasets} datasets, ${c.points} points)`);
    check(c.elements > 0, `${name}: plotted marks (${c.elements} elements)`);
    check(c.painted > 0.01 * c.area, `${name}: the canvas is not blank (${c.painted} of ${c.area} pixels drawn)`);
    check(c.xTitle && c.yTitle, `${name}: labelled axes ("${c.xTitle}", "${c.yTitle}")`);
  }
  return result;
}

function checkQuiet(s, allowedRequests) {
  const requests = s.problems.requests.filter((r) => !allowedRequests.some((a) => r.includes(a)));
  const consoleErrors = s.problems.console.filter(
      (m) => !(/Failed to load resource/.test(m) && allowedRequests.length));
  check(requests.length === 0, `${s.who}: no failed request (${requests.join('; ')})`);
  check(consoleErrors.length === 0, `${s.who}: no console error (${consoleErrors.join('; ')})`);
}

try {
  // ------------------------------------------------------------------ analyst
  const a = await openPage('analyst');
  // A wrong token: a clear message, no session.
  await a.page.goto(url + '/', {waitUntil: 'load'});
  await a.page.type('#token', 'f'.repeat(64));
  await a.page.click('#login-button');
  await a.page.waitForSelector('#login-error:not([hidden])');
  check(/not valid/.test(await a.page.$eval('#login-error', (e) => e.textContent)),
        'analyst: a wrong token is refused with a message');
  check(!(await a.context.cookies()).some((c) => c.name === 'ltv_session'), 'analyst: no cookie for a wrong token');
  await a.page.$eval('#token', (e) => { e.value = ''; });
  await signIn(a, analystToken);

  const navAnalyst = await a.page.$$eval('#nav a', (links) => links.map((l) => l.dataset.page));
  check(JSON.stringify(navAnalyst) === JSON.stringify(['overview', 'segments', 'actions', 'ltv', 'cohorts', 'acquisition', 'customer']),
        `analyst: the analyst pages are offered (${navAnalyst})`);
  const minCharts = {overview: 2, segments: 2, actions: 1, ltv: 1, cohorts: 3, acquisition: 4, customer: 0};
  let topCustomer = null;
  for (const id of navAnalyst) {
    await checkPage(a, id, '#' + id, minCharts[id]);
    if (id === 'ltv') {
      topCustomer = await a.page.$eval('table a[href^="#customer/"]', (e) => e.textContent).catch(() => null);
      check(!!topCustomer, 'analyst ltv: the top customers table links to customer pages');
    }
  }
  // The customer page: search by the beginning of an id, then one customer.
  if (topCustomer) {
    await a.page.type('#customer-search', topCustomer.slice(0, Math.max(1, topCustomer.length - 1)));
    await a.page.click('#customer-search + button');
    await a.page.waitForFunction(() => document.querySelector('#customer-results li, #customer-detail .tiles'),
                                 {timeout: 15000});
    const r = await checkPage(a, 'customer', '#customer/' + encodeURIComponent(topCustomer), 1);
    check(r.text.includes(topCustomer) && /Predicted CLV/.test(r.text) && /RFM segment/.test(r.text),
          `analyst customer: the page shows ${topCustomer}'s summary, scores and segment`);
    check(/Today's actions and why/.test(r.text), 'analyst customer: the actions section (with reasons) is there');
  }
  // CSRF: with the cookie, a state-changing request needs the session's token.
  const csrf = await a.page.evaluate(async () => {
    const status = async (method, path, headers, body) =>
      (await fetch(path, {method, credentials: 'same-origin', headers, body})).status;
    const session = await (await fetch('/api/v1/session', {credentials: 'same-origin'})).json();
    return {
      token: session.csrf_token,
      without: await status('POST', '/api/v1/runs', {'Content-Type': 'application/json'}, '{"horizon": "x"}'),
      wrong: await status('POST', '/api/v1/runs', {'Content-Type': 'application/json', 'X-CSRF-Token': '0'.repeat(64)}, '{"horizon": "x"}'),
      // With the token the request reaches the route (its bad body is then refused: 400).
      right: await status('POST', '/api/v1/runs', {'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token}, '{"horizon": "x"}'),
      logoutWithout: await status('DELETE', '/api/v1/session', {}),
    };
  });
  check(/^[0-9a-f]{64}$/.test(csrf.token || ''), 'analyst: GET /api/v1/session gives the CSRF token');
  check(csrf.without === 403 && csrf.wrong === 403, `analyst: no or a wrong X-CSRF-Token is refused (${csrf.without}, ${csrf.wrong})`);
  check(csrf.right === 400, `analyst: the right X-CSRF-Token reaches the route (${csrf.right})`);
  check(csrf.logoutWithout === 403, `analyst: sign-out without the CSRF token is refused (${csrf.logoutWithout})`);
  // Sign out with the button: back to the sign-in page, and the cookie no longer opens anything.
  await Promise.all([a.page.waitForNavigation({waitUntil: 'load'}), a.page.click('#logout')]);
  check(a.page.url() === url + '/', `analyst: signing out returns to the sign-in page (${a.page.url()})`);
  const after = await a.page.evaluate(async () => (await fetch('/api/v1/kpis/headline', {credentials: 'same-origin'})).status);
  check(after === 401, `analyst: after signing out the API answers 401 (${after})`);
  checkQuiet(a, ['401 POST ' + url + '/api/v1/session', '403 POST ' + url + '/api/v1/runs',
                 '400 POST ' + url + '/api/v1/runs', '403 DELETE ' + url + '/api/v1/session',
                 '401 GET ' + url + '/api/v1/kpis/headline']);
  await a.context.close();

  // ------------------------------------------------------------------ partner
  const p = await openPage('partner');
  await signIn(p, partnerToken);
  const navPartner = await p.page.$$eval('#nav a', (links) => links.map((l) => l.dataset.page));
  check(JSON.stringify(navPartner) === JSON.stringify(['brand', 'cohorts', 'value', 'penetration']),
        `partner: only the partner pages are offered (${navPartner})`);
  const partnerMin = {brand: 2, cohorts: 1, value: 2, penetration: 1};
  let ownBrandSeen = false;
  for (const id of navPartner) {
    const r = await checkPage(p, id, '#' + id, partnerMin[id]);
    ownBrandSeen = ownBrandSeen || partnerBrands.every((b) => r.text.includes(b));
    const leaked = [...otherBrands, ...otherProducts].filter((other) => r.html.includes(other));
    check(leaked.length === 0, `partner ${id}: the page names none of ${otherBrands.size} other brands ` +
          `and ${otherProducts.size} other products (found: ${leaked.join(', ')})`);
    check(ownProducts.some((own) => r.html.includes(own)) || id !== 'penetration',
          `partner ${id}: the page names its own new products (the check above can fail)`);
  }
  check(ownBrandSeen, `partner: its own brands ${partnerBrands} are shown (the isolation check can fail)`);
  // The brand picker (the partner has two brands): one brand narrows the KPIs.
  if (partnerBrands.length > 1) {
    await checkPage(p, 'brand', '#brand', partnerMin.brand);
    const options = await p.page.$$eval('#brand-picker option', (o) => o.map((x) => x.value));
    check(JSON.stringify(options) === JSON.stringify([''].concat(partnerBrands)),
          `partner: the brand picker offers all its brands and only them (${options})`);
    const revenue = async () => p.page.$$eval('.tile', (tiles) => {
      const t = tiles.find((x) => x.querySelector('.label').textContent === 'Revenue');
      return Number(t.querySelector('.value').textContent.replace(/[^0-9.]/g, ''));
    });
    const all = await revenue();
    await p.page.select('#brand-picker', partnerBrands[1]);
    await p.page.waitForFunction((b) => document.body.dataset.ready === 'true' &&
        [...document.querySelectorAll('.tile')].some((t) => t.textContent.startsWith('Brands') &&
                                                            t.querySelector('.value').textContent === b),
                                 {timeout: 30000}, partnerBrands[1]);
    const r = await inspect(p, 'brand', partnerMin.brand);
    const one = await revenue();
    check(one > 0 && one < all, `partner: one brand's revenue (${one}) is part of all its brands' (${all})`);
    const tileBrands = await p.page.$$eval('.tile', (tiles) =>
      tiles.find((t) => t.querySelector('.label').textContent === 'Brands').querySelector('.value').textContent);
    check(tileBrands === partnerBrands[1] && r.charts.length >= partnerMin.brand,
          `partner: narrowed to ${partnerBrands[1]}, the KPIs are of that brand alone (${tileBrands})`);
    await p.page.screenshot({path: path.join(shots, 'partner-brand-one-brand.png'), fullPage: true});
  }
  // Everything the partner's browser received (pages and API answers).
  check(p.problems.bodies.length > 5, `partner: the API answers were recorded (${p.problems.bodies.length})`);
  const sent = [];
  for (const {url: u, body} of p.problems.bodies) {
    for (const other of [...otherBrands, ...otherProducts]) {
      if (body.includes(other)) sent.push(`${u}: ${other}`);
    }
  }
  check(sent.length === 0, `partner: no answer its browser received names another brand or its products (${sent.join('; ')})`);
  // An analyst page is not for a partner: the API refuses it.
  const denied = await p.page.evaluate(async () => (await fetch('/api/v1/kpis/headline', {credentials: 'same-origin'})).status);
  check(denied === 403, `partner: an analyst route answers 403 (${denied})`);
  checkQuiet(p, ['403 GET ' + url + '/api/v1/kpis/headline']);
  await p.context.close();
} finally {
  await browser.close();
}

console.log(`${checks - failures.length} of ${checks} checks passed; screenshots in ${shots}`);
if (failures.length) {
  console.error(`${failures.length} failed:\n  ` + failures.join('\n  '));
  process.exit(1);
}
