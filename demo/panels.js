// Small DOM panels of the demo page: the event log, the format table, the HLS variants table
// and a few formatters. They build nodes with textContent only (URLs and codec strings come
// from the network and are never parsed as HTML).

/** Seconds as m:ss.s, `--:--` when unknown. */
export function formatClock(seconds) {
  if (seconds === Infinity) return 'live';
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const tenths = Math.floor(seconds * 10 + 1e-6);
  const m = Math.floor(tenths / 600);
  const s = (tenths - m * 600) / 10;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** Bytes as B / kB / MB. */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '?';
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(2)} MB`;
}

/** Bits per second as kbit/s or Mbit/s. */
export function formatBps(n) {
  if (!Number.isFinite(n)) return '–';
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} Mbit/s` : `${Math.round(n / 1e3)} kbit/s`;
}

/** Builds a CSS gradient that paints buffered ranges of a seek bar. */
export function bufferedGradient(ranges, duration, color) {
  if (!ranges || !(duration > 0) || !Number.isFinite(duration) || ranges.length === 0) return 'none';
  const stops = [];
  for (let i = 0; i < ranges.length; i++) {
    const a = Math.max(0, Math.min(100, (ranges.start(i) / duration) * 100)).toFixed(2);
    const b = Math.max(0, Math.min(100, (ranges.end(i) / duration) * 100)).toFixed(2);
    stops.push(`transparent ${a}%`, `${color} ${a}%`, `${color} ${b}%`, `transparent ${b}%`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/**
 * The event log: newest first, at most `max` rows; a repeat of the newest event bumps a
 * counter instead of adding a row (timeupdate and progress would flood it otherwise).
 */
export class EventLog {
  /**
   * @param {HTMLOListElement} list
   * @param {number} max
   * @param {Set<string>} coalesce events whose repeats merge even when their detail differs
   */
  constructor(list, max = 50, coalesce = new Set(['timeupdate', 'progress', 'volumechange'])) {
    this.list = list;
    this.max = max;
    this.coalesce = coalesce;
    this.t0 = performance.now();
    /** @type {{ t: number, name: string, detail: string, count: number, cls: string, li: HTMLLIElement }[]} */
    this.entries = [];
  }

  /** Adds an event. `cls` is '', 'warn' or 'error'. */
  add(name, detail = '', cls = '') {
    const t = (performance.now() - this.t0) / 1000;
    const top = this.entries[0];
    if (top && top.name === name && top.cls === cls && (top.detail === detail || this.coalesce.has(name))) {
      top.count++;
      top.t = t;
      top.detail = detail;
      this.#fill(top);
      return;
    }
    const li = document.createElement('li');
    if (cls) li.className = cls;
    for (const c of ['t', 'n', 'd']) {
      const span = document.createElement('span');
      span.className = c;
      li.append(span);
    }
    const entry = { t, name, detail, count: 1, cls, li };
    this.entries.unshift(entry);
    this.#fill(entry);
    this.list.prepend(li);
    while (this.entries.length > this.max) this.entries.pop()?.li.remove();
  }

  /** Removes every row. */
  clear() {
    for (const e of this.entries) e.li.remove();
    this.entries.length = 0;
  }

  #fill(e) {
    const [t, n, d] = /** @type {HTMLSpanElement[]} */ ([...e.li.children]);
    t.textContent = `${e.t.toFixed(3)}s`;
    n.textContent = e.count > 1 ? `${e.name} ×${e.count}` : e.name;
    d.textContent = e.detail;
  }
}

/** Fills a `<dl>` with key/value rows; skips the work when nothing changed. */
export function renderKeyValues(dl, rows) {
  const key = JSON.stringify(rows);
  if (dl.dataset.key === key) return;
  dl.dataset.key = key;
  dl.replaceChildren();
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
}

/** Renders the variants table and the ABR select; marks the current variant. */
export function renderVariants(tbody, select, variants, current, mode) {
  tbody.replaceChildren();
  for (const v of variants) {
    const tr = document.createElement('tr');
    if (v.index === current) tr.className = 'current';
    for (const text of [String(v.index), formatBps(v.bandwidth), v.codecs || '–', v.name || '–']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tbody.append(tr);
  }
  const wanted = ['auto', ...variants.map((v) => String(v.index))];
  const have = [...select.options].map((o) => o.value);
  if (wanted.join() !== have.join()) {
    select.replaceChildren();
    for (const value of wanted) {
      const o = document.createElement('option');
      o.value = value;
      const v = variants.find((x) => String(x.index) === value);
      o.textContent = v ? `#${v.index} · ${formatBps(v.bandwidth)}` : 'auto (ABR)';
      select.append(o);
    }
  }
  select.value = String(mode);
}

/** Lists the browser features the engine relies on. */
export function renderEnv(ul) {
  const features = [
    ['cross-origin isolated', globalThis.crossOriginIsolated === true],
    ['SharedArrayBuffer', typeof SharedArrayBuffer === 'function'],
    ['WebCodecs AudioDecoder', typeof globalThis.AudioDecoder === 'function'],
    ['AudioWorklet', typeof AudioWorkletNode === 'function'],
    ['OPFS', typeof navigator.storage?.getDirectory === 'function'],
  ];
  ul.replaceChildren();
  for (const [name, ok] of features) {
    const li = document.createElement('li');
    li.className = ok ? 'ok' : 'no';
    li.textContent = `${ok ? '✓' : '✗'} ${name}`;
    ul.append(li);
  }
}
