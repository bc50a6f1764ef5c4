#!/usr/bin/env node
// The Kithara test HTTP server: static files with Range, COOP/COEP and fault injection through
// query parameters. Used by the unit tests (net, file), the Playwright tests and the demo.
// Plain Node ESM, no dependencies. Real timers are fine here: this is test infrastructure, not
// engine code. See README.md next to this file for the query parameters.
//
// Server-wide throttle (for bandwidth step traces): `GET /__throttle?rate=BYTES_PER_SEC&latency=MS`
// replaces the server's default caps (`bytesPerSec`, `latencyMs`) until changed again; either
// parameter may be left out to keep its current value, `rate=none` lifts the rate cap. The new
// rate applies to every later response chunk of every request without its own `rate=` query,
// including responses already in progress (their pacing restarts from the moment of the change);
// the new latency applies to requests that arrive afterwards. `GET /__throttle?reset=1` restores
// the startServer options; `GET /__throttle` alone reports the current caps. The answer is JSON
// `{ latencyMs, bytesPerSec }` (bytesPerSec null when uncapped). Not logged, like /__log.

import { open, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Content types by file extension. */
export const MIME_TYPES = {
  '.mp3': 'audio/mpeg',
  '.aac': 'audio/aac',
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.flac': 'audio/flac',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.key': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

const EXPOSED = 'Content-Range, Content-Length, Accept-Ranges, Content-Type, Retry-After';
const HTML_PAGE = Buffer.from(
  '<!doctype html><html><head><title>Service unavailable</title></head>' +
    '<body><h1>Oops</h1><p>This is an HTML error page, not audio.</p></body></html>\n',
);

/** Largest chunk written at once when no rate cap applies. */
const CHUNK = 64 * 1024;

/**
 * Starts the test server.
 * @param {{ root: string, port?: number, host?: string, coi?: boolean, latencyMs?: number,
 *   bytesPerSec?: number, extraRoots?: Record<string, string> }} options
 *   `root`: folder served at `/`. `extraRoots`: mount points, e.g. `{ '/dist': '/abs/dist' }`.
 *   `coi` (default true): send COOP/COEP/CORP. `latencyMs`/`bytesPerSec`: defaults for every
 *   request, overridden by the `latency`/`rate` query parameters.
 * @returns {Promise<{ url: string, port: number, close(): Promise<void>, log: RequestRecord[],
 *   resetState(): void }>} `url` ends without a slash, e.g. `http://127.0.0.1:40123`.
 *
 * @typedef {{ method: string, path: string, query: Record<string, string>, range: string | null,
 *   status: number, bytesSent: number, aborted: boolean, dropped: boolean, t: number,
 *   ms: number }} RequestRecord
 *   `t`: arrival time in ms since the server started; `ms`: time until the response ended.
 *   `aborted`: the body did not complete (client went away, or a drop/stall fault cut it);
 *   `dropped`: the server cut it on purpose.
 */
export async function startServer({
  root,
  port = 0,
  host = '127.0.0.1',
  coi = true,
  latencyMs = 0,
  bytesPerSec = Infinity,
  extraRoots = {},
} = {}) {
  if (!root) throw new Error('startServer: options.root is required');
  const mounts = Object.entries(extraRoots)
    .map(([prefix, dir]) => [prefix.replace(/\/+$/, ''), resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  mounts.push(['', resolve(root)]);

  /** @type {RequestRecord[]} */
  const log = [];
  const requestCounts = new Map(); // exact URL -> requests seen (for fail=)
  const droppedOnce = new Set(); // exact URLs already cut by dropOnce=
  const started = performance.now();
  /** The server-wide caps, changed by /__throttle; requests read them when they need them. */
  const caps = { latencyMs, bytesPerSec };
  const resetState = () => {
    requestCounts.clear();
    droppedOnce.clear();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err?.stack ?? err));
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);

    if (path === '/__log') {
      const body = JSON.stringify(log);
      if (url.searchParams.get('clear') === '1') log.length = 0;
      return sendSmall(res, 200, 'application/json', body, baseHeaders(true));
    }
    if (path === '/__throttle') {
      const p = url.searchParams;
      if (p.get('reset') === '1') {
        caps.latencyMs = latencyMs;
        caps.bytesPerSec = bytesPerSec;
      }
      const rate = p.get('rate');
      if (rate === 'none') caps.bytesPerSec = Infinity;
      else if (rate !== null) {
        const n = Number(rate);
        if (!(n > 0) || !Number.isFinite(n)) return sendSmall(res, 400, 'text/plain', 'rate, when provided, must be a positive number or none\n', baseHeaders(true));
        caps.bytesPerSec = n;
      }
      const latency = p.get('latency');
      if (latency !== null) {
        const n = Number(latency);
        if (!(n >= 0) || !Number.isFinite(n)) return sendSmall(res, 400, 'text/plain', 'latency, when provided, must be a number ≥ 0\n', baseHeaders(true));
        caps.latencyMs = n;
      }
      const body = JSON.stringify({ latencyMs: caps.latencyMs, bytesPerSec: Number.isFinite(caps.bytesPerSec) ? caps.bytesPerSec : null });
      return sendSmall(res, 200, 'application/json', body, baseHeaders(true));
    }
    if (path === '/__reset') {
      resetState();
      log.length = 0;
      return sendSmall(res, 200, 'application/json', '{"ok":true}', baseHeaders(true));
    }

    const q = Object.fromEntries(url.searchParams);
    /** @type {RequestRecord} */
    const rec = {
      method: req.method ?? 'GET',
      path,
      query: q,
      range: req.headers.range ?? null,
      status: 0,
      bytesSent: 0,
      aborted: false,
      dropped: false,
      t: Math.round(performance.now() - started),
      ms: 0,
    };
    log.push(rec);
    let finished = false;
    res.on('close', () => {
      rec.ms = Math.round(performance.now() - started) - rec.t;
      if (!finished) rec.aborted = true;
    });
    const done = () => {
      finished = true;
    };

    const key = req.url ?? path;
    const count = (requestCounts.get(key) ?? 0) + 1;
    requestCounts.set(key, count);
    const headers = baseHeaders(coi && q.coi !== '0');

    if (req.method === 'OPTIONS') {
      rec.status = 204;
      res.writeHead(204, {
        ...headers,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Range',
        'Access-Control-Max-Age': '600',
      });
      res.end(done);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      rec.status = 405;
      return sendSmall(res, 405, 'text/plain', 'method not allowed\n', headers, done);
    }

    const latency = num(q.latency, caps.latencyMs);
    if (latency > 0) {
      await sleep(latency);
      if (res.destroyed) return;
    }

    // Faults that replace the whole answer.
    if (q.status) {
      rec.status = Number(q.status);
      return sendSmall(res, rec.status, 'text/plain', `status ${q.status}\n`, headers, done);
    }
    if (q.fail) {
      const [code, times] = q.fail.split(':');
      if (count <= Number(times ?? 1)) {
        rec.status = Number(code);
        const h = { ...headers };
        if (q.retryAfter) h['Retry-After'] = q.retryAfter;
        return sendSmall(res, rec.status, 'text/plain', `injected ${code} (${count}/${times ?? 1})\n`, h, done);
      }
    }

    // The body: a file, seeded garbage or an HTML page.
    let body;
    let type;
    let honourRange = q.ignoreRange !== '1';
    if (q.html === '1') {
      body = bufferBody(HTML_PAGE);
      type = 'text/html; charset=utf-8';
      honourRange = false;
    } else if (q.garbage) {
      body = bufferBody(garbage(Number(q.garbage), hash(path)));
      type = mimeOf(path);
    } else {
      const file = await resolveFile(mounts, path);
      if (!file) {
        rec.status = 404;
        return sendSmall(res, 404, 'text/plain', `not found: ${path}\n`, headers, done);
      }
      body = await fileBody(file.path, file.size);
      type = mimeOf(file.path);
    }
    if (q.type) type = q.type;

    try {
      let start = 0;
      let end = body.size - 1;
      let status = 200;
      headers['Content-Type'] = type;
      const range = honourRange ? parseRange(req.headers.range, body.size) : null;
      if (range === 'unsatisfiable') {
        rec.status = 416;
        return sendSmall(res, 416, 'text/plain', 'range not satisfiable\n', { ...headers, 'Content-Range': `bytes */${body.size}` }, done);
      }
      if (range) {
        [start, end] = range;
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end}/${body.size}`;
      }
      const length = end - start + 1;
      if (q.noLength !== '1') headers['Content-Length'] = String(length);
      rec.status = status;
      res.writeHead(status, headers);
      if (req.method === 'HEAD') {
        res.end(done);
        return;
      }

      let cut = Infinity;
      if (q.drop) cut = Number(q.drop);
      if (q.dropOnce && !droppedOnce.has(key)) {
        droppedOnce.add(key);
        cut = Math.min(cut, Number(q.dropOnce));
      }
      const stall = q.stall ? Number(q.stall) : Infinity;
      // A `rate=` query fixes this response's cap; otherwise it follows the server-wide throttle.
      const own = num(q.rate, NaN);
      const rate = Number.isNaN(own) ? () => caps.bytesPerSec : own;
      await pump(res, body, start, length, { cut, stall, rate, rec, onComplete: done });
      if (cut < length || stall < length) return; // the socket was destroyed or left hanging
      res.end(done);
    } finally {
      await body.close();
    }
  }

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(undefined));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actualPort}`,
    port: actualPort,
    log,
    resetState,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok(undefined));
        server.closeAllConnections();
      }),
  };
}

/**
 * Writes `length` bytes of `body` from `start`, honouring the rate cap and the cut/stall faults.
 * `rate` is bytes/s, or a function read before every chunk (the server-wide throttle): when its
 * value changes, pacing restarts from that moment at the new rate.
 */
async function pump(res, body, start, length, { cut, stall, rate, rec, onComplete }) {
  const rateNow = typeof rate === 'function' ? rate : () => rate;
  const limit = Math.min(length, cut, stall);
  let pace = rateNow();
  let t0 = performance.now();
  let base = 0; // bytes sent when pacing last (re)started
  let sent = 0;
  while (sent < limit) {
    if (res.destroyed) return;
    const current = rateNow();
    if (current !== pace) {
      pace = current;
      t0 = performance.now();
      base = sent;
    }
    const chunkSize = Number.isFinite(pace) ? Math.max(256, Math.min(CHUNK, Math.floor(pace / 20))) : CHUNK;
    const n = Math.min(chunkSize, limit - sent);
    const chunk = await body.read(start + sent, n);
    if (res.destroyed) return;
    const flushed = res.write(chunk);
    sent += n;
    rec.bytesSent = sent;
    if (sent === length) onComplete(); // every body byte handed over: the client may hang up now
    if (!flushed) await waitDrain(res);
    if (Number.isFinite(pace) && sent < limit) {
      const due = ((sent - base) / pace) * 1000 - (performance.now() - t0);
      if (due > 0) await sleep(due);
    }
  }
  if (cut < length) {
    rec.dropped = true;
    // Let the bytes already written reach the client before the connection is torn down.
    await new Promise((ok) => res.socket ? res.socket.write('', () => ok(undefined)) : ok(undefined));
    res.socket?.destroy();
    res.destroy();
  } else if (stall < length) {
    rec.dropped = true;
    await new Promise((ok) => res.once('close', ok));
  }
}

/** Parses a single `bytes=` range. Returns [start, end], 'unsatisfiable', or null (serve all). */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // malformed or multi-range: ignore
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

function baseHeaders(coi) {
  const h = {
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': EXPOSED,
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  if (coi) {
    h['Cross-Origin-Opener-Policy'] = 'same-origin';
    h['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  return h;
}

function sendSmall(res, status, type, text, headers, done) {
  const body = Buffer.from(text);
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(body.length) });
  res.end(res.req?.method === 'HEAD' ? undefined : body, done);
}

async function resolveFile(mounts, path) {
  for (const [prefix, dir] of mounts) {
    if (prefix && path !== prefix && !path.startsWith(`${prefix}/`)) continue;
    const rel = normalize(path.slice(prefix.length)).replace(/^([/\\])+/, '');
    let full = join(dir, rel);
    if (full !== dir && !full.startsWith(dir + sep)) return null; // path traversal
    let st = await stat(full).catch(() => null);
    if (st?.isDirectory()) {
      full = join(full, 'index.html');
      st = await stat(full).catch(() => null);
    }
    if (st?.isFile()) return { path: full, size: st.size };
    if (prefix) return null;
  }
  return null;
}

function mimeOf(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

async function fileBody(path, size) {
  const fh = await open(path, 'r');
  return {
    size,
    async read(pos, n) {
      const buf = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
    close: () => fh.close(),
  };
}

function bufferBody(buf) {
  return { size: buf.length, read: async (pos, n) => buf.subarray(pos, pos + n), close: async () => {} };
}

/** Seeded xorshift32 bytes: the same path and length always give the same garbage. */
export function garbage(n, seed) {
  const out = Buffer.alloc(n);
  let s = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function num(value, fallback) {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

function waitDrain(res) {
  return new Promise((ok) => {
    const finish = () => {
      res.off('drain', finish);
      res.off('close', finish);
      ok(undefined);
    };
    res.on('drain', finish);
    res.on('close', finish);
  });
}

// ---------------------------------------------------------------------------------------------
// CLI: node e2e/server/test-server.mjs --root DIR [--port N] [--host H] [--latency MS]
//      [--rate BYTES_PER_SEC] [--no-coi] [--mount /prefix=DIR ...]

function parseCli(argv) {
  const o = { root: '.', port: 8080, host: '127.0.0.1', coi: true, latencyMs: 0, bytesPerSec: Infinity, extraRoots: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--root') o.root = next();
    else if (a === '--port') o.port = Number(next());
    else if (a === '--host') o.host = next();
    else if (a === '--latency') o.latencyMs = Number(next());
    else if (a === '--rate') o.bytesPerSec = Number(next());
    else if (a === '--no-coi') o.coi = false;
    else if (a === '--mount') {
      const [prefix, dir] = next().split('=');
      if (!prefix || !dir) throw new Error('--mount wants /prefix=DIR');
      o.extraRoots[prefix] = dir;
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const server = await startServer(parseCli(process.argv.slice(2)));
  console.log(`${server.url}/`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
