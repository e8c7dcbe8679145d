// A query's current result: a multiset of rows folded from its event stream,
// and the table that shows it.
//
// Rows have no identity of their own, so a row is keyed by its canonical JSON
// (keys sorted): an update replaces one row equal to `before` with `after`
// (keeping its place in the table), a delete removes one row equal to it.

/** Canonical JSON: object keys sorted, recursively. */
export function rowKey(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(rowKey).join(',') + ']';
  return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + rowKey(v[k])).join(',') + '}';
}

/**
 * The rows of one query, in arrival order, with per-row change marks. Rows
 * are indexed by key, so a change costs the same whatever the result's size.
 */
export class ResultModel {
  constructor() {
    this.rows = new Map(); // entry id -> {id, key, row, version, flash: 'added'|'updated'|null}; insertion ordered
    this.byKey = new Map(); // key -> entries with that key (equal rows), oldest first
    this.nextID = 1;
    this.columns = [];
    this.anomalies = 0; // updates or deletes of rows we did not have
  }

  get size() { return this.rows.size; }

  /** The entries in arrival order (an updated row keeps its place). */
  list() { return [...this.rows.values()]; }

  /** Replaces everything with a snapshot's rows. */
  reset(rows, columns) {
    this.rows.clear();
    this.byKey.clear();
    for (const row of rows || []) this.#add(row, null);
    this.columns = columns && columns.length ? [...columns] : [];
    this.#learnColumns(rows || []);
  }

  /**
   * Applies a change event (deleted, then updated, then added, as the server
   * computes them) and returns the counts.
   */
  apply(ev) {
    const n = { added: 0, updated: 0, deleted: 0 };
    for (const row of ev.deletedResults || []) {
      const e = this.#take(rowKey(row));
      if (!e) { this.anomalies++; continue; }
      this.rows.delete(e.id);
      n.deleted++;
    }
    for (const u of ev.updatedResults || []) {
      const e = this.#take(rowKey(u.before));
      if (!e) {
        this.anomalies++;
        this.#add(u.after, 'updated');
      } else {
        e.row = u.after;
        e.key = rowKey(u.after);
        e.version++;
        e.flash = 'updated';
        this.#index(e);
      }
      n.updated++;
    }
    for (const row of ev.addedResults || []) {
      this.#add(row, 'added');
      n.added++;
    }
    this.#learnColumns((ev.addedResults || []).concat((ev.updatedResults || []).map((u) => u.after)));
    return n;
  }

  #add(row, flash) {
    const e = { id: this.nextID++, key: rowKey(row), row, version: 1, flash };
    this.rows.set(e.id, e);
    this.#index(e);
  }

  #index(e) {
    const same = this.byKey.get(e.key);
    if (same) same.push(e);
    else this.byKey.set(e.key, [e]);
  }

  /** Removes one entry with this key from the index (the newest) and returns it. */
  #take(key) {
    const same = this.byKey.get(key);
    if (!same) return null;
    const e = same.pop();
    if (!same.length) this.byKey.delete(key);
    return e;
  }

  #learnColumns(rows) {
    for (const row of rows) {
      if (row === null || typeof row !== 'object') continue;
      for (const k of Object.keys(row)) {
        if (!this.columns.includes(k)) this.columns.push(k);
      }
    }
  }
}

/** Text for a cell: scalars as they are, lists and maps as compact JSON. */
export function formatValue(v) {
  if (v === null || v === undefined) return { text: 'null', cls: 'null' };
  if (typeof v === 'string') return { text: v, cls: 'str' };
  if (typeof v === 'number') return { text: String(v), cls: 'num' };
  if (typeof v === 'boolean') return { text: String(v), cls: 'bool' };
  return { text: JSON.stringify(v), cls: 'json' };
}

const collator = new Intl.Collator(undefined, { numeric: true });

function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // nulls last
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const fa = formatValue(a).text, fb = formatValue(b).text;
  return collator.compare(fa, fb);
}

const FLASH_MS = 2000;

/**
 * Renders a ResultModel into a <table>: rows are reused by identity, so only
 * changed rows are touched; added and updated rows get a brief highlight.
 * At most `limit` rows are shown.
 */
export class ResultTable {
  constructor(table, { limit = 1000, onSort } = {}) {
    this.table = table;
    this.thead = table.tHead.rows[0];
    this.tbody = table.tBodies[0];
    this.limit = limit;
    this.rows = new Map(); // entry id -> {tr, version}
    this.columns = [];
    this.sort = null; // {col, dir: 1|-1}
    this.onSort = onSort;
  }

  render(model) {
    if (!sameList(this.columns, model.columns)) {
      this.columns = [...model.columns];
      this.#renderHead();
      this.rows.clear();
      this.tbody.replaceChildren();
    }
    let entries = model.list();
    if (this.sort) {
      const { col, dir } = this.sort;
      entries.sort((a, b) => dir * compareValues(a.row?.[col], b.row?.[col]) || a.id - b.id);
    }
    const shown = entries.slice(0, this.limit);
    const keep = new Set();
    let prev = null;
    for (const e of shown) {
      keep.add(e.id);
      let r = this.rows.get(e.id);
      if (!r) {
        r = { tr: document.createElement('tr'), version: 0 };
        this.rows.set(e.id, r);
      }
      if (r.version !== e.version) {
        this.#fill(r.tr, e.row);
        r.version = e.version;
      }
      if (e.flash) {
        this.#flash(r.tr, e.flash);
        e.flash = null;
      }
      // Move the row into place only when it is not there already.
      const want = prev ? prev.nextSibling : this.tbody.firstChild;
      if (want !== r.tr) this.tbody.insertBefore(r.tr, want);
      prev = r.tr;
    }
    for (const [id, r] of this.rows) {
      if (!keep.has(id)) {
        r.tr.remove();
        this.rows.delete(id);
      }
    }
    for (const e of entries.slice(this.limit)) e.flash = null;
    // Numeric columns are right-aligned; so are their headers.
    this.columns.forEach((col, i) => {
      let nums = 0, other = 0;
      for (const e of shown) {
        const v = e.row?.[col];
        if (typeof v === 'number') nums++;
        else if (v !== null && v !== undefined) other++;
      }
      this.thead.cells[i]?.classList.toggle('num', nums > 0 && other === 0);
    });
    return { shown: shown.length, total: entries.length };
  }

  #renderHead() {
    const ths = this.columns.map((col) => {
      const th = document.createElement('th');
      th.scope = 'col';
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = col;
      b.title = 'Sort by ' + col;
      b.addEventListener('click', () => {
        const dir = this.sort?.col === col ? (this.sort.dir === 1 ? -1 : 0) : 1;
        this.sort = dir ? { col, dir } : null;
        this.#markSort();
        this.onSort?.();
      });
      th.append(b);
      return th;
    });
    this.thead.replaceChildren(...ths);
    if (this.sort && !this.columns.includes(this.sort.col)) this.sort = null;
    this.#markSort();
  }

  #markSort() {
    this.columns.forEach((col, i) => {
      const th = this.thead.cells[i];
      if (this.sort?.col === col) th.setAttribute('aria-sort', this.sort.dir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }

  #fill(tr, row) {
    const tds = this.columns.map((col) => {
      const td = document.createElement('td');
      const { text, cls } = formatValue(row?.[col]);
      td.textContent = text;
      td.className = cls;
      return td;
    });
    tr.replaceChildren(...tds);
  }

  #flash(tr, kind) {
    if (tr.classList.contains('flash-added') || tr.classList.contains('flash-updated')) {
      tr.classList.remove('flash-added', 'flash-updated');
      void tr.offsetWidth; // restart the running animation
    }
    tr.classList.add('flash-' + kind);
    clearTimeout(tr._flashTimer);
    tr._flashTimer = setTimeout(() => tr.classList.remove('flash-' + kind), FLASH_MS);
  }
}

function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
