import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../e2e/server/test-server.mjs';
import type { RequestRecord, TestServer } from '../../e2e/server/test-server.mjs';

const SIZE = 50_000;
let dir: string;
let data: Buffer;
let server: TestServer;

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

async function get(path: string, init?: RequestInit): Promise<{ res: Response; body: Buffer }> {
  const res = await fetch(server.url + path, init);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

/** Raw request (fetch normalizes paths and hides socket-level failures). */
function raw(path: string): Promise<{ status: number; body: Buffer; error: Error | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const req = request(`${server.url}${path}`, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), error: null }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), error }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), error: new Error('aborted') }));
    });
    req.on('error', (error) => resolve({ status: 0, body: Buffer.concat(chunks), error }));
    req.end();
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kithara-server-'));
  mkdirSync(join(dir, 'root', 'sub'), { recursive: true });
  mkdirSync(join(dir, 'dist'));
  data = bytes(SIZE, 7);
  writeFileSync(join(dir, 'root', 'a.mp3'), data);
  writeFileSync(join(dir, 'root', 'sub', 'index.html'), '<p>sub</p>');
  writeFileSync(join(dir, 'root', 'list.m3u8'), '#EXTM3U\n');
  writeFileSync(join(dir, 'dist', 'kithara.mjs'), 'export const version = "x";\n');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  server = await startServer({ root: join(dir, 'root'), extraRoots: { '/dist': join(dir, 'dist') } });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  server.resetState();
  server.log.length = 0;
});

describe('static files', () => {
  it('serves a file whole with its MIME type, length and isolation headers', async () => {
    const { res, body } = await get('/a.mp3');
    assert.equal(res.status, 200);
    assert.deepEqual(body, data);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    assert.equal(res.headers.get('content-length'), String(SIZE));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /Content-Range/);
  });

  it('uses the playlist MIME type, index.html for folders and mounts extra roots', async () => {
    assert.equal((await get('/list.m3u8')).res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const sub = await get('/sub/');
    assert.equal(sub.body.toString(), '<p>sub</p>');
    assert.match(sub.res.headers.get('content-type') ?? '', /^text\/html/);
    const dist = await get('/dist/kithara.mjs');
    assert.equal(dist.res.status, 200);
    assert.match(dist.res.headers.get('content-type') ?? '', /^text\/javascript/);
  });

  it('answers 404 for missing files and for paths that climb out of the root', async () => {
    assert.equal((await get('/nope.mp3')).res.status, 404);
    assert.equal((await raw('/..%2fsecret.txt')).status, 404);
    assert.equal((await raw('/../secret.txt')).status, 404);
  });

  it('omits COOP/COEP for coi=0 and on a server started with coi false', async () => {
    const { res } = await get('/a.mp3?coi=0');
    assert.equal(res.headers.get('cross-origin-opener-policy'), null);
    assert.equal(res.headers.get('cross-origin-embedder-policy'), null);
    const plain = await startServer({ root: join(dir, 'root'), coi: false });
    try {
      const r = await fetch(`${plain.url}/a.mp3`);
      await r.arrayBuffer();
      assert.equal(r.headers.get('cross-origin-embedder-policy'), null);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
    } finally {
      await plain.close();
    }
  });
});

describe('Range', () => {
  it('answers bytes=a-b, bytes=a- and bytes=-n with 206 and Content-Range', async () => {
    const cases: [string, number, number][] = [
      ['bytes=100-199', 100, 199],
      ['bytes=49000-', 49000, SIZE - 1],
      ['bytes=-500', SIZE - 500, SIZE - 1],
      ['bytes=49990-60000', 49990, SIZE - 1],
    ];
    for (const [range, start, end] of cases) {
      const { res, body } = await get('/a.mp3', { headers: { Range: range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${SIZE}`);
      assert.equal(res.headers.get('content-length'), String(end - start + 1));
      assert.deepEqual(body, data.subarray(start, end + 1));
    }
    assert.equal(server.log[0]?.range, 'bytes=100-199');
  });

  it('answers 416 with the size when the range starts past the end', async () => {
    const { res } = await get('/a.mp3', { headers: { Range: `bytes=${SIZE}-` } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${SIZE}`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { res, body } = await get('/a.mp3', { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-length'), '10');
    assert.equal(body.length, 0);
  });

  it('serves the whole file with 200 when ignoreRange=1', async () => {
    const { res, body } = await get('/a.mp3?ignoreRange=1', { headers: { Range: 'bytes=10-20' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-range'), null);
    assert.deepEqual(body, data);
  });
});

describe('faults', () => {
  it('fails the first N requests to an exact URL, then succeeds; resetState restarts the count', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/a.mp3?fail=503:2')).res.status);
    assert.deepEqual(statuses, [503, 503, 200]);
    assert.equal((await get('/a.mp3?fail=503:2&x=1')).res.status, 503, 'another query is another URL');
    server.resetState();
    assert.equal((await get('/a.mp3?fail=503:2')).res.status, 503);
  });

  it('adds Retry-After to injected 429s when retryAfter is given', async () => {
    const first = await get('/a.mp3?fail=429:1&retryAfter=1');
    assert.equal(first.res.status, 429);
    assert.equal(first.res.headers.get('retry-after'), '1');
    assert.equal((await get('/a.mp3?fail=429:1&retryAfter=1')).res.status, 200);
  });

  it('always answers status=N with that status', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await get('/a.mp3?status=404')).res.status, 404);
    assert.equal((await get('/a.mp3?status=500')).res.status, 500);
  });

  it('cuts every response after drop=N body bytes', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await raw('/a.mp3?drop=10000');
      assert.ok(r.error, 'the body must end in an error');
      assert.ok(r.body.length <= 10000, `got ${r.body.length} bytes`);
      assert.deepEqual(r.body, data.subarray(0, r.body.length));
    }
    await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(server.log.map((e) => [e.bytesSent, e.dropped, e.aborted]), [[10000, true, true], [10000, true, true]]);
    await assert.rejects(get('/a.mp3?drop=1000'));
  });

  it('cuts only the first response with dropOnce=N', async () => {
    const first = await raw('/a.mp3?dropOnce=2000');
    assert.ok(first.error, 'the first response is cut');
    const second = await raw('/a.mp3?dropOnce=2000');
    assert.equal(second.error, null);
    assert.deepEqual(second.body, data);
  });

  it('sends N bytes and then holds the connection open with stall=N', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${server.url}/a.mp3?stall=3000`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 3000) {
      const { value, done } = await reader.read();
      assert.equal(done, false);
      got += value!.length;
    }
    assert.equal(got, 3000);
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((ok) => setTimeout(() => ok('stalled'), 300))]);
    assert.equal(next, 'stalled');
    ctrl.abort();
    await reader.read().catch(() => undefined);
    await new Promise((ok) => setTimeout(ok, 50));
    assert.equal(server.log[0]?.bytesSent, 3000);
    assert.equal(server.log[0]?.aborted, true);
  });

  it('overrides the type, drops the length, serves HTML and garbage on request', async () => {
    const typed = await get('/a.mp3?type=text/html');
    assert.equal(typed.res.headers.get('content-type'), 'text/html');
    const chunked = await get('/a.mp3?noLength=1');
    assert.equal(chunked.res.headers.get('content-length'), null);
    assert.deepEqual(chunked.body, data);
    const html = await get('/a.mp3?html=1', { headers: { Range: 'bytes=0-99' } });
    assert.equal(html.res.status, 200);
    assert.match(html.res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html.body.toString(), /<html>/);
    const g1 = await get('/missing.m4a?garbage=4096');
    const g2 = await get('/missing.m4a?garbage=4096');
    assert.equal(g1.res.status, 200);
    assert.equal(g1.res.headers.get('content-type'), 'audio/mp4');
    assert.equal(g1.body.length, 4096);
    assert.deepEqual(g1.body, g2.body, 'garbage is seeded');
    assert.ok(new Set(g1.body).size > 200, 'garbage looks random');
  });
});

describe('timing', () => {
  it('delays the headers by latency=ms', async () => {
    const t0 = performance.now();
    const { res } = await get('/a.mp3?latency=200');
    assert.equal(res.status, 200);
    assert.ok(performance.now() - t0 >= 180, `took ${performance.now() - t0} ms`);
  });

  it('caps throughput with rate=bytesPerSec and with the server default', async () => {
    const t0 = performance.now();
    const { body } = await get('/a.mp3?rate=100000'); // 50 kB at 100 kB/s: about 0.5 s
    const took = performance.now() - t0;
    assert.deepEqual(body, data);
    assert.ok(took >= 350, `rate-capped download took only ${took} ms`);

    const slow = await startServer({ root: join(dir, 'root'), bytesPerSec: 100_000, latencyMs: 100 });
    try {
      const t1 = performance.now();
      const r = await fetch(`${slow.url}/a.mp3`);
      await r.arrayBuffer();
      assert.ok(performance.now() - t1 >= 400, 'the default rate and latency apply');
      const t2 = performance.now();
      await (await fetch(`${slow.url}/a.mp3?rate=100000000&latency=0`)).arrayBuffer();
      assert.ok(performance.now() - t2 < 300, 'the query overrides the defaults');
    } finally {
      await slow.close();
    }
  });
});

describe('control endpoints', () => {
  it('returns the log, clears it on request and resets the fault counters', async () => {
    await get('/a.mp3?fail=503:1');
    await get('/a.mp3', { headers: { Range: 'bytes=0-9' } });
    const log = (await (await fetch(`${server.url}/__log`)).json()) as RequestRecord[];
    assert.deepEqual(log.map((e) => [e.path, e.status, e.query, e.range]), [
      ['/a.mp3', 503, { fail: '503:1' }, null],
      ['/a.mp3', 206, {}, 'bytes=0-9'],
    ]);
    const cleared = (await (await fetch(`${server.url}/__log?clear=1`)).json()) as RequestRecord[];
    assert.equal(cleared.length, 2);
    assert.equal(server.log.length, 0);
    await get('/a.mp3?fail=503:1'); // passes: the counter says 2nd request
    assert.equal(server.log[0]?.status, 200);
    await fetch(`${server.url}/__reset`).then((r) => r.arrayBuffer());
    assert.equal(server.log.length, 0);
    assert.equal((await get('/a.mp3?fail=503:1')).res.status, 503);
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(`${server.url}/a.mp3`, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-headers'), 'range');
  });
});
