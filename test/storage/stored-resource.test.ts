import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.js';
import { ChunkedDriver } from '../../src/storage/chunked-driver.js';
import { MapKv, type KvBackend, type KvKey } from '../../src/storage/kv.js';
import { FakeQuota, quotaError } from '../../src/storage/byte-store.js';
import { decodeFrame, encodeFrame, asCoverageRecord, verifyRecord, pickNewest } from '../../src/storage/coverage-index.js';
import type { StorageEvent } from '../../src/storage/resource.js';
import type { StoredResource } from '../../src/storage/stored-resource.js';
import { pattern } from './contract.js';

const KiB = 1024;

/** A KvBackend that logs operations and can fail `setMany` on demand. */
class LoggingKv implements KvBackend {
  readonly log: string[] = [];
  failNext = 0;
  failWith: () => Error = () => quotaError('full');
  constructor(readonly inner = new MapKv()) {}
  get(key: KvKey) {
    return this.inner.get(key);
  }
  getMany(keys: KvKey[]) {
    return this.inner.getMany(keys);
  }
  async setMany(entries: [KvKey, unknown][]) {
    if (this.failNext > 0) {
      this.failNext--;
      throw this.failWith();
    }
    for (const [k, v] of entries) {
      if (k[0] === 'm') {
        const rec = asCoverageRecord(decodeFrame(v as Uint8Array));
        this.log.push(`meta ${JSON.stringify(rec?.ranges)}`);
      } else this.log.push(`data ${k[2]}`);
    }
    await this.inner.setMany(entries);
  }
  removePrefixes(prefixes: KvKey[]) {
    return this.inner.removePrefixes(prefixes);
  }
  keys(prefix: KvKey) {
    return this.inner.keys(prefix);
  }
}

async function settle(res: StoredResource): Promise<void> {
  await res.settled();
}

test('coverage is persisted at a bounded rate: by bytes, by time, and at once on commit', async () => {
  const clock = new FakeClock();
  const kv = new LoggingKv();
  const drv = new ChunkedDriver(kv, { clock, indexEveryBytes: 256 * KiB, indexEveryMs: 250, chunkSize: 64 * KiB });
  const res = await drv.open('a');
  for (let i = 0; i < 32; i++) {
    await res.writeAt(i * 16 * KiB, pattern(i * 16 * KiB, 16 * KiB));
    await settle(res);
  }
  // 512 KiB in 16 KiB writes → two updates by bytes, not 32.
  assert.equal(res.indexWrites, 2);
  await res.writeAt(512 * KiB, pattern(512 * KiB, 16 * KiB));
  await settle(res);
  assert.equal(res.indexWrites, 2, 'a small write waits for the timer');
  clock.advance(249);
  await settle(res);
  assert.equal(res.indexWrites, 2);
  clock.advance(1);
  await settle(res);
  assert.equal(res.indexWrites, 3, 'the timer persisted it');
  res.commit();
  await settle(res);
  assert.equal(res.indexWrites, 4, 'commit persists at once');
  await res.close();
});

test('a coverage record is saved only after the bytes it claims were stored', async () => {
  const kv = new LoggingKv();
  const drv = new ChunkedDriver(kv, { clock: new FakeClock(), indexEveryBytes: 100 * KiB, chunkSize: 64 * KiB });
  const res = await drv.open('b');
  for (let i = 0; i < 10; i++) await res.writeAt(i * 30 * KiB, pattern(i * 30 * KiB, 30 * KiB));
  res.commit();
  await res.close();
  const stored = new Set<number>();
  for (const line of kv.log) {
    if (line.startsWith('data ')) stored.add(Number(line.slice(5)));
    else {
      const ranges = JSON.parse(line.slice(5)) as [number, number][];
      for (const [s, e] of ranges) {
        for (let c = Math.floor(s / (64 * KiB)); c <= Math.floor((e - 1) / (64 * KiB)); c++) {
          assert.ok(stored.has(c), `record ${line} claims chunk ${c} before it was stored`);
        }
      }
    }
  }
  assert.ok(kv.log.filter((l) => l.startsWith('meta')).length >= 2, kv.log.join(', '));
});

test('after a crash (no close) the reopened resource holds exactly the persisted coverage, with intact bytes', async () => {
  const kv = new MapKv();
  const clock = new FakeClock();
  const drv = new ChunkedDriver(kv, { clock, indexEveryBytes: 256 * KiB, chunkSize: 64 * KiB });
  const res = await drv.open('c', { length: 2048 * KiB });
  for (let i = 0; i < 50; i++) {
    await res.writeAt(i * 20 * KiB, pattern(i * 20 * KiB, 20 * KiB));
    await res.settled();
  }
  // Crash: the driver and resource are dropped; only what reached the store survives.
  const again = await new ChunkedDriver(kv, { clock, chunkSize: 64 * KiB }).open('c');
  const held = again.available.coveredBytes;
  assert.ok(held > 0 && held < 50 * 20 * KiB, `partial coverage restored (${held})`);
  assert.equal(again.available.size, 1);
  assert.deepEqual(await again.read(0, held), pattern(0, held));
  assert.equal(again.length, 2048 * KiB);
  // The downloader fetches only what is missing.
  assert.deepEqual(again.available.gaps(0, 2048 * KiB), [{ start: held, end: 2048 * KiB }]);
});

test('a quota failure frees space through the hook and retries the write once', async () => {
  const quota = new FakeQuota(100 * KiB);
  const drv = new ChunkedDriver(new MapKv(), { quota, clock: new FakeClock() });
  const events: StorageEvent[] = [];
  let asked = 0;
  const res = await drv.open('d', {
    hooks: {
      onEvent: (e) => events.push(e),
      onQuotaExceeded: (key, needed) => {
        asked++;
        assert.equal(key, 'd');
        assert.equal(needed, 50 * KiB);
        quota.limitBytes = 1024 * KiB; // "evicted" something
        return Promise.resolve(true);
      },
    },
  });
  await res.writeAt(0, pattern(0, 80 * KiB));
  await res.writeAt(80 * KiB, pattern(80 * KiB, 50 * KiB));
  assert.equal(asked, 1);
  assert.equal(res.mode, 'persistent');
  assert.ok(!events.some((e) => e.type === 'fallback'));
  assert.deepEqual(await res.read(0, 130 * KiB), pattern(0, 130 * KiB));
  await res.close();
});

test('when freeing space does not help, the resource falls back to memory with its bytes and waiters intact', async () => {
  const quota = new FakeQuota(100 * KiB);
  const kv = new MapKv();
  const drv = new ChunkedDriver(kv, { quota, clock: new FakeClock() });
  const events: StorageEvent[] = [];
  const res = await drv.open('e', { length: 400 * KiB, hooks: { onEvent: (e) => events.push(e), onQuotaExceeded: () => Promise.resolve(true) } });
  await res.writeAt(0, pattern(0, 90 * KiB));
  const waiting = res.waitRange(200 * KiB, 300 * KiB);
  await res.writeAt(90 * KiB, pattern(90 * KiB, 110 * KiB));
  assert.equal(res.mode, 'memory');
  const fb = events.find((e) => e.type === 'fallback');
  assert.ok(fb !== undefined && fb.type === 'fallback' && fb.reason === 'quota');
  await res.writeAt(200 * KiB, pattern(200 * KiB, 200 * KiB));
  assert.equal(await waiting, 'ready');
  res.commit();
  assert.deepEqual(await res.read(0, 400 * KiB), pattern(0, 400 * KiB));
  await res.close();
});

test('a quota failure while flushing (IndexedDB reports it at commit time) is retried, then falls back', async () => {
  const kv = new LoggingKv();
  const events: StorageEvent[] = [];
  let asked = 0;
  const drv = new ChunkedDriver(kv, { clock: new FakeClock(), indexEveryBytes: 64 * KiB });
  const res = await drv.open('f', {
    hooks: {
      onEvent: (e) => events.push(e),
      onQuotaExceeded: () => {
        asked++;
        return Promise.resolve(true);
      },
    },
  });
  kv.failNext = 1;
  await res.writeAt(0, pattern(0, 64 * KiB));
  await res.settled();
  assert.equal(asked, 1);
  assert.equal(res.mode, 'persistent', 'the retry succeeded');
  const reopened = await new ChunkedDriver(kv.inner).open('f');
  assert.equal(reopened.available.coveredBytes, 64 * KiB, 'the retried flush persisted the bytes');
  kv.failNext = 5;
  await res.writeAt(64 * KiB, pattern(64 * KiB, 64 * KiB));
  await res.settled();
  assert.equal(res.mode, 'memory');
  assert.ok(events.some((e) => e.type === 'fallback'));
  assert.deepEqual(await res.read(0, 128 * KiB), pattern(0, 128 * KiB));
});

test('coverage frames detect torn and corrupted records; the newest valid slot wins', () => {
  const a = encodeFrame({ v: 1, seq: 4, ranges: [[0, 10]], length: 100, committed: false, time: 1 });
  const b = encodeFrame({ v: 1, seq: 5, ranges: [[0, 20]], length: 100, committed: false, time: 2 });
  assert.equal(pickNewest([a, b]).record?.seq, 5);
  const torn = b.slice(0, b.length - 3);
  const flipped = b.slice();
  flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 1;
  assert.deepEqual(pickNewest([a, torn]).record?.ranges, [[0, 10]]);
  assert.equal(pickNewest([a, flipped]).damaged, 1);
  assert.equal(pickNewest([a, flipped]).record?.seq, 4);
  const longer = new Uint8Array(b.length + 50);
  longer.set(b);
  longer.fill(65, b.length);
  assert.equal(pickNewest([longer]).record?.seq, 5, 'bytes after the frame (an older, longer record) are ignored');
});

test('a record is trusted only as far as the stored size vouches for it', () => {
  const rec = asCoverageRecord({ v: 1, seq: 1, ranges: [[0, 1000]], length: 1000, committed: true, time: 0 });
  const short = verifyRecord(rec, 600);
  assert.deepEqual(short.ranges.toJSON(), [[0, 600]]);
  assert.equal(short.committed, false);
  assert.ok(short.problem !== undefined);
  const whole = verifyRecord(rec, 1000);
  assert.equal(whole.committed, true);
  assert.equal(whole.problem, undefined);
  assert.equal(asCoverageRecord({ v: 1, seq: 1, ranges: [[0, 2000]], length: 1000, committed: false }), undefined, 'ranges past the length');
});
