import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressiveSource } from '../../src/file/progressive-source.js';
import type { DownloadProgress, ProgressiveSourceOptions } from '../../src/file/file-options.js';
import { FetchNet } from '../../src/net/fetch-net.js';
import { createNet } from '../../src/net/net-options.js';
import { KitharaError } from '../../src/platform/errors.js';
import { patternBytes, serve, type Served } from '../net/net-test-helpers.js';

const T = { timeout: 20_000 };
const MiB = 1024 * 1024;
const fastRetry = { baseDelayMs: 2, maxDelayMs: 10, maxRetryAfterMs: 10 };

let srv: Served;
let big: Uint8Array; // 4 MiB
let small: Uint8Array; // 300 KB

before(async () => {
  srv = await serve();
  big = srv.generate('big.bin', patternBytes(4 * MiB, 11));
  small = srv.generate('small.bin', patternBytes(300_000, 12));
});
after(() => srv.close());

function open(url: string, options: ProgressiveSourceOptions = {}): ProgressiveSource {
  return new ProgressiveSource(url, { net: createNet({ retry: fastRetry }), retry: fastRetry, ...options });
}

/** Reads the whole source front to back in `chunk`-sized reads, as a demuxer would. */
async function readAllOf(src: ProgressiveSource, chunk = 64 * 1024): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const got = await src.read(pos, chunk);
    if (got.byteLength === 0) break;
    parts.push(got);
    pos += got.byteLength;
  }
  const out = new Uint8Array(pos);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const isCode = (code: string, status?: number) => (e: unknown) =>
  e instanceof KitharaError && e.code === code && (status === undefined || e.status === status);

describe('ProgressiveSource', () => {
  test('a full download yields exactly the file bytes, then commits and reports completion', T, async () => {
    const file = srv.fixture('chirp-f32.wav');
    const progress: DownloadProgress[] = [];
    let completed = 0;
    const src = open(srv.url('chirp-f32.wav'), { onProgress: (p) => progress.push(p), onComplete: () => completed++ });
    await src.ready;
    assert.equal(src.length, file.byteLength);
    assert.deepEqual(await readAllOf(src), file);
    await src.finished;
    assert.equal(src.status, 'committed');
    assert.equal(completed, 1);
    const last = progress.at(-1)!;
    assert.equal(last.loaded, file.byteLength);
    assert.deepEqual(last.ranges, [{ start: 0, end: file.byteLength }]);
    const reqs = srv.requests('/chirp-f32.wav');
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0]!.range, 'bytes=0-');
  });

  test('reads past the end are empty and reads across the end are cut to it', T, async () => {
    const src = open(srv.url('/gen/small.bin'));
    assert.deepEqual(await src.read(small.length - 10, 100), small.subarray(small.length - 10));
    assert.equal((await src.read(small.length, 10)).byteLength, 0);
    assert.equal((await src.read(small.length + 5000, 10)).byteLength, 0);
    src.abort();
  });

  test('a read far ahead is served by its own Range request before the stream gets there', T, async () => {
    const url = srv.url('/gen/big.bin', { rate: 400_000 });
    const src = open(url);
    assert.deepEqual(await src.read(0, 1000), big.subarray(0, 1000));
    const target = 3 * MiB + 123;
    const started = performance.now();
    assert.deepEqual(await src.read(target, 5000), big.subarray(target, target + 5000));
    // At 400 KB/s the first stream would need ~8 s to get there.
    assert.ok(performance.now() - started < 3000, 'served quickly');
    const reqs = srv.server.log.filter((r) => r.path === '/gen/big.bin' && r.query.rate === '400000');
    assert.deepEqual(reqs.map((r) => r.range), ['bytes=0-', `bytes=${target}-`]);
    // The new position is the new sequential stream: reading on needs no further request.
    assert.deepEqual(await src.read(target + 5000, 100_000), big.subarray(target + 5000, target + 105_000));
    assert.equal(srv.server.log.filter((r) => r.path === '/gen/big.bin' && r.query.rate === '400000').length, 2);
    assert.equal(src.available.has(1_000_000, 1_000_001), false, 'the skipped region is still a hole');
    src.abort();
  });

  test('a read within the demand threshold waits for the stream on a fast link, and gets its own Range request on a slow one', T, async () => {
    // 100 KB ahead: inside the 256 KiB threshold. At 16 KB/s the stream needs ~6 s to get there,
    // far longer than a new request: Range at once. Uncapped, the stream brings it first.
    const target = 100_000;
    for (const [rate, tag, expectRange] of [[16_000, 'slow', true], [undefined, 'fast', false]] as const) {
      const src = open(srv.url('/gen/small.bin', { run: tag, ...(rate !== undefined && { rate }) }));
      assert.deepEqual(await src.read(0, 10_000), small.subarray(0, 10_000));
      const started = performance.now();
      assert.deepEqual(await src.read(target, 5000), small.subarray(target, target + 5000));
      const reqs = srv.server.log.filter((r) => r.path === '/gen/small.bin' && r.query.run === tag).map((r) => r.range);
      if (expectRange) {
        assert.equal(reqs[1], `bytes=${target}-`, `${tag}: the far read got its own request (${reqs.join(', ')})`);
        assert.ok(performance.now() - started < 3000, `${tag}: served long before the stream could get there`);
      } else {
        assert.deepEqual(reqs, ['bytes=0-'], `${tag}: the stream brought it`);
      }
      src.abort();
    }
  });

  test('the skipped region is filled after the tail is done, and the result is exact', T, async () => {
    const src = open(srv.url('/gen/big.bin'), { gapChunkBytes: 512 * 1024 });
    assert.deepEqual(await src.read(0, 1000), big.subarray(0, 1000));
    assert.deepEqual(await src.read(big.length - 200, 200), big.subarray(big.length - 200));
    await src.finished;
    assert.equal(src.status, 'committed');
    assert.deepEqual(await src.read(0, big.length), big);
    const ranges = srv.requests('/gen/big.bin').filter((r) => r.query.rate === undefined).map((r) => r.range);
    assert.equal(ranges[0], 'bytes=0-');
    assert.equal(ranges[1], `bytes=${big.length - 200}-`);
    // The hole between is filled by bounded requests of at most gapChunkBytes.
    const fills = ranges.slice(2).map((r) => /^bytes=(\d+)-(\d+)$/.exec(r ?? '')!);
    assert.ok(fills.length >= 2);
    for (const m of fills) assert.ok(Number(m[2]) - Number(m[1]) + 1 <= 512 * 1024);
  });

  test('a body cut once is resumed from the first missing byte', T, async () => {
    const src = open(srv.url('/gen/big.bin', { dropOnce: 1_000_000 }));
    assert.deepEqual(await readAllOf(src), big);
    const reqs = srv.requests('/gen/big.bin').filter((r) => r.query.dropOnce !== undefined);
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0]!.dropped, true);
    assert.match(reqs[1]!.range ?? '', /^bytes=\d+-$/);
    const resumedAt = Number(/bytes=(\d+)-/.exec(reqs[1]!.range!)![1]);
    assert.ok(resumedAt > 0 && resumedAt <= 1_000_000, `resumed at ${resumedAt}`);
  });

  test('every response cut short still yields identical bytes', T, async () => {
    const src = open(srv.url('/gen/small.bin', { drop: 40_000 }));
    assert.deepEqual(await readAllOf(src), small);
    await src.finished;
    assert.equal(src.status, 'committed');
    assert.ok(srv.requests('/gen/small.bin').filter((r) => r.query.drop === '40000').length >= Math.ceil(small.length / 40_000));
  });

  test('a stalled body times out and is resumed', T, async () => {
    const net = createNet({ inactivityTimeoutMs: 150, retry: fastRetry });
    const src = open(srv.url('/gen/small.bin', { stall: 120_000 }), { net });
    assert.deepEqual(await readAllOf(src), small);
  });

  test('503 twice, then the answer: the download succeeds', T, async () => {
    const src = open(srv.url('/gen/small.bin', { fail: '503:2' }));
    assert.deepEqual(await readAllOf(src), small);
    assert.deepEqual(srv.requests('/gen/small.bin').filter((r) => r.query.fail === '503:2').map((r) => r.status), [503, 503, 206]);
  });

  test('a 404 fails reads, ready and onError with code http and status 404, quickly', T, async () => {
    const errors: KitharaError[] = [];
    const url = srv.url('/gen/small.bin', { status: 404 });
    const src = open(url, { onError: (e) => errors.push(e) });
    const started = performance.now();
    await assert.rejects(src.read(0, 10), isCode('http', 404));
    await assert.rejects(src.ready, isCode('http', 404));
    await assert.rejects(src.read(100, 10), isCode('http', 404));
    assert.ok(performance.now() - started < 1000);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.url, url);
    assert.equal(src.status, 'failed');
  });

  test('a body that keeps dying without progress fails after the retry policy, not never', T, async () => {
    const errors: KitharaError[] = [];
    const src = open(srv.url('/gen/small.bin', { drop: 0 }), { retry: { ...fastRetry, maxRetries: 3 }, onError: (e) => errors.push(e) });
    await assert.rejects(src.read(0, 10), isCode('network'));
    assert.equal(errors.length, 1);
    // 4 body attempts (1 + maxRetries); the net layer may add its own retries when a cut lands
  // before the headers, but the total stays bounded.
  const attempts = srv.requests('/gen/small.bin').filter((r) => r.query.drop === '0').length;
  assert.ok(attempts >= 4 && attempts <= 4 * 5, `attempts ${attempts}`);
  });

  test('a server that ignores Range still yields identical bytes, also after a seek', T, async () => {
    const src = open(srv.url('/gen/big.bin', { ignoreRange: 1 }));
    assert.deepEqual(await src.read(3 * MiB, 1000), big.subarray(3 * MiB, 3 * MiB + 1000));
    assert.deepEqual(await readAllOf(src), big);
    const reqs = srv.requests('/gen/big.bin').filter((r) => r.query.ignoreRange === '1');
    assert.equal(reqs.length, 1, 'the one full-body stream served everything');
    assert.equal(reqs[0]!.status, 200);
  });

  test('without any length header the download streams to the end, then knows its length', T, async () => {
    const src = open(srv.url('/gen/small.bin', { ignoreRange: 1, noLength: 1 }));
    await src.ready;
    assert.equal(src.length, undefined);
    assert.deepEqual(await readAllOf(src), small);
    assert.equal(src.length, small.length);
    await src.finished;
    assert.equal(src.status, 'committed');
    const ranged = open(srv.url('/gen/small.bin', { noLength: 1 }));
    assert.deepEqual(await readAllOf(ranged), small);
  });

  test('with unknown length, a read past the end answers empty instead of hanging', T, async () => {
    const src = open(srv.url('/gen/small.bin', { noLength: 1, rate: 2_000_000 }));
    // Before any header: the length is unknown, so the read goes to the server, which says 416.
    const past = await src.read(small.length + 1000, 10);
    assert.equal(past.byteLength, 0);
    assert.deepEqual(await readAllOf(src), small);
  });

  test('backpressure: a reader that stops holds the download near its look-ahead', T, async () => {
    const huge = srv.generate('huge.bin', patternBytes(48 * MiB, 13));
    const lookAhead = 256 * 1024;
    const src = open(srv.url('/gen/huge.bin'), { lookAheadBytes: lookAhead });
    assert.deepEqual(await src.read(0, 1000), huge.subarray(0, 1000));
    await new Promise((r) => setTimeout(r, 600));
    const held = src.available.coveredBytes;
    assert.ok(held <= lookAhead + 256 * 1024, `held ${held}`);
    const sent = srv.requests('/gen/huge.bin')[0]!.bytesSent;
    // What the server sent beyond `held` sits in socket buffers (a few MiB on loopback).
    assert.ok(sent < 12 * MiB, `server sent ${sent} of ${huge.length}: TCP backpressure holds it`);
    // The reader moves on: the download follows.
    src.setReadPosition(held);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(src.available.coveredBytes > held, 'resumed after the reader advanced');
    assert.ok(src.available.coveredBytes <= held + lookAhead + 256 * 1024);
    src.abort();
  });

  test('abort wakes waiting readers with aborted and stops the requests', T, async () => {
    const src = open(srv.url('/gen/big.bin', { stall: 0 }));
    const pending = src.read(2 * MiB, 10);
    const rejected = assert.rejects(pending, isCode('aborted'));
    await new Promise((r) => setTimeout(r, 50));
    src.abort();
    await rejected;
    await assert.rejects(src.read(0, 10), isCode('aborted'));
    await src.finished;
    await new Promise((r) => setTimeout(r, 50));
    const reqs = srv.requests('/gen/big.bin').filter((q) => q.query.stall === '0');
    assert.ok(reqs.length >= 1);
    for (const r of reqs) assert.equal(r.aborted, true);
  });

  test('a caller signal aborts only that read', T, async () => {
    const src = open(srv.url('/gen/big.bin', { rate: 200_000 }));
    const ctl = new AbortController();
    const mine = src.read(3 * MiB, 10, ctl.signal);
    ctl.abort();
    await assert.rejects(mine, isCode('aborted'));
    assert.deepEqual(await src.read(0, 10), big.subarray(0, 10));
    src.abort();
  });

  test('the plain FetchNet works too (no decorators)', T, async () => {
    const src = new ProgressiveSource(srv.url('/gen/small.bin'), { net: new FetchNet() });
    assert.deepEqual(await readAllOf(src), small);
  });
});

test('an empty file commits with length 0 and reads as empty', T, async () => {
  srv.generate('empty.bin', new Uint8Array(0));
  const src = open(srv.url('/gen/empty.bin'));
  assert.equal((await src.read(0, 100)).byteLength, 0);
  await src.finished;
  assert.equal(src.status, 'committed');
  assert.equal(src.length, 0);
});
