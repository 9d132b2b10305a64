// The ltvkit dashboard (served by `ltv serve`, compiled into the binary). Every figure comes from
// the JSON API of the same server, called with the session cookie: analysts and admins get the
// analyst pages, partners the pages of their own brands (the server scopes every answer; this
// script only shows what it is given). No inline script or style (the server's CSP forbids
// them); text is always set with textContent, never parsed as HTML.
'use strict';

const state = {session: null, run: null, charts: [], page: null};

// ------------------------------------------------------------------------------ helpers

/// Builds an element: el('td', {class: 'num'}, 'text' | node | [children]).
function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of [].concat(children === undefined ? [] : children)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/// GET (or another method) on the API with the session cookie; the JSON answer. A 401 means the
/// session ended: back to the sign-in page.
async function api(path, method) {
  const headers = {'Accept': 'application/json'};
  if (method && method !== 'GET') headers['X-CSRF-Token'] = state.session.csrf_token || '';
  const response = await fetch(path, {method: method || 'GET', credentials: 'same-origin', headers});
  if (response.status === 401) {
    window.location.assign('/');
    throw new ApiError(401, 'signed out');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status,
                       body && body.error ? body.error.message : 'HTTP ' + response.status);
  }
  return body;
}

const numberFormat = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
const decimalFormat = new Intl.NumberFormat('en-US', {maximumFractionDigits: 2});
const fmt = {
  int: (v) => (v === null || v === undefined ? '–' : numberFormat.format(v)),
  num: (v) => (v === null || v === undefined ? '–' : decimalFormat.format(v)),
  money: (v) => (v === null || v === undefined ? '–' : decimalFormat.format(v)),
  pct: (v) => (v === null || v === undefined ? '–' : decimalFormat.format(100 * v) + ' %'),
};

function tile(label, value, unit) {
  return el('div', {class: 'tile'}, [
    el('div', {class: 'label', text: label}),
    el('div', {class: 'value'}, [value, unit ? el('span', {class: 'unit', text: unit}) : null]),
  ]);
}

function card(title, children, extra) {
  return el('section', {class: 'card'}, [el('h3', {}, [title].concat(extra || []))].concat(children));
}

function csvLink(href, label) {
  return el('a', {class: 'download', href, download: true, text: label || 'Download CSV'});
}

function emptyNote(text) {
  return el('p', {class: 'empty', text});
}

/// True when some dataset has a number to plot.
function hasPoints(datasets) {
  return datasets.some((d) => d.data.some((v) => {
    const y = v !== null && typeof v === 'object' ? v.y : v;
    return typeof y === 'number' && Number.isFinite(y);
  }));
}

const palette = ['#2f6fb0', '#e07b39', '#3a9d5d', '#b23a48', '#7a5cb0', '#c9a227', '#3aa6b0',
                 '#8a8a8a', '#d45fa0', '#5c7a29', '#a0522d', '#1f3d7a'];

/// A chart card: Chart.js with labelled axes (units in the titles), or a clear note when there
/// is nothing to plot (no data, or every cell suppressed).
function chartCard(title, spec) {
  const datasets = spec.datasets.map((d, i) => Object.assign({
    backgroundColor: palette[i % palette.length],
    borderColor: palette[i % palette.length],
    borderWidth: spec.type === 'line' ? 2 : 0,
    pointRadius: spec.type === 'line' ? 2 : undefined,
    spanGaps: false,
  }, d));
  if (!spec.labels.length || !hasPoints(datasets)) {
    return card(title, [emptyNote(spec.empty || 'No data to chart for this selection.')]);
  }
  const canvas = el('canvas', {'aria-label': title, role: 'img', 'data-chart': title});
  const scales = {
    x: {title: {display: true, text: spec.x}, stacked: !!spec.stacked},
    y: {title: {display: true, text: spec.y}, beginAtZero: true, stacked: !!spec.stacked},
  };
  if (spec.y2) {
    scales.y2 = {title: {display: true, text: spec.y2}, beginAtZero: true, position: 'right',
                 grid: {drawOnChartArea: false}};
  }
  if (spec.yPercent) scales.y.ticks = {callback: (v) => v + ' %'};
  const chart = new Chart(canvas, {
    type: spec.type || 'bar',
    data: {labels: spec.labels, datasets},
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: {mode: 'index', intersect: false},
      plugins: {legend: {display: datasets.length > 1, position: 'bottom'}},
      scales,
    },
  });
  state.charts.push(chart);
  return card(title, [el('div', {class: 'chart-box'}, canvas)].concat(
      spec.note ? [el('p', {class: 'note', text: spec.note})] : []));
}

/// A table card; `columns`: [{key, label, kind: 'int'|'num'|'money'|'pct'|'text', wrap}].
function tableCard(title, columns, rows, links, options) {
  const opts = options || {};
  const head = el('tr', {}, columns.map((c) => el('th', {
    class: c.kind && c.kind !== 'text' ? 'num' : null, scope: 'col', text: c.label})));
  const body = rows.slice(0, opts.max || 500).map((row) => el('tr', {}, columns.map((c) => {
    const v = row[c.key];
    if (c.render) return el('td', {}, c.render(row));
    if (row.suppressed === true && c.kind && c.kind !== 'text' && v === null) {
      return el('td', {class: 'num suppressed', text: 'hidden'});
    }
    const kind = c.kind || 'text';
    const cls = [kind !== 'text' ? 'num' : '', c.wrap ? 'wrap' : '', c.heat ? heatClass(v) : '']
                    .filter(Boolean).join(' ');
    return el('td', {class: cls || null,
                     text: kind === 'text' ? (v === null || v === undefined ? '' : String(v))
                                           : fmt[kind](v)});
  })));
  const content = rows.length
      ? el('div', {class: 'table-wrap'}, el('table', {}, [el('thead', {}, head), el('tbody', {}, body)]))
      : emptyNote(opts.empty || 'No rows.');
  const notes = [];
  if (rows.length > (opts.max || 500)) {
    notes.push(el('p', {class: 'note',
                        text: `The first ${opts.max || 500} of ${rows.length} rows; the CSV has them all.`}));
  }
  return card(title, [content].concat(notes), links);
}

function heatClass(v) {
  if (v === null || v === undefined) return '';
  return 'heat-' + Math.max(0, Math.min(9, Math.floor(10 * v)));
}

function destroyCharts() {
  for (const chart of state.charts) chart.destroy();
  state.charts = [];
}

function page(title, children) {
  const main = document.getElementById('main');
  main.replaceChildren(el('h2', {text: title}), ...children.filter((c) => c !== null));
}

function showError(e) {
  if (e instanceof ApiError && e.status === 401) return;
  const main = document.getElementById('main');
  main.replaceChildren(el('p', {class: 'error', role: 'alert', text: 'Could not load this page: ' + e.message}));
}

function tablePath(name, csv) {
  return `/api/v1/runs/${state.run}/tables/${name}${csv ? '?format=csv' : ''}`;
}

// ---------------------------------------------------------------------- analyst pages

async function overviewPage() {
  const h = await api('/api/v1/kpis/headline');
  state.run = h.run_id;
  const tiles = el('div', {class: 'tiles'}, [
    tile('Customers', fmt.int(h.customers)),
    tile('Revenue', fmt.money(h.revenue)),
    tile('Orders', fmt.int(h.orders)),
    tile('Average check', fmt.money(h.average_check), 'per order'),
    tile('Repeat rate', fmt.pct(h.repeat_rate)),
    tile('Likely active', fmt.int(h.likely_active_customers), 'customers'),
    tile(`Predicted revenue, ${fmt.int(h.horizon_months)} months`, fmt.money(h.predicted_revenue_in_horizon)),
    tile('Total predicted CLV', fmt.money(h.clv_total)),
  ]);
  const children = [tiles];
  const kpis = await api(tablePath('analytics/kpis')).catch(() => null);
  if (kpis) {
    const rows = kpis.rows.filter((r) => r.group === kpis.rows[0].group && r.period !== 'all');
    children.push(el('div', {class: 'grid'}, [
      chartCard('Revenue per period', {
        type: 'bar', labels: rows.map((r) => r.period),
        datasets: [{label: 'Revenue', data: rows.map((r) => r.revenue)}],
        x: 'Period', y: 'Revenue (money units)'}),
      chartCard('Active and new customers per period', {
        type: 'line', labels: rows.map((r) => r.period),
        datasets: [{label: 'Active customers', data: rows.map((r) => r.active_customers)},
                   {label: 'New customers', data: rows.map((r) => r.new_customers)}],
        x: 'Period', y: 'Customers'}),
    ]));
    children.push(tableCard('KPIs per period',
        [{key: 'period', label: 'Period'}, {key: 'customers', label: 'Customers', kind: 'int'},
         {key: 'active_customers', label: 'Active', kind: 'int'},
         {key: 'new_customers', label: 'New', kind: 'int'}, {key: 'orders', label: 'Orders', kind: 'int'},
         {key: 'revenue', label: 'Revenue', kind: 'money'},
         {key: 'average_check', label: 'Average check', kind: 'money'},
         {key: 'repeat_purchase_rate', label: 'Repeat rate', kind: 'pct'}],
        rows, [csvLink(tablePath('analytics/kpis', true))]));
  }
  children.push(el('p', {class: 'note'}, [
    `Run ${h.run_id}; model: ${h.model || 'n/a'}. Data from ${h.first_day} to ${h.last_day}. `,
    el('a', {href: `/api/v1/report?run=${h.run_id}`, text: "The run's full report (HTML)"})]));
  page('Overview', children);
}

async function segmentsPage() {
  const h = await api('/api/v1/kpis/headline');
  state.run = h.run_id;
  const seg = await api(tablePath('segments'));
  const schemes = [...new Set(seg.rows.map((r) => r.scheme))];
  const scheme = schemes.includes('rfm') ? 'rfm' : schemes[0];
  const rows = seg.rows.filter((r) => r.scheme === scheme);
  page('Segments', [
    el('div', {class: 'grid'}, [
      chartCard(`Customers per ${scheme || ''} segment`, {
        type: 'bar', labels: rows.map((r) => r.segment),
        datasets: [{label: 'Customers', data: rows.map((r) => r.customers)}],
        x: 'Segment', y: 'Customers', empty: 'The run has no segments.'}),
      chartCard(`Revenue and predicted CLV per ${scheme || ''} segment`, {
        type: 'bar', labels: rows.map((r) => r.segment),
        datasets: [{label: 'Revenue to date', data: rows.map((r) => r.revenue), yAxisID: 'y'},
                   {label: 'Predicted CLV per customer', data: rows.map((r) => r.predicted_ltv), yAxisID: 'y2'}],
        x: 'Segment', y: 'Revenue to date (money units)', y2: 'Predicted CLV per customer (money units)',
        empty: 'The run has no segments.'}),
    ]),
    tableCard('Every segment of every scheme',
        [{key: 'scheme', label: 'Scheme'}, {key: 'segment', label: 'Segment'},
         {key: 'purpose', label: 'Purpose', wrap: true},
         {key: 'customers', label: 'Customers', kind: 'int'},
         {key: 'customer_share', label: 'Share', kind: 'pct'},
         {key: 'revenue', label: 'Revenue', kind: 'money'},
         {key: 'revenue_share', label: 'Revenue share', kind: 'pct'},
         {key: 'predicted_ltv', label: 'Predicted CLV', kind: 'money'}],
        seg.rows, [csvLink(tablePath('segments', true))]),
  ]);
}

async function actionsPage() {
  const h = await api('/api/v1/kpis/headline');
  state.run = h.run_id;
  const summary = await api(tablePath('actions_summary'));
  const rows = summary.rows;
  page("Today's actions", [
    chartCard("Today's actions by rule", {
      type: 'bar', stacked: true, labels: rows.map((r) => r.rule),
      datasets: [{label: 'Treated', data: rows.map((r) => r.treated)},
                 {label: 'Control (held out)', data: rows.map((r) => r.control)}],
      x: 'Rule', y: 'Customers', empty: 'No rule selected any customer today.'}),
    tableCard('Actions per rule',
        [{key: 'rule', label: 'Rule'}, {key: 'action', label: 'Action'},
         {key: 'channel', label: 'Channel'}, {key: 'priority', label: 'Priority', kind: 'int'},
         {key: 'customers', label: 'Customers', kind: 'int'},
         {key: 'treated', label: 'Treated', kind: 'int'}, {key: 'control', label: 'Control', kind: 'int'}],
        rows, [csvLink(tablePath('actions_summary', true)),
               csvLink(tablePath('actions', true), 'Every action (CSV)')]),
  ]);
}

async function ltvPage() {
  const h = await api('/api/v1/kpis/headline');
  state.run = h.run_id;
  const [hist, top] = await Promise.all([
    api(`/api/v1/ltv/histogram?run=${state.run}`), api(`/api/v1/ltv/top?run=${state.run}&limit=25`)]);
  const label = (r) => (r.to === null ? `≥ ${fmt.int(r.from)}` : `${fmt.int(r.from)}–${fmt.int(r.to)}`);
  page('Lifetime value', [
    chartCard('Distribution of predicted CLV', {
      type: 'bar', labels: hist.rows.map(label),
      datasets: [{label: 'Customers', data: hist.rows.map((r) => r.customers)}],
      x: `Predicted CLV, next ${fmt.int(h.horizon_months)} months (money units)`, y: 'Customers',
      note: 'Equal-width bins up to the 99th percentile; the last bar holds the customers above it.' +
            (hist.customers_without_clv ? ` ${fmt.int(hist.customers_without_clv)} customers have no CLV.` : ''),
      empty: 'No customer has a predicted CLV in this run.'}),
    tableCard('Top customers by predicted CLV',
        [{key: 'customer_id', label: 'Customer',
          render: (r) => el('a', {href: '#customer/' + encodeURIComponent(r.customer_id), text: r.customer_id})},
         {key: 'clv', label: 'Predicted CLV', kind: 'money'}, {key: 'p_alive', label: 'P(alive)', kind: 'pct'},
         {key: 'expected_purchases', label: 'Expected purchases', kind: 'num'},
         {key: 'revenue', label: 'Revenue to date', kind: 'money'}, {key: 'orders', label: 'Orders', kind: 'int'},
         {key: 'rfm_segment', label: 'RFM segment'}, {key: 'stage', label: 'Stage'}],
        top.rows, [csvLink(`/api/v1/ltv/top?run=${state.run}&limit=1000&format=csv`),
                   csvLink(tablePath('customers', true), 'Every customer (CSV)')]),
  ]);
}

/// A stored table of the run, or null when the run does not hold it (404).
async function optionalTable(name) {
  try {
    return await api(tablePath(name));
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

async function cohortsModelPage() {
  const h = await api('/api/v1/kpis/headline');
  state.run = h.run_id;
  const [retention, tracking, forecast] = await Promise.all([
    optionalTable('analytics/cohort_retention'), optionalTable('validation/tracking'),
    optionalTable('analytics/forecast')]);
  const cards = [];
  // Cohort retention: curves of the first cohorts and the whole matrix as a heat map.
  if (retention) {
    const ages = retention.columns.map((c) => c.name).filter((n) => /^p\d+$/.test(n));
    const curves = retention.rows.slice(0, 8);
    cards.push(chartCard('Retention by acquisition cohort', {
      type: 'line', labels: ages.map((a) => a.slice(1)),
      datasets: curves.map((r) => ({label: `${r.cohort} (${fmt.int(r.cohort_size)})`,
                                    data: ages.map((a) => (r[a] === null || r[a] === undefined ? null : 100 * r[a]))})),
      x: 'Periods since acquisition', y: 'Customers active in the period (%)', yPercent: true,
      note: 'The first eight cohorts; every cohort is in the matrix below.',
      empty: 'The run has no cohort with a second period.'}));
    cards.push(tableCard('Cohort retention matrix',
        [{key: 'cohort', label: 'Cohort'}, {key: 'cohort_size', label: 'Size', kind: 'int'}]
            .concat(ages.map((a) => ({key: a, label: a.toUpperCase(), kind: 'pct', heat: true}))),
        retention.rows, [csvLink(tablePath('analytics/cohort_retention', true))]));
  } else {
    cards.push(card('Cohort retention', [emptyNote('This run has no cohort table.')]));
  }
  // Model tracking: repeat purchases per period, actual vs the model's expectation.
  if (tracking && tracking.rows.length) {
    const model = tracking.rows[0].model;
    const rows = tracking.rows.filter((r) => r.model === model);
    cards.push(chartCard(`Model tracking (${model}): repeat purchases per period`, {
      type: 'line', labels: rows.map((r) => r.period_start),
      datasets: [{label: 'Actual', data: rows.map((r) => r.actual)},
                 {label: 'Expected by the model', data: rows.map((r) => r.expected)}],
      x: 'Period start (date)', y: 'Repeat purchases',
      note: 'Calibration and holdout together; a model that tracks well follows the actual line.'}));
  } else {
    cards.push(card('Model tracking', [emptyNote('This run has no tracking table (no model validation).')]));
  }
  // Forecasts: the revenue history and each method's forecast.
  if (forecast) {
    const rows = forecast.rows.filter((r) => r.series === 'revenue');
    const periods = [...new Set(rows.map((r) => r.period))].sort();
    const methods = [...new Set(rows.map((r) => r.method))];
    cards.push(chartCard('Revenue: history and forecasts', {
      type: 'line', labels: periods,
      datasets: methods.map((m) => ({label: m === 'actual' ? 'Actual' : `Forecast: ${m}`,
                                     data: periods.map((p) => {
                                       const r = rows.find((x) => x.method === m && x.period === p);
                                       return r ? r.value : null;
                                     })})),
      x: 'Period', y: 'Revenue (money units)', empty: 'The run has no revenue forecast.'}));
  } else {
    cards.push(card('Forecasts', [emptyNote('This run has no forecast table.')]));
  }
  cards.push(el('p', {class: 'note'}, [csvLink(tablePath('validation/tracking', true), 'Tracking (CSV)'),
                                       csvLink(tablePath('analytics/forecast', true), 'Forecasts (CSV)')]));
  page('Cohorts and model', cards);
}

async function acquisitionNpsPage() {
  const h = await api('/api/v1/kpis/headline');
  state.run = h.run_id;
  const [cac, nps] = await Promise.all([optionalTable('analytics/cac'), optionalTable('nps/nps')]);
  const cards = [];
  // CAC against LTV per acquisition channel (the whole period of each channel).
  const channels = cac ? cac.rows.filter((r) => r.period === 'all' && r.channel !== 'all') : [];
  if (cac) {
    cards.push(el('div', {class: 'grid'}, [
      chartCard('Acquisition cost and lifetime value per channel', {
        type: 'bar', labels: channels.map((r) => r.channel),
        datasets: [{label: 'CAC (spend per new customer)', data: channels.map((r) => r.cac)},
                   {label: 'Historical LTV per new customer', data: channels.map((r) => r.historical_ltv)},
                   {label: 'Predicted LTV per new customer', data: channels.map((r) => r.predicted_ltv)}],
        x: 'Acquisition channel', y: 'Money units per new customer',
        note: 'A channel without spend has no CAC (its bar is missing; see the table).',
        empty: 'No channel brought new customers.'}),
      chartCard('LTV to CAC per channel', {
        type: 'bar', labels: channels.map((r) => r.channel),
        datasets: [{label: 'Historical LTV / CAC', data: channels.map((r) => r.ltv_cac_historical)},
                   {label: 'Predicted LTV / CAC', data: channels.map((r) => r.ltv_cac_predicted)}],
        x: 'Acquisition channel', y: 'Ratio (LTV per money unit of CAC)',
        empty: 'No channel has both spend and new customers.'}),
    ]));
    cards.push(tableCard('CAC, LTV and ROMI per channel (whole period)', [
      {key: 'channel', label: 'Channel'}, {key: 'spend', label: 'Spend', kind: 'money'},
      {key: 'new_customers', label: 'New customers', kind: 'int'}, {key: 'cac', label: 'CAC', kind: 'money'},
      {key: 'historical_ltv', label: 'Historical LTV', kind: 'money'},
      {key: 'predicted_ltv', label: 'Predicted LTV', kind: 'money'},
      {key: 'ltv_cac_historical', label: 'LTV/CAC (hist.)', kind: 'num'},
      {key: 'romi', label: 'ROMI', kind: 'num'}, {key: 'note', label: 'Note', wrap: true}],
      cac.rows.filter((r) => r.period === 'all'), [csvLink(tablePath('analytics/cac', true), 'Every channel and period (CSV)')]));
  } else {
    cards.push(card('Acquisition cost and LTV', [emptyNote('This run has no CAC table (no marketing spend was loaded: ltv ingest WORKSPACE spend.csv --kind spend).')]));
  }
  // NPS over time and by group.
  if (nps) {
    const all = nps.rows.find((r) => r.by === 'all') || {};
    const periods = nps.rows.filter((r) => r.by === 'period');
    cards.push(el('div', {class: 'tiles'}, [
      tile('NPS', fmt.num(all.nps), `95% CI ${fmt.num(all.ci_low)} to ${fmt.num(all.ci_high)}`),
      tile('Answers', fmt.int(all.answers)), tile('Promoters', fmt.int(all.promoters)),
      tile('Detractors', fmt.int(all.detractors))]));
    cards.push(el('div', {class: 'grid'}, [
      chartCard('NPS per period, with its 95% interval', {
        type: 'line', labels: periods.map((r) => r.group),
        datasets: [{label: 'NPS', data: periods.map((r) => r.nps)},
                   {label: 'Interval low', data: periods.map((r) => r.ci_low), borderDash: [4, 4], pointRadius: 0,
                    borderColor: '#8a8a8a', backgroundColor: '#8a8a8a'},
                   {label: 'Interval high', data: periods.map((r) => r.ci_high), borderDash: [4, 4], pointRadius: 0,
                    borderColor: '#8a8a8a', backgroundColor: '#8a8a8a'}],
        x: 'Period', y: 'NPS (promoters % minus detractors %)',
        empty: 'No NPS answer falls in a period.'}),
      chartCard('Answers per period', {
        type: 'bar', stacked: true, labels: periods.map((r) => r.group),
        datasets: [{label: 'Promoters (9-10)', data: periods.map((r) => r.promoters)},
                   {label: 'Passives (7-8)', data: periods.map((r) => r.passives)},
                   {label: 'Detractors (0-6)', data: periods.map((r) => r.detractors)}],
        x: 'Period', y: 'Answers', empty: 'No NPS answer falls in a period.'}),
    ]));
    cards.push(tableCard('NPS by group', [
      {key: 'by', label: 'By'}, {key: 'group', label: 'Group'}, {key: 'answers', label: 'Answers', kind: 'int'},
      {key: 'nps', label: 'NPS', kind: 'num'}, {key: 'ci_low', label: '95% low', kind: 'num'},
      {key: 'ci_high', label: '95% high', kind: 'num'}],
      nps.rows, [csvLink(tablePath('nps/nps', true))]));
  } else {
    cards.push(card('NPS', [emptyNote('This run has no NPS table (no survey answers were loaded: ltv ingest WORKSPACE nps.csv --kind nps).')]));
  }
  page('Acquisition and NPS', cards);
}

async function customerPage(id) {
  const search = el('input', {type: 'search', id: 'customer-search', placeholder: 'Customer id (or its beginning)',
                              'aria-label': 'Customer id', value: id || ''});
  const results = el('div', {id: 'customer-results'});
  const detail = el('div', {id: 'customer-detail'});
  const form = el('form', {class: 'controls', onsubmit: (e) => {
    e.preventDefault();
    runSearch(search.value.trim());
  }}, [search, el('button', {type: 'submit', text: 'Search'})]);
  page('Customer', [form, results, detail]);

  async function runSearch(q) {
    if (!q) return;
    const found = await api(`/api/v1/customers?q=${encodeURIComponent(q)}&limit=20`).catch(showError);
    if (!found) return;
    const exact = found.rows.find((r) => r.customer_id === q);
    if (exact) {
      window.location.hash = '#customer/' + encodeURIComponent(q);
      return;
    }
    results.replaceChildren(found.rows.length
        ? card('Matching customers', [el('ul', {}, found.rows.map((r) => el('li', {}, el('a', {
            href: '#customer/' + encodeURIComponent(r.customer_id), text: r.customer_id}))))]
            .concat(found.more ? [el('p', {class: 'note', text: 'More match: type more of the id.'})] : []))
        : emptyNote(`No customer id starts with "${q}".`));
  }

  if (!id) return;
  let c;
  try {
    c = await api('/api/v1/customers/' + encodeURIComponent(id));
  } catch (e) {
    if (e.status === 404) {
      detail.replaceChildren(emptyNote(`No customer "${id}" in the newest run.`));
      return;
    }
    throw e;
  }
  const s = c.customer;
  const history = await api(`/api/v1/customers/${encodeURIComponent(id)}/history?run=${c.run_id}`);
  const facts = [
    ['Customer', s.customer_id], ['RFM segment', s.rfm_segment], ['ABCDX class', s.abcdx],
    ['Life-cycle stage', s.stage], ['Repeat purchase days (frequency)', fmt.num(s.frequency)],
    ['Recency (first to last purchase, time units)', fmt.num(s.recency)],
    ['Age T (first purchase to the end of the data, time units)', fmt.num(s.T)],
    ['Mean repeat purchase value', fmt.money(s.monetary_value)],
    ['Expected spend per purchase', fmt.money(s.expected_spend)],
  ];
  detail.replaceChildren(
      el('div', {class: 'tiles'}, [
        tile('Revenue to date', fmt.money(s.revenue)), tile('Orders', fmt.int(s.orders)),
        tile('First purchase', s.first_purchase || '–'), tile('Last purchase', s.last_purchase || '–'),
        tile('P(alive)', fmt.pct(s.p_alive)), tile('Expected purchases', fmt.num(s.expected_purchases), 'in the horizon'),
        tile('Predicted CLV', fmt.money(s.clv)),
      ]),
      chartCard(`Purchases of ${s.customer_id} per month`, {
        type: 'bar', labels: history.rows.map((r) => r.month),
        datasets: [{label: 'Revenue', data: history.rows.map((r) => r.revenue), yAxisID: 'y'},
                   {label: 'Orders', data: history.rows.map((r) => r.orders), yAxisID: 'y2', type: 'line',
                    borderWidth: 2, pointRadius: 3}],
        x: 'Month', y: 'Revenue (money units)', y2: 'Orders',
        note: 'Months without a purchase are not shown.',
        empty: 'No purchase of this customer in the batches of this run.'}),
      card('Segments and scores', [el('div', {class: 'table-wrap'}, el('table', {class: 'facts'},
        el('tbody', {}, facts.map(([k, v]) => el('tr', {}, [
          el('th', {scope: 'row', text: k}),
          el('td', {text: v === null || v === undefined ? '–' : String(v)})])))))]),
      tableCard("Today's actions and why", [
        {key: 'rule', label: 'Rule'}, {key: 'action', label: 'Action'}, {key: 'channel', label: 'Channel'},
        {key: 'reason', label: 'Why', wrap: true}, {key: 'params', label: 'Parameters', wrap: true},
        {key: 'control', label: 'Control group', render: (r) => (r.control ? 'yes (held out)' : 'no')}],
        c.actions, [], {empty: 'No action for this customer today.'}),
      tableCard('Purchases per month', [
        {key: 'month', label: 'Month'}, {key: 'orders', label: 'Orders', kind: 'int'},
        {key: 'lines', label: 'Lines', kind: 'int'}, {key: 'revenue', label: 'Revenue', kind: 'money'}],
        history.rows, [csvLink(`/api/v1/customers/${encodeURIComponent(id)}/history?run=${c.run_id}&format=csv`)]),
  );
}

// ---------------------------------------------------------------------- partner pages

/// The brand picker: every brand of the caller (its session's brands) or all of them at once.
function brandPicker(onChange) {
  const brands = state.session.brands;
  if (brands.length < 2) return null;
  const select = el('select', {id: 'brand-picker', 'aria-label': 'Brand', onchange: () => {
    state.brand = select.value;
    onChange();
  }}, [el('option', {value: '', text: 'All my brands'})].concat(
      brands.map((b) => el('option', {value: b, text: b, selected: state.brand === b}))));
  return el('div', {class: 'controls'}, [el('label', {for: 'brand-picker', text: 'Brand'}), select]);
}

function partnerPath(route, csv) {
  const q = [];
  if (state.brand) q.push('brand=' + encodeURIComponent(state.brand));
  if (csv) q.push('format=csv');
  return `/api/v1/partner/${route}${q.length ? '?' + q.join('&') : ''}`;
}

async function brandPage() {
  const k = await api(partnerPath('kpis'));
  const total = k.rows.find((r) => r.month === 'total') || {};
  const months = k.rows.filter((r) => r.month !== 'total');
  page('My brands: KPIs', [
    brandPicker(() => render()),
    el('div', {class: 'tiles'}, [
      tile('Brands', k.brands.join(', ')),
      tile('Revenue', fmt.money(total.revenue)), tile('Orders', fmt.int(total.orders)),
      tile('Buyers', fmt.int(total.buyers)), tile('Average check', fmt.money(total.average_check), 'per order'),
      tile('Repeat buyers', fmt.pct(total.repeat_buyer_rate), 'bought in 2+ months'),
    ]),
    el('div', {class: 'grid'}, [
      chartCard('Revenue of my brands per month', {
        type: 'bar', labels: months.map((r) => r.month),
        datasets: [{label: 'Revenue', data: months.map((r) => r.revenue)}],
        x: 'Month', y: 'Revenue (money units)',
        note: `Months with fewer than ${k.min_cell} buyers are hidden.`,
        empty: 'No month of your brands has enough buyers to show.'}),
      chartCard('Buyers of my brands per month', {
        type: 'line', labels: months.map((r) => r.month),
        datasets: [{label: 'Buyers', data: months.map((r) => r.buyers), yAxisID: 'y'},
                   {label: 'Repeat-buyer rate', data: months.map((r) => (r.repeat_buyer_rate === null ? null : 100 * r.repeat_buyer_rate)), yAxisID: 'y2'}],
        x: 'Month', y: 'Buyers', y2: 'Repeat-buyer rate (%)',
        empty: 'No month of your brands has enough buyers to show.'}),
    ]),
    tableCard('KPIs per month', [
      {key: 'month', label: 'Month'}, {key: 'revenue', label: 'Revenue', kind: 'money'},
      {key: 'orders', label: 'Orders', kind: 'int'}, {key: 'buyers', label: 'Buyers', kind: 'int'},
      {key: 'average_check', label: 'Average check', kind: 'money'},
      {key: 'repeat_buyer_rate', label: 'Repeat-buyer rate', kind: 'pct'}],
      k.rows, [csvLink(partnerPath('kpis', true))]),
  ]);
}

async function cohortsPage() {
  const c = await api(partnerPath('cohorts'));
  const cohorts = [...new Set(c.rows.map((r) => r.cohort))];
  const periods = [...new Set(c.rows.map((r) => r.period))].sort((a, b) => a - b);
  const value = (cohort, period) => {
    const r = c.rows.find((x) => x.cohort === cohort && x.period === period);
    return r && r.retention !== null ? 100 * r.retention : null;
  };
  // Retention after the first month: period 0 is 100 % by definition.
  const shown = cohorts.filter((co) => periods.some((p) => p > 0 && value(co, p) !== null));
  const matrix = cohorts.map((co) => {
    const row = {cohort: co};
    for (const p of periods) {
      const r = c.rows.find((x) => x.cohort === co && x.period === p);
      row['p' + p] = r ? r.retention : null;
    }
    return row;
  });
  page("My brands' buyers: cohorts", [
    brandPicker(() => render()),
    chartCard('Retention of my brands\' buyers by first-purchase month', {
      type: 'line', labels: periods.map((p) => String(p)),
      datasets: shown.map((co) => ({label: co, data: periods.map((p) => value(co, p))})),
      x: 'Months since the first purchase of my brands', y: 'Buyers active that month (%)', yPercent: true,
      note: `Cells with fewer than ${c.min_cell} buyers (or of a cohort that small) are hidden (gaps).`,
      empty: 'No cohort of your brands is large enough to show a retention curve.'}),
    tableCard('Retention matrix (share of the cohort active that month)',
        [{key: 'cohort', label: 'Cohort'}].concat(periods.map((p) => ({key: 'p' + p, label: 'M' + p, kind: 'pct', heat: true}))),
        matrix, [csvLink(partnerPath('cohorts', true))]),
  ]);
}

async function valuePage() {
  const [v, s] = await Promise.all([api(partnerPath('ltv')), api(partnerPath('segments'))]);
  const total = v.rows.find((r) => r.brand === 'total') || v.rows[0] || {};
  const shareChart = (scheme, title, x) => {
    const rows = s.rows.filter((r) => r.scheme === scheme && r.segment !== 'total');
    return chartCard(title, {
      type: 'bar', labels: rows.map((r) => r.segment),
      datasets: [{label: 'Share of my buyers', data: rows.map((r) => (r.share === null ? null : 100 * r.share))}],
      x, y: 'Share of my buyers (%)', yPercent: true,
      note: `Segments of the newest run. Segments with fewer than ${s.min_cell} of my buyers are ` +
            'hidden, with the next smallest when only one would be.',
      empty: 'No segment holds enough of your buyers to show.'});
  };
  page('My buyers: lifetime value and segments', [
    brandPicker(() => render()),
    el('div', {class: 'tiles'}, [
      tile('Brands', v.brands.join(', ')),
      tile('Historical LTV', fmt.money(total.historical_ltv), 'revenue per buyer'),
      tile('Buyers', fmt.int(total.buyers)),
      tile('Orders per buyer', fmt.num(total.orders_per_buyer)),
      tile('Repeat rate', fmt.pct(total.repeat_rate), 'buyers with 2+ orders'),
    ]),
    el('div', {class: 'grid'}, [
      shareChart('rfm', "My buyers' RFM segments", 'RFM segment'),
      shareChart('lifecycle', "My buyers' life-cycle stages", 'Life-cycle stage'),
    ]),
    tableCard('Lifetime value on my brands', [
      {key: 'brand', label: 'Brand'}, {key: 'buyers', label: 'Buyers', kind: 'int'},
      {key: 'orders', label: 'Orders', kind: 'int'}, {key: 'revenue', label: 'Revenue', kind: 'money'},
      {key: 'historical_ltv', label: 'Historical LTV', kind: 'money'},
      {key: 'orders_per_buyer', label: 'Orders per buyer', kind: 'num'},
      {key: 'repeat_rate', label: 'Repeat rate', kind: 'pct'}],
      v.rows, [csvLink(partnerPath('ltv', true))]),
    tableCard('Segment shares of my buyers', [
      {key: 'scheme', label: 'Scheme'}, {key: 'segment', label: 'Segment'},
      {key: 'buyers', label: 'Buyers', kind: 'int'}, {key: 'share', label: 'Share', kind: 'pct'}],
      s.rows, [csvLink(partnerPath('segments', true))]),
  ]);
}

async function penetrationPage() {
  const p = await api(partnerPath('penetration'));
  const products = [...new Set(p.rows.map((r) => r.product_id))];
  const weeks = [...new Set(p.rows.map((r) => r.week))].sort((a, b) => a - b);
  const nameOf = (id) => (p.rows.find((r) => r.product_id === id) || {}).name || id;
  page('My new products: penetration', [
    brandPicker(() => render()),
    chartCard('Penetration of my new products since launch', {
      type: 'line', labels: weeks.map((w) => String(w)),
      datasets: products.flatMap((id, i) => {
        const label = `${nameOf(id)} (launched ${(p.rows.find((r) => r.product_id === id) || {}).launch_date})`;
        const series = (key) => weeks.map((w) => {
          const r = p.rows.find((x) => x.product_id === id && x.week === w);
          return r && r[key] !== null && r[key] !== undefined ? 100 * r[key] : null;
        });
        const color = palette[i % palette.length];
        return [{label: `${label}: of my brands' buyers`, data: series('penetration'),
                 borderColor: color, backgroundColor: color},
                {label: `${label}: of its category's buyers`, data: series('category_penetration'),
                 borderColor: color, backgroundColor: color, borderDash: [6, 4]}];
      }),
      x: 'Weeks since launch', y: 'Share of the buyers who bought it (%)', yPercent: true,
      note: `Buyers of the product since launch / buyers of my brands (solid) or of its category, ` +
            `every brand (dashed) since launch, cumulative; weeks with fewer than ${p.min_cell} ` +
            'buyers are hidden, and the category share when fewer than that many of its buyers ' +
            'are not my buyers.',
      empty: 'None of your products was launched during the data, or their weeks are too small to show.'}),
    tableCard('Penetration week by week', [
      {key: 'product_id', label: 'Product'}, {key: 'name', label: 'Name'},
      {key: 'launch_date', label: 'Launch'}, {key: 'week', label: 'Week', kind: 'int'},
      {key: 'week_start', label: 'Week start'}, {key: 'buyers', label: 'Buyers', kind: 'int'},
      {key: 'brand_buyers', label: 'Brand buyers', kind: 'int'},
      {key: 'penetration', label: 'Penetration', kind: 'pct'},
      {key: 'category', label: 'Category'},
      {key: 'category_buyers', label: 'Category buyers', kind: 'int'},
      {key: 'category_penetration', label: 'In the category', kind: 'pct'}],
      p.rows, [csvLink(partnerPath('penetration', true))]),
  ]);
}

// ------------------------------------------------------------------------ navigation

const analystPages = [
  {id: 'overview', title: 'Overview', render: overviewPage},
  {id: 'segments', title: 'Segments', render: segmentsPage},
  {id: 'actions', title: "Today's actions", render: actionsPage},
  {id: 'ltv', title: 'Lifetime value', render: ltvPage},
  {id: 'cohorts', title: 'Cohorts and model', render: cohortsModelPage},
  {id: 'acquisition', title: 'Acquisition and NPS', render: acquisitionNpsPage},
  {id: 'customer', title: 'Customer', render: customerPage},
];
const partnerPages = [
  {id: 'brand', title: 'Brand KPIs', render: brandPage},
  {id: 'cohorts', title: 'Cohorts', render: cohortsPage},
  {id: 'value', title: 'LTV and segments', render: valuePage},
  {id: 'penetration', title: 'New products', render: penetrationPage},
];

function pages() {
  return state.session.role === 'partner' ? partnerPages : analystPages;
}

async function render() {
  const [id, ...rest] = window.location.hash.replace(/^#/, '').split('/');
  const list = pages();
  const current = list.find((p) => p.id === id) || list[0];
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('current', a.dataset.page === current.id);
  }
  destroyCharts();
  document.body.dataset.ready = 'false';
  document.getElementById('main').replaceChildren(el('p', {class: 'loading', text: 'Loading…'}));
  try {
    await current.render(rest.length ? decodeURIComponent(rest.join('/')) : undefined);
  } catch (e) {
    showError(e);
  }
  state.page = current.id;
  // For the browser test and for people: the page is drawn.
  document.body.dataset.page = current.id;
  document.body.dataset.ready = 'true';
}

async function start() {
  try {
    state.session = await api('/api/v1/session');
  } catch (e) {
    return;  // 401: api() went back to the sign-in page
  }
  document.getElementById('who').textContent = `${state.session.user} (${state.session.role})`;
  document.getElementById('nav').replaceChildren(...pages().map((p) =>
      el('a', {href: '#' + p.id, 'data-page': p.id, text: p.title})));
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api('/api/v1/session', 'DELETE');
    } finally {
      window.location.assign('/');
    }
  });
  window.addEventListener('hashchange', render);
  await render();
}

document.addEventListener('DOMContentLoaded', start);
