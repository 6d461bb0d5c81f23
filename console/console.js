/* The ml-connector console: a page per hash (#overview, #runs, ...) over
 * /api/v1.  No framework, no other origin.  Text goes in with
 * textContent, never as HTML. */
'use strict';
(function () {
  let csrf = null;
  let role = 'viewer';
  let reviewAll = false;
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

  function table(cols, rows, rowClass, rowKey) {
    const head = el('tr', {}, ...cols.map((c) => el('th', { scope: 'col', text: c[0] })));
    const body = rows.map((r) => {
      const tr = el('tr', { class: rowClass ? rowClass(r) : '' });
      if (rowKey) tr.dataset.key = rowKey(r);
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
      role = me.role;
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
          ['Parked', (r) => r.parked, 'num'],
          ['Run', (r) => role === 'viewer' ? '' : el('button', { type: 'button', class: 'run-flow', id: 'run-flow-' + r.flow,
            'aria-label': 'run the ' + r.flow + ' flow now', text: 'Run now', onclick: () => runFlow(r.flow) })]], flows),
        el('h3', { text: 'Webhooks received' }),
        table([['Source', (r) => r[0]], ['Outcome', (r) => r[1]], ['Events', (r) => r[2], 'num']],
          Object.entries(o.webhooks).flatMap(([s, m]) => Object.entries(m).map(([k, n]) => [s, k, n]))));
      const run = el('button', { type: 'button', id: 'run-costs', text: 'Run the costs flow now', onclick: () => runFlow('costs') });
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
      const items = await api('GET', '/tenants/' + tenant() + '/review' + (reviewAll ? '?state=all' : ''));
      const all = el('input', { type: 'checkbox', id: 'review-all' });
      all.checked = reviewAll;
      all.addEventListener('change', () => { reviewAll = all.checked; route(); });
      const detail = el('div', { id: 'review-item' });
      p.append(el('h2', { text: 'Review queue' }), all, el('label', { for: 'review-all', text: ' Show decided items too' }),
        table([
          ['Item', (r) => el('button', { type: 'button', class: 'open-item', 'data-item': String(r.id),
            'aria-label': 'open item ' + r.id + ' (' + r.source_ref + ')', text: '#' + r.id,
            onclick: () => openItem(r.id, detail).catch((e) => say(e.message, true)) })],
          ['Flow', (r) => r.flow], ['Record', (r) => r.source_ref], ['Reason', (r) => r.reason],
          ['State', (r) => r.state], ['Decision', (r) => decisionText(r.decision)],
          ['Since', (r) => r.created_at || r.updated_at]], items, null, (r) => r.source_ref), detail);
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
        r.rows, (x) => (Number(x.variance) !== 0 ? 'diff' : 'same'), (x) => (x.project_id || x.project) + '|' + x[by]),
        el('h3', { text: 'Posted cost per period' }), chart(r.posted_by_period || []));
    },
  };

  async function runFlow(flow) {
    try { await api('POST', '/tenants/' + tenant() + '/sync/' + encodeURIComponent(flow)); say(flow + ' run queued'); } catch (e) { say(e.message, true); }
  }

  function decisionText(d) {
    if (!d) return '';
    return d.action + (d.arg ? ' ' + d.arg : '') + ' by ' + d.by + ' (' + d.state + '): ' + d.why;
  }

  /* The record and its candidates side by side, a column each, the
   * values that differ from the record marked (in words too). */
  function compareTable(cmp) {
    const rows = cmp.rows || [];
    const head = el('tr', {}, el('th', { scope: 'col', text: 'Field' }),
      ...rows.map((r) => el('th', { scope: 'col', text: r.id === 'record' ? 'This record' : 'Candidate ' + r.id })));
    const body = (cmp.fields || []).map((f) => el('tr', {}, el('th', { scope: 'row', text: f }),
      ...rows.map((r) => {
        const v = r.values[f];
        const differs = (r.differs || []).includes(f);
        return el('td', { class: differs ? 'differs' : '' }, v == null ? '-' : String(v),
          differs ? el('span', { class: 'mark', text: ' (differs)' }) : null);
      })));
    return el('table', { id: 'compare', 'aria-label': 'the record and its candidates' }, el('thead', {}, head), el('tbody', {}, ...body));
  }

  /* The choices an item takes (review_actions), as radio buttons; an
   * argument goes in a labelled field next to its choice. */
  function decisionForm(it, done) {
    const form = el('form', { id: 'resolve-form', 'aria-label': 'Decide item ' + it.id });
    const set = el('fieldset', {}, el('legend', { text: 'Decision' }));
    const choices = [];
    const choice = (value, label, argInput) => {
      const id = 'act-' + choices.length;
      const radio = el('input', { type: 'radio', name: 'choice', id, value });
      choices.push({ radio, value, argInput });
      set.append(el('div', { class: 'choice' }, radio, el('label', { for: id, text: ' ' + label }), argInput ? ' ' : null,
        argInput ? el('label', { for: argInput.id, text: argInput.dataset.label }) : null, argInput ? ' ' : null, argInput));
    };
    const field = (id, label, attrs) => { const i = el('input', Object.assign({ id, name: id }, attrs || {})); i.dataset.label = label; return i; };
    for (const a of it.actions || []) {
      if (a === 'link') {
        for (const r of ((it.compare || {}).rows || []).filter((x) => x.id !== 'record')) {
          choice('link:' + r.id, 'Link to Procore vendor ' + r.id + (r.values.name ? ' (' + r.values.name + ')' : ''));
        }
        choice('link:', 'Link to another vendor:', field('link-id', 'Procore vendor id', { inputmode: 'numeric' }));
      } else if (a === 'create') choice('create', 'Create it in Procore');
      else if (a === 'ignore') choice('ignore', 'Ignore it from now on');
      else if (a === 'post-in') choice('post-in', 'Post it in an open period:', field('post-period', 'Period (empty: the first open one)'));
      else if (a === 'drop') choice('drop', 'Drop it: never post this edit');
      else if (a === 'map') choice('map', 'Map the cost code to an account and post:', field('map-to', 'GL account id', { inputmode: 'numeric' }));
    }
    const why = el('textarea', { id: 'resolve-why', name: 'why', required: '', rows: '2' });
    form.append(set, el('label', { for: 'resolve-why', text: 'Why (required, kept in the audit)' }), why,
      el('button', { type: 'submit', id: 'resolve-submit', text: 'Resolve item ' + it.id }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const c = choices.find((x) => x.radio.checked);
      if (!c) { say('choose what to do first', true); return; }
      const [action, chosen] = c.value.split(':');
      const arg = chosen || (c.argInput ? c.argInput.value.trim() : '');
      try {
        const r = await api('POST', '/tenants/' + tenant() + '/review/' + it.id + '/resolve',
          Object.assign({ action, why: why.value }, arg ? { arg } : {}));
        const now = r.replay ? (r.replay.plan || []).filter((x) => x.source === it.source_ref).map((x) => x.action) : [];
        say('item ' + it.id + ' resolved: ' + action + (arg ? ' ' + arg : '') + (now.length ? '; the record: ' + now.join(', ') : ''));
        done();
      } catch (e) { say(e.message, true); }
    });
    return form;
  }

  async function openItem(id, detail) {
    const it = await api('GET', '/tenants/' + tenant() + '/review/' + id);
    const title = el('h3', { id: 'item-title', tabindex: '-1', text: 'Item #' + it.id + ': ' + it.entity + ' ' + it.source_ref });
    detail.replaceChildren(title, el('p', { id: 'item-reason', text: it.reason }));
    if (it.decision) detail.append(el('p', { id: 'item-decision', text: 'Decision: ' + decisionText(it.decision) }));
    if (it.compare) {
      detail.append(el('h4', { text: 'Candidates side by side' + (it.offline ? ' (as parked: Procore could not be read)' : '') }),
        compareTable(it.compare));
    }
    const blocks = it.blocks || [];
    detail.append(el('h4', { text: 'It blocks ' + blocks.length + ' record(s)' }));
    if (blocks.length) detail.append(table([['Kind', (b) => b.kind], ['Id', (b) => b.id], ['Record', (b) => b.source_ref], ['Reason', (b) => b.reason]], blocks));
    if (role !== 'viewer') detail.append(decisionForm(it, () => route()));
    title.focus();
  }

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
    delete p.dataset.ready;
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
