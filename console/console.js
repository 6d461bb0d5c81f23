/* The ml-connector console: a page per hash (#overview, #runs, ...) over
 * /api/v1.  No framework, no other origin.  Text goes in with
 * textContent, never as HTML. */
'use strict';
(function () {
  let csrf = null;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  }

  function say(msg, bad) {
    $('status').textContent = msg;
    $('status').className = bad ? 'bad' : 'ok';
  }

  async function api(method, path, body, type) {
    const opts = { method, headers: {}, credentials: 'same-origin' };
    if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf || '';
    if (body !== undefined) {
      opts.headers['Content-Type'] = type || 'application/json';
      opts.body = type ? body : JSON.stringify(body);
    }
    const r = await fetch('/api/v1' + path, opts);
    if (r.status === 401 && path !== '/login') { showLogin(); throw new Error('log in first'); }
    const text = await r.text();
    let data = text;
    try { data = JSON.parse(text); } catch (e) { /* CSV */ }
    if (!r.ok) throw new Error((data && data.error && data.error.message) || r.statusText);
    return data;
  }

  const tenant = () => encodeURIComponent($('tenant').value);

  function table(cols, rows, rowClass) {
    const head = el('tr', {}, ...cols.map((c) => el('th', { scope: 'col', text: c[0] })));
    const body = rows.map((r) => {
      const tr = el('tr', { class: rowClass ? rowClass(r) : '' });
      for (const c of cols) {
        const v = c[1](r);
        const td = el('td', { class: c[2] || '' });
        if (v instanceof Node) td.append(v); else td.textContent = v == null ? '' : String(v);
        tr.append(td);
      }
      return tr;
    });
    return el('table', {}, el('thead', {}, head), el('tbody', {}, ...body));
  }

  function showLogin() {
    $('nav').hidden = true;
    $('page').replaceChildren();
    $('login').hidden = false;
    $('login-user').focus();
  }

  async function start() {
    try {
      const me = await api('GET', '/me');
      csrf = me.csrf;
      const t = await api('GET', '/tenants');
      $('tenant').replaceChildren(...t.tenants.map((n) => el('option', { value: n, text: n })));
      $('who').textContent = me.user + ' (' + me.role + ')';
      $('login').hidden = true;
      $('nav').hidden = false;
      route();
    } catch (e) { showLogin(); }
  }

  const pages = {
    async overview(p) {
      const o = await api('GET', '/tenants/' + tenant() + '/overview');
      const flows = Object.entries(o.flows).map(([f, v]) => Object.assign({ flow: f }, v));
      p.append(el('h2', { text: 'Overview' }),
        el('p', { id: 'parked-total', text: o.parked + ' record(s) parked for review' }),
        table([['Flow', (r) => r.flow], ['Last run', (r) => r.status], ['Started', (r) => r.at],
          ['Lag (s)', (r) => r.lag_s, 'num'], ['Failures', (r) => r.failures, 'num'],
          ['Parked', (r) => r.parked, 'num']], flows),
        el('h3', { text: 'Webhooks received' }),
        table([['Source', (r) => r[0]], ['Outcome', (r) => r[1]], ['Events', (r) => r[2], 'num']],
          Object.entries(o.webhooks).flatMap(([s, m]) => Object.entries(m).map(([k, n]) => [s, k, n]))));
      const run = el('button', { type: 'button', id: 'run-costs', text: 'Run the costs flow now',
        onclick: async () => { try { await api('POST', '/tenants/' + tenant() + '/sync/costs'); say('costs run queued'); } catch (e) { say(e.message, true); } } });
      p.append(run);
    },
    async runs(p) {
      const runs = await api('GET', '/tenants/' + tenant() + '/runs');
      const records = el('div', { id: 'run-records' });
      p.append(el('h2', { text: 'Runs' }), table([
        ['Run', (r) => el('button', { type: 'button', text: '#' + r.id, 'aria-label': 'records of run ' + r.id,
          onclick: async () => {
            const rows = await api('GET', '/tenants/' + tenant() + '/runs/' + r.id + '/records');
            records.replaceChildren(el('h3', { text: 'Records of run ' + r.id }), auditTable(rows, false));
          } })],
        ['Flow', (r) => r.flow], ['Trigger', (r) => r.trigger], ['Status', (r) => r.status],
        ['Started', (r) => r.started_at],
        ['Records', (r) => Object.entries(r.records || {}).map(([k, n]) => k + ' ' + n).join(', ')]], runs), records);
    },
    async audit(p) {
      const form = el('form', { id: 'audit-search', 'aria-label': 'Search the audit trail' });
      const fields = [['doc', 'Document number'], ['vendor', 'Vendor'], ['project', 'Project'],
        ['status', 'Status (ok, failed, parked)'], ['since', 'From (date)'], ['until', 'Until (date)']];
      for (const [n, label] of fields) {
        form.append(el('label', { for: 'q-' + n, text: label }), el('input', { id: 'q-' + n, name: n }));
      }
      const out = el('div', { id: 'audit-rows' });
      const query = () => new URLSearchParams([...new FormData(form)].filter(([, v]) => v)).toString();
      const exp = el('a', { id: 'audit-csv', href: '#audit', text: 'Export CSV' });
      form.append(el('button', { type: 'submit', text: 'Search' }), exp);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        exp.href = '/api/v1/tenants/' + tenant() + '/audit?format=csv&' + query();
        out.replaceChildren(auditTable(await api('GET', '/tenants/' + tenant() + '/audit?' + query()), false));
      });
      p.append(el('h2', { text: 'Audit trail' }), form, out);
      form.requestSubmit();
    },
    async failed(p) {
      const rows = await api('GET', '/tenants/' + tenant() + '/failed');
      p.append(el('h2', { text: 'Failed records' }), auditTable(rows, true));
    },
    async review(p) {
      const items = await api('GET', '/tenants/' + tenant() + '/review');
      p.append(el('h2', { text: 'Review queue' }), table([
        ['Flow', (r) => r.flow], ['Record', (r) => r.source_ref], ['Reason', (r) => r.reason],
        ['Candidates', (r) => r.candidates ? JSON.stringify(r.candidates) : ''],
        ['Since', (r) => r.created_at]], items));
      if (!items.length) p.append(el('p', { text: 'Nothing parked.' }));
    },
    async mappings(p) {
      const m = await api('GET', '/tenants/' + tenant() + '/mappings');
      const form = el('form', { id: 'mapping-form', 'aria-label': 'Map a cost code' });
      form.append(el('label', { for: 'map-code', text: 'Cost code' }), el('input', { id: 'map-code', name: 'cost_code', required: '' }),
        el('label', { for: 'map-type', text: 'Cost type (empty: any)' }), el('input', { id: 'map-type', name: 'cost_type' }),
        el('label', { for: 'map-account', text: 'GL account id' }), el('input', { id: 'map-account', name: 'account', inputmode: 'numeric', required: '' }),
        el('button', { type: 'submit', id: 'map-save', text: 'Save mapping' }));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const f = Object.fromEntries(new FormData(form));
        try {
          await api('POST', '/tenants/' + tenant() + '/mappings', { cost_code: f.cost_code, cost_type: f.cost_type, account: Number(f.account) });
          say('mapping saved: ' + f.cost_code + ' -> ' + f.account);
          route();
        } catch (e) { say(e.message, true); }
      });
      const file = el('input', { id: 'map-csv', type: 'file', accept: '.csv,text/csv' });
      const imp = el('button', { type: 'button', id: 'map-import', text: 'Import CSV',
        onclick: async () => {
          if (!file.files[0]) { say('choose a CSV file first', true); return; }
          try { const r = await api('POST', '/tenants/' + tenant() + '/mappings/import', await file.files[0].text(), 'text/csv'); say(r.imported + ' row(s) imported'); route(); } catch (e) { say(e.message, true); }
        } });
      p.append(el('h2', { text: 'Mappings: cost code to GL account' }),
        table([['Cost code', (r) => r.cost_code], ['Cost type', (r) => r.cost_type], ['Account', (r) => r.account],
          ['Number', (r) => r.account_number], ['Name', (r) => r.account_name], ['Type', (r) => r.account_type],
          ['Status', (r) => r.account_status], ['Problem', (r) => r.problem || '']], m.rows, (r) => r.problem ? 'diff' : ''),
        form, el('label', { for: 'map-csv', text: 'CSV file' }), file, imp,
        el('a', { id: 'map-export', href: '/api/v1/tenants/' + tenant() + '/mappings/export', text: 'Export CSV' }));
    },
    async reconcile(p) {
      p.append(el('h2', { text: 'Reconciliation' }), el('p', { text: 'Reading both systems…' }));
      const r = await api('GET', '/tenants/' + tenant() + '/reconcile');
      const by = r.compared_by === 'account' ? 'account' : 'cost_code';
      p.replaceChildren(el('h2', { text: 'Reconciliation' }),
        el('p', { id: 'recon-summary', text: r.differences + ' difference(s)' }),
        table([['Project', (x) => x.project || x.project_id], [by === 'account' ? 'Account' : 'Cost code', (x) => x[by]],
          ['Procore', (x) => x.procore, 'num'], ['NetSuite', (x) => x.netsuite, 'num'],
          ['Difference', (x) => x.variance, 'num variance'], ['Likely cause', (x) => x.cause || '']],
        r.rows, (x) => (Number(x.variance) !== 0 ? 'diff' : 'same')),
        el('h3', { text: 'Posted cost per period' }), chart(r.posted_by_period || []));
    },
  };

  function auditTable(rows, replayable) {
    const cols = [['Id', (r) => r.id], ['When', (r) => r.created_at], ['Flow', (r) => r.flow],
      ['Action', (r) => r.action], ['Result', (r) => r.result], ['Source', (r) => r.source_ref],
      ['Target / error', (r) => r.error || r.target_ref]];
    if (replayable) {
      cols.push(['Replay', (r) => el('button', { type: 'button', class: 'replay', 'aria-label': 'replay record ' + r.id, text: 'Replay',
        onclick: async () => {
          try {
            const res = await api('POST', '/tenants/' + tenant() + '/replay', { ids: [r.id] });
            say('replayed: ' + res.records.map((x) => x.source_ref + ' -> ' + x.outcome).join(', '), res.still_failing > 0);
          } catch (e) { say(e.message, true); }
        } })]);
    }
    return table(cols, rows);
  }

  /* Inline SVG bars, cumulative posted cost per period. */
  function chart(series) {
    const ns = 'http://www.w3.org/2000/svg';
    const w = 480, h = 160, pad = 24;
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('width', w); svg.setAttribute('height', h);
    svg.setAttribute('role', 'img');
    let total = 0;
    const cum = series.map((s) => { total += s.cents; return { period: s.period, cents: total }; });
    svg.setAttribute('aria-label', 'posted cost over time: ' + cum.map((c) => c.period + ' ' + (c.cents / 100).toFixed(2)).join(', '));
    const max = Math.max(1, ...cum.map((c) => Math.abs(c.cents)));
    const bw = cum.length ? (w - 2 * pad) / cum.length : 0;
    cum.forEach((c, i) => {
      const bh = Math.round((Math.abs(c.cents) / max) * (h - 2 * pad));
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', pad + i * bw + 2); rect.setAttribute('y', h - pad - bh);
      rect.setAttribute('width', Math.max(1, bw - 4)); rect.setAttribute('height', bh);
      rect.setAttribute('fill', '#1f3a5f');
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('x', pad + i * bw + 2); t.setAttribute('y', h - 6); t.setAttribute('font-size', '10');
      t.textContent = c.period;
      svg.append(rect, t);
    });
    return svg;
  }

  async function route() {
    const name = (location.hash || '#overview').slice(1);
    const page = pages[name] ? name : 'overview';
    for (const a of document.querySelectorAll('nav a')) {
      if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    const p = $('page');
    p.replaceChildren();
    p.dataset.page = page;
    try { await pages[page](p); p.dataset.ready = page; } catch (e) { say(e.message, true); }
  }

  $('login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('POST', '/login', { user: $('login-user').value, password: $('login-password').value });
      csrf = r.csrf;
      $('login-password').value = '';
      say('');
      start();
    } catch (e) { say(e.message, true); }
  });
  $('logout').addEventListener('click', async () => { await api('POST', '/logout').catch(() => {}); csrf = null; showLogin(); });
  $('tenant').addEventListener('change', route);
  window.addEventListener('hashchange', route);
  start();
})();
