// The Vigil console: lists the queries, follows the selected ones live over
// SSE, and shows the sources' and reactions' status. Plain modules, no build
// step, no third-party code.

import { getJSON, signIn, AuthError, HTTPError, queryPath } from './api.js';
import { ResultModel, ResultTable } from './results.js';

const REFRESH_MS = 3000; // status polling
const MAX_PANELS = 4; // each panel holds one SSE connection (browsers allow ~6 per host)
const LOG_SIZE = 50; // recent events kept per panel
const ANNOUNCE_MS = 1500; // screen-reader announcements are batched
const RETRY_MS = 2000; // reconnect delay after a stream closed for good

const $ = (sel, root = document) => root.querySelector(sel);

const state = {
  queries: [], // last GET /v1/queries
  selected: [], // query ids, in the order they were selected
  panels: new Map(), // query id -> Panel
  loaded: false,
  authNeeded: false,
};

// ---------------------------------------------------------------- formatting

function fmtTime(ms) {
  if (!ms) return '—';
  const d = new Date(ms);
  return isNaN(d) ? '—' : d.toLocaleString();
}

function ago(iso) {
  if (!iso) return { text: '—', title: '' };
  const t = Date.parse(iso);
  if (isNaN(t)) return { text: '—', title: '' };
  const s = Math.round((Date.now() - t) / 1000);
  let text;
  if (s < 2) text = 'just now';
  else if (s < 90) text = `${s} s ago`;
  else if (s < 5400) text = `${Math.round(s / 60)} min ago`;
  else if (s < 172800) text = `${Math.round(s / 3600)} h ago`;
  else text = new Date(t).toLocaleDateString();
  return { text, title: new Date(t).toLocaleString() };
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function badge(text, kind = text) {
  const b = document.createElement('span');
  b.className = 'badge state-' + String(kind || 'unknown').toLowerCase();
  b.textContent = text || 'unknown';
  return b;
}

function setBadge(el, text, kind = text) {
  el.className = 'badge state state-' + String(kind || 'unknown').toLowerCase();
  el.textContent = text || 'unknown';
}

/** A table row from cell contents: strings, nodes, or {text, title, cls}. */
function row(cells) {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement(i === 0 ? 'th' : 'td');
    if (i === 0) td.scope = 'row';
    if (c instanceof Node) td.append(c);
    else if (c && typeof c === 'object') {
      td.textContent = c.text;
      if (c.title) td.title = c.title;
      if (c.cls) td.className = c.cls;
    } else td.textContent = c ?? '';
    tr.append(td);
  });
  return tr;
}

// ---------------------------------------------------------------- panels

/** One followed query: its SSE stream, its result and its table. */
class Panel {
  constructor(id) {
    this.id = id;
    this.seq = 0;
    this.haveSnapshot = false;
    this.es = null;
    this.retry = 0;
    this.raf = 0;
    this.signal = ''; // last control signal, shown while bootstrapping or stopped
    this.gone = false;
    this.counts = { added: 0, updated: 0, deleted: 0 };
    this.announceTimer = 0;

    const el = $('#panel-template').content.firstElementChild.cloneNode(true);
    this.el = el;
    const slug = 'q-' + id.replace(/[^A-Za-z0-9_-]/g, '_');
    el.id = slug;
    el.dataset.query = id;
    const title = $('.panel-title', el);
    title.id = slug + '-title';
    title.textContent = id;
    el.setAttribute('aria-labelledby', title.id);
    $('caption', el).textContent = `Current results of ${id}`;
    const close = $('.close', el);
    close.setAttribute('aria-label', `Stop following ${id}`);
    close.addEventListener('click', () => deselect(id));

    this.stateEl = $('.state', el);
    this.liveEl = $('.live', el);
    this.errorEl = $('.panel-error', el);
    this.warnEl = $('.warnings', el);
    this.metaEl = $('.meta', el);
    this.queryEl = $('.query-text code', el);
    this.noRows = $('.no-rows', el);
    this.truncEl = $('.truncated', el);
    this.logEl = $('.log ol', el);
    this.announceEl = $('.announce', el);

    this.model = new ResultModel();
    this.table = new ResultTable($('table.rows', el), { onSort: () => this.schedule() });
    setBadge(this.stateEl, 'connecting', 'pending');
    this.info(state.queries.find((q) => q.id === id));
    this.render();
  }

  connect() {
    this.disconnect();
    this.gone = false;
    let url = queryPath(this.id) + '/events';
    // Resume after the last event we have; the server replays the gap (or
    // sends a fresh snapshot when it no longer holds it).
    if (this.haveSnapshot) url += '?lastEventId=' + this.seq;
    const es = new EventSource(url);
    this.es = es;
    this.setLive('connecting…', 'pending');
    es.onopen = () => this.setLive('live', 'live');
    es.onmessage = (m) => {
      let ev;
      try { ev = JSON.parse(m.data); } catch { return; }
      this.onEvent(ev);
    };
    es.onerror = () => {
      if (es !== this.es) return;
      if (es.readyState === EventSource.CLOSED) this.onClosed();
      else this.setLive('reconnecting…', 'pending'); // EventSource retries by itself, with Last-Event-ID
    };
  }

  disconnect() {
    if (this.es) { this.es.onerror = null; this.es.close(); this.es = null; }
    clearTimeout(this.retry);
  }

  destroy() {
    this.disconnect();
    cancelAnimationFrame(this.raf);
    clearTimeout(this.announceTimer);
    this.el.remove();
  }

  /** The stream failed for good (e.g. 401 or 404): find out why. */
  async onClosed() {
    this.es = null;
    this.setLive('disconnected', 'error');
    try {
      await getJSON(queryPath(this.id));
      this.retry = setTimeout(() => this.connect(), RETRY_MS);
    } catch (e) {
      if (e instanceof AuthError) needAuth();
      else if (e instanceof HTTPError && e.status === 404) this.markGone();
      else this.retry = setTimeout(() => this.connect(), RETRY_MS);
    }
  }

  markGone() {
    this.gone = true;
    this.disconnect();
    // A query created again under this name has a new stream: start over.
    this.haveSnapshot = false;
    this.seq = 0;
    this.signal = '';
    this.model.reset([], []);
    this.schedule();
    this.setLive('', '');
    setBadge(this.stateEl, 'deleted', 'gone');
    this.showError(`Query ${this.id} does not exist (any more). It reconnects if it is created again.`);
  }

  setLive(text, kind) {
    this.liveEl.textContent = text;
    this.liveEl.className = 'live ' + kind;
  }

  onEvent(ev) {
    if (ev.kind !== 'snapshot' && this.haveSnapshot && ev.sequence <= this.seq) return; // already applied
    this.seq = ev.sequence ?? this.seq;
    this.log(ev);
    switch (ev.kind) {
      case 'snapshot':
        this.haveSnapshot = true;
        this.model.reset(ev.results, ev.columns);
        this.announce(`${this.id}: ${plural(this.model.size, 'row')}`);
        break;
      case 'change': {
        const n = this.model.apply(ev);
        for (const k in n) this.counts[k] += n[k];
        this.queueAnnounce();
        break;
      }
      case 'control': {
        const sig = ev.controlSignal || {};
        this.signal = sig.kind || '';
        if (sig.kind === 'bootstrapStarted') setBadge(this.stateEl, 'bootstrapping', 'pending');
        else if (sig.kind === 'stopped') {
          setBadge(this.stateEl, 'stopped', 'stopped');
          if (sig.reason) this.showError('Stopped: ' + sig.reason);
        } else if (sig.kind === 'running' || sig.kind === 'bootstrapCompleted') {
          // A replaced query may have new columns: ask for them.
          getJSON(queryPath(this.id)).then((q) => {
            if (q.columns?.length) this.model.columns = [...q.columns];
            this.info(q);
            this.schedule();
          }).catch(() => {});
        }
        break;
      }
    }
    this.schedule();
  }

  /** Updates the panel from GET /v1/queries (state, error, warnings, text). */
  info(q) {
    if (!q) return;
    if (this.gone) return;
    if (this.signal !== 'bootstrapStarted' && this.signal !== 'stopped') setBadge(this.stateEl, q.state);
    this.showError(q.error || '');
    this.warnEl.replaceChildren(...(q.warnings || []).map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }));
    this.warnEl.hidden = !q.warnings?.length;
    const text = (q.language ? `-- ${q.language}\n` : '') + (q.query || '').trimEnd();
    if (this.queryEl.textContent !== text) this.queryEl.textContent = text;
    if (!this.model.columns.length && q.columns?.length) {
      this.model.columns = [...q.columns];
      this.schedule();
    }
  }

  showError(msg) {
    if (this.errorEl.textContent !== msg) this.errorEl.textContent = msg;
    this.errorEl.hidden = !msg;
  }

  schedule() {
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.render(); });
  }

  render() {
    const { shown, total } = this.table.render(this.model);
    this.noRows.hidden = total > 0 || !this.haveSnapshot;
    this.truncEl.hidden = shown === total;
    this.truncEl.textContent = `Showing ${shown} of ${total} rows.`;
    const parts = [plural(total, 'row'), `sequence ${this.seq}`];
    if (this.sourceTimeMs) parts.push(`source time ${fmtTime(this.sourceTimeMs)}`);
    if (this.model.anomalies) parts.push(`${this.model.anomalies} unmatched updates/deletes`);
    this.metaEl.textContent = parts.join(' · ');
    const count = document.querySelector(`#query-list li[data-query="${CSS.escape(this.id)}"] .count`);
    if (count) count.textContent = plural(total, 'row');
  }

  log(ev) {
    if (ev.sourceTimeMs) this.sourceTimeMs = ev.sourceTimeMs;
    const li = document.createElement('li');
    li.value = ev.sequence;
    let what;
    switch (ev.kind) {
      case 'change':
        what = `change: +${ev.addedResults?.length || 0} ~${ev.updatedResults?.length || 0} −${ev.deletedResults?.length || 0}`;
        break;
      case 'snapshot':
        what = `snapshot: ${plural(ev.results?.length || 0, 'row')}`;
        break;
      case 'control':
        what = ev.controlSignal?.kind + (ev.controlSignal?.reason ? `: ${ev.controlSignal.reason}` : '');
        break;
      default:
        what = ev.kind;
    }
    li.textContent = `${what} (${new Date().toLocaleTimeString()})`;
    this.logEl.prepend(li);
    while (this.logEl.children.length > LOG_SIZE) this.logEl.lastElementChild.remove();
  }

  queueAnnounce() {
    if (this.announceTimer) return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = 0;
      const c = this.counts;
      const parts = [];
      if (c.added) parts.push(`${plural(c.added, 'row')} added`);
      if (c.updated) parts.push(`${c.updated} updated`);
      if (c.deleted) parts.push(`${c.deleted} deleted`);
      this.counts = { added: 0, updated: 0, deleted: 0 };
      if (parts.length) this.announce(`${this.id}: ${parts.join(', ')}`);
    }, ANNOUNCE_MS);
  }

  announce(msg) {
    this.announceEl.textContent = msg;
  }
}

// ---------------------------------------------------------------- selection

function select(id) {
  if (state.panels.has(id)) return;
  while (state.selected.length >= MAX_PANELS) deselect(state.selected[0], false);
  const p = new Panel(id);
  state.panels.set(id, p);
  state.selected.push(id);
  $('#panels').append(p.el);
  p.connect();
  syncSelection();
}

function deselect(id, sync = true) {
  const p = state.panels.get(id);
  if (!p) return;
  p.destroy();
  state.panels.delete(id);
  state.selected = state.selected.filter((x) => x !== id);
  if (sync) syncSelection();
}

function syncSelection() {
  $('#no-selection').hidden = state.selected.length > 0;
  for (const b of document.querySelectorAll('#query-list button[data-query]')) {
    b.setAttribute('aria-pressed', String(state.panels.has(b.dataset.query)));
  }
  const hash = state.selected.length ? '#q=' + state.selected.map(encodeURIComponent).join(',') : '';
  if (location.hash !== hash) history.replaceState(null, '', location.pathname + location.search + hash);
}

function selectionFromHash() {
  const m = /^#q=(.*)$/.exec(location.hash);
  return m ? m[1].split(',').filter(Boolean).map(decodeURIComponent) : [];
}

// ---------------------------------------------------------------- status

function renderQueries(qs) {
  const ul = $('#query-list');
  const have = new Map([...ul.children].map((li) => [li.dataset.query, li]));
  let prev = null;
  for (const q of qs) {
    let li = have.get(q.id);
    have.delete(q.id);
    if (!li) {
      li = document.createElement('li');
      li.dataset.query = q.id;
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.query = q.id;
      b.setAttribute('aria-pressed', String(state.panels.has(q.id)));
      b.addEventListener('click', () => (state.panels.has(q.id) ? deselect(q.id) : select(q.id)));
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = q.id;
      const info = document.createElement('span');
      info.className = 'info';
      b.append(name, info);
      const err = document.createElement('p');
      err.className = 'error small';
      li.append(b, err);
    }
    const info = $('.info', li);
    const count = document.createElement('span');
    count.className = 'count';
    // A followed query's count is live; the others' come from this poll.
    const p = state.panels.get(q.id);
    count.textContent = plural(p?.haveSnapshot ? p.model.size : q.rows ?? 0, 'row');
    info.replaceChildren(badge(q.state), ' ', count);
    const err = $('p.error', li);
    err.textContent = q.error || '';
    err.hidden = !q.error;
    err.title = q.error || '';
    const want = prev ? prev.nextSibling : ul.firstChild;
    if (want !== li) ul.insertBefore(li, want);
    prev = li;
  }
  for (const li of have.values()) li.remove();
  $('#query-list-empty').hidden = qs.length > 0;

  for (const [id, p] of state.panels) {
    const q = qs.find((x) => x.id === id);
    if (q) {
      if (p.gone) p.connect(); // created again
      p.info(q);
    }
  }
}

function renderSources(srcs) {
  $('#sources tbody').replaceChildren(...srcs.map((s) => {
    const last = ago(s.lastEvent);
    return row([s.name, s.kind, badge(s.state), { text: String(s.changes ?? 0), cls: 'num' }, last,
      { text: s.position || '—', cls: 'mono' }, { text: s.error || '', cls: 'error' }]);
  }));
  if (!srcs.length) $('#sources tbody').append(emptyRow(7, 'No sources.'));
}

function renderReactions(rs) {
  $('#reactions tbody').replaceChildren(...rs.map((r) => {
    const st = r.status || {};
    const lag = Object.entries(r.lag || {}).reduce((n, [, v]) => n + v, 0);
    const lagTitle = Object.entries(r.lag || {}).map(([q, v]) => `${q}: ${v}`).join(', ');
    const kind = r.kind + (st.clients ? ` (${plural(st.clients, 'client')})` : '');
    // Only a current error is shown as one: once the reaction delivers
    // again the server clears it, and the time of the last failure moves to
    // the failures count's tooltip (it used to stay in this column for good).
    let err = st.error || '';
    const lastErr = st.lastErrorAt ? ago(st.lastErrorAt) : null;
    if (err && lastErr) err += ' — ' + lastErr.text;
    const warn = (r.warnings || []).join('; ');
    return row([r.name, kind, (r.queries || []).join(', '), badge(st.state),
      { text: String(st.delivered ?? 0), cls: 'num' },
      { text: String(st.failures ?? 0), title: lastErr ? `last failure ${lastErr.text} (${lastErr.title})` : '', cls: 'num' },
      { text: String(st.deadLetters ?? 0), cls: 'num' + (st.deadLetters ? ' warn' : '') },
      { text: r.lag ? String(lag) : '—', title: lagTitle, cls: 'num' }, ago(st.lastDelivery),
      { text: [err, warn].filter(Boolean).join('; '), cls: 'error' }]);
  }));
  if (!rs.length) $('#reactions tbody').append(emptyRow(10, 'No reactions.'));
}

// The breakers panel shows when the server has circuit breakers (the
// CircuitBreaker reaction mounts /v1/breakers); open ones first.
const BREAKER_ORDER = { OPEN: 0, HALF_OPEN: 1, CLOSED: 2 };

function renderBreakers(bs) {
  const section = $('#breakers-section');
  section.hidden = bs === null;
  if (bs === null) return;
  const sorted = [...bs].sort((a, b) => (BREAKER_ORDER[a.state] ?? 3) - (BREAKER_ORDER[b.state] ?? 3)
    || String(a.key).localeCompare(String(b.key)));
  $('#breakers tbody').replaceChildren(...sorted.map((b) => row([
    { text: String(b.key), cls: 'mono' }, badge(b.state, String(b.state).toLowerCase()), ago(b.since),
    b.reason || '', b.query || '', b.throttle || '—',
  ])));
  if (!bs.length) $('#breakers tbody').append(emptyRow(6, 'No breakers have tripped.'));
}

// getBreakers is null where the server has no breakers endpoint: the
// status lists the endpoints plugins add.
async function getBreakers(st) {
  if (!(st.endpoints || []).includes('GET /v1/breakers')) return null;
  return getJSON('v1/breakers');
}

function emptyRow(span, text) {
  const tr = document.createElement('tr');
  const td = document.createElement('td');
  td.colSpan = span;
  td.className = 'empty';
  td.textContent = text;
  tr.append(td);
  return tr;
}

function renderStatus(st) {
  const box = $('#load-errors');
  const errs = st.errors || [];
  box.hidden = !errs.length;
  $('ul', box).replaceChildren(...errs.map((e) => {
    const li = document.createElement('li');
    li.textContent = e;
    return li;
  }));
  setConn(st.ready ? 'Connected' : 'Loading resources…', st.ready ? 'ok' : 'pending',
    st.engineNow ? `engine time ${new Date(st.engineNow).toLocaleString()}` : '');
}

function setConn(text, kind, title = '') {
  const el = $('#conn');
  if (el.textContent !== text) el.textContent = text;
  el.className = 'conn ' + kind;
  el.title = title;
}

let refreshTimer = 0;

async function refresh() {
  clearTimeout(refreshTimer);
  if (document.hidden && state.loaded) {
    refreshTimer = setTimeout(refresh, REFRESH_MS);
    return;
  }
  try {
    const [qs, srcs, rs, st] = await Promise.all([
      getJSON('v1/queries'), getJSON('v1/sources'), getJSON('v1/reactions'), getJSON('v1/status'),
    ]);
    const bs = await getBreakers(st);
    state.queries = qs;
    renderQueries(qs);
    renderSources(srcs);
    renderReactions(rs);
    renderBreakers(bs);
    renderStatus(st);
    $('#updated').textContent = `Status updated ${new Date().toLocaleTimeString()}; refreshes every ${REFRESH_MS / 1000} s.`;
    if (!state.loaded) {
      state.loaded = true;
      // Follow the queries named in the URL, or else the first running one.
      const want = selectionFromHash();
      if (!want.length) {
        const first = qs.find((q) => q.state === 'running');
        if (first) want.push(first.id);
      }
      want.forEach(select);
      syncSelection();
    }
  } catch (e) {
    if (e instanceof AuthError) needAuth();
    else setConn('Server unreachable', 'error', String(e.message || e));
  }
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

// ---------------------------------------------------------------- auth

function needAuth() {
  if (state.authNeeded) return;
  state.authNeeded = true;
  setConn('Token required', 'error');
  $('#auth').hidden = false;
  $('#auth-token').focus();
}

async function onSignIn(e) {
  e.preventDefault();
  const input = $('#auth-token');
  const errEl = $('#auth-error');
  let ok = false;
  try { ok = await signIn(input.value); } catch { /* network */ }
  if (!ok) {
    errEl.textContent = 'That token was not accepted.';
    errEl.hidden = false;
    return;
  }
  input.value = '';
  errEl.hidden = true;
  $('#auth').hidden = true;
  state.authNeeded = false;
  for (const p of state.panels.values()) if (!p.es && !p.gone) p.connect();
  refresh();
}

// ---------------------------------------------------------------- start

function start() {
  // Opened as /?token=…: the server has set its cookie; keep the token out
  // of the address bar and the history.
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {
    params.delete('token');
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
  }
  $('#auth-form').addEventListener('submit', onSignIn);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  window.addEventListener('hashchange', () => {
    const want = selectionFromHash();
    for (const id of [...state.selected]) if (!want.includes(id)) deselect(id, false);
    want.forEach(select);
    syncSelection();
  });
  refresh();
}

start();
