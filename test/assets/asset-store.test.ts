import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ASSETS_DEFAULTS, AssetStore, type AssetEvent, type AssetStoreOptions } from '../../src/assets/asset-store.js';
import type { KeyLocks } from '../../src/assets/locks.js';
import { FakeClock } from '../../src/platform/clock.js';
import { ChunkedDriver } from '../../src/storage/chunked-driver.js';
import { MapKv } from '../../src/storage/kv.js';
import { FakeQuota } from '../../src/storage/byte-store.js';
import { pattern } from '../storage/contract.js';

const KiB = 1024;
const URL_A = 'https://media.test/a.mp3';
const URL_B = 'https://media.test/b.mp3';
const URL_C = 'https://media.test/c.mp3';
const URL_D = 'https://media.test/d.mp3';

function setup(extra: Partial<AssetStoreOptions> & { quota?: FakeQuota } = {}) {
  const kv = new MapKv();
  const clock = new FakeClock();
  let t = 1000;
  const events: AssetEvent[] = [];
  const make = (o: Partial<AssetStoreOptions> = {}) =>
    AssetStore.create({
      driver: new ChunkedDriver(kv, { clock, chunkSize: 64 * KiB, ...(extra.quota !== undefined && { quota: extra.quota }) }),
      locks: 'local',
      clock,
      now: () => t++,
      onEvent: (e) => events.push(e),
      ...extra,
      ...o,
    });
  return { kv, clock, events, make };
}

/** Waits until what was written through `h` reached the store (a miss is first held in memory while the asset opens). */
async function settle(h: { resource: unknown }): Promise<void> {
  await (h.resource as { settled?: () => Promise<void> }).settled?.();
}

async function fill(store: AssetStore, url: string, bytes: number): Promise<void> {
  const h = await store.open(url);
  await h.resource.writeAt(0, pattern(0, bytes));
  h.resource.commit();
  await h.release();
}

test('concurrent opens of one URL share one resource until the last release', async () => {
  const { make } = setup();
  const store = await make();
  const [h1, h2] = await Promise.all([store.open(URL_A), store.open(URL_A)]);
  assert.equal(h1.resource, h2.resource);
  assert.equal(h1.key, h2.key);
  await h1.resource.writeAt(0, pattern(0, 1000));
  await h1.release();
  await h2.resource.writeAt(1000, pattern(1000, 1000)); // still open
  const h3 = await store.open(URL_A);
  assert.equal(h3.resource, h2.resource);
  await h2.release();
  await h3.release();
  const h4 = await store.open(URL_A);
  assert.notEqual(h4.resource, h2.resource, 'a new resource after the last release');
  assert.deepEqual(h4.resource.available.toJSON(), [[0, 2000]], 'restored from storage');
  assert.deepEqual(await h4.resource.read(0, 2000), pattern(0, 2000));
  await h4.release();
});

test('a cached asset reopens in a new session as committed: nothing left to download', async () => {
  const { make } = setup();
  await fill(await make(), URL_A, 300 * KiB);
  const later = await make();
  const h = await later.open(URL_A);
  assert.equal(h.resource.status, 'committed');
  assert.equal(h.resource.length, 300 * KiB);
  assert.deepEqual(await h.resource.read(0, 300 * KiB), pattern(0, 300 * KiB));
  await h.release();
});

test('LRU eviction keeps the cache under cacheMaxBytes, oldest first', async () => {
  const { make, events } = setup();
  const store = await make({ cacheMaxBytes: 1000 * KiB });
  await fill(store, URL_A, 400 * KiB);
  await fill(store, URL_B, 400 * KiB);
  await fill(store, URL_C, 400 * KiB); // over the cap: A goes
  const d = await store.open(URL_D);
  await d.release();
  const urls = (await store.list()).map((e) => e.url).sort();
  assert.deepEqual(urls, [URL_B, URL_C, URL_D]);
  assert.ok(events.some((e) => e.type === 'evicted' && e.url === URL_A && e.reason === 'limit'));
  const usage = await store.usage();
  assert.ok(usage.bytes <= 1000 * KiB, `usage ${usage.bytes}`);
  const a = await store.open(URL_A);
  assert.equal(a.resource.available.coveredBytes, 0, 'evicted bytes are gone from storage');
  await a.release();
});

test('a leased (playing) asset is never evicted, even when it is the oldest', async () => {
  const { make } = setup();
  const store = await make({ cacheMaxBytes: 1000 * KiB });
  const playing = await store.open(URL_A);
  await playing.resource.writeAt(0, pattern(0, 400 * KiB));
  await fill(store, URL_B, 400 * KiB);
  await fill(store, URL_C, 400 * KiB);
  const list = await store.list();
  assert.deepEqual(list.map((e) => e.url).sort(), [URL_A, URL_C]);
  assert.equal(list.find((e) => e.url === URL_A)?.pinned, true);
  assert.deepEqual(await playing.resource.read(0, 400 * KiB), pattern(0, 400 * KiB));
  await playing.release();
});

test('eviction also caps the number of entries', async () => {
  const { make } = setup();
  const store = await make({ cacheMaxEntries: 2 });
  await fill(store, URL_A, 10);
  await fill(store, URL_B, 10);
  await fill(store, URL_C, 10);
  await (await store.open(URL_D)).release();
  assert.deepEqual((await store.list()).map((e) => e.url).sort(), [URL_C, URL_D]);
});

test('list, usage, delete by URL or key, and clear', async () => {
  const { make } = setup();
  const store = await make();
  await fill(store, URL_A, 5000);
  const partial = await store.open(URL_B);
  await partial.resource.writeAt(0, pattern(0, 3000));
  partial.resource.setLength(9000);
  await partial.release();
  const list = await store.list();
  const a = list.find((e) => e.url === URL_A)!;
  const b = list.find((e) => e.url === URL_B)!;
  assert.deepEqual({ bytes: a.bytes, length: a.length, complete: a.complete, pinned: a.pinned }, { bytes: 5000, length: 5000, complete: true, pinned: false });
  assert.deepEqual({ bytes: b.bytes, length: b.length, complete: b.complete }, { bytes: 3000, length: 9000, complete: false });
  assert.deepEqual(await store.usage(), { bytes: 8000, entries: 2, maxBytes: ASSETS_DEFAULTS.cacheMaxBytes });
  assert.equal(await store.delete(URL_A), true);
  assert.equal(await store.delete(b.key), true);
  assert.equal(await store.delete(URL_C), false, 'nothing stored');
  assert.deepEqual(await store.list(), []);
  await fill(store, URL_C, 100);
  await store.clear();
  assert.deepEqual(await store.list(), []);
  assert.equal((await store.usage()).entries, 0);
});

test('deleting an open asset removes it when its last handle is released', async () => {
  const { make } = setup();
  const store = await make();
  const h = await store.open(URL_A);
  await h.resource.writeAt(0, pattern(0, 100));
  assert.equal(await store.delete(URL_A), true);
  assert.deepEqual(await h.resource.read(0, 100), pattern(0, 100), 'still readable while open');
  await h.release();
  assert.deepEqual(await store.list(), []);
  const again = await store.open(URL_A);
  assert.equal(again.resource.available.coveredBytes, 0);
  await again.release();
});

test('a corrupt store index is rebuilt from the stored coverage records', async () => {
  const { make, kv, events } = setup();
  const store = await make();
  await fill(store, URL_A, 1234);
  await fill(store, URL_B, 4321);
  await store.close();
  kv.poke(['x', 'index'], new Uint8Array([1, 2, 3]));
  const rebuilt = await make();
  assert.ok(events.some((e) => e.type === 'store-index-rebuilt'));
  const list = await rebuilt.list();
  assert.deepEqual(list.map((e) => [e.url, e.bytes, e.complete]).sort(), [[URL_A, 1234, true], [URL_B, 4321, true]]);
});

test('an index missing entries is reconciled with what storage holds', async () => {
  const { make, kv } = setup();
  const store = await make();
  await fill(store, URL_A, 10);
  await store.close();
  await kv.removePrefixes([['x']]);
  const later = await make();
  assert.deepEqual((await later.list()).map((e) => e.url), [URL_A]);
});

test('on quota exhaustion the store evicts unpinned assets and the write goes through', async () => {
  const quota = new FakeQuota(1000 * KiB);
  const { make, events } = setup({ quota });
  const store = await make();
  await fill(store, URL_A, 600 * KiB);
  const h = await store.open(URL_B);
  await h.resource.writeAt(0, pattern(0, 600 * KiB));
  await settle(h);
  assert.equal(h.mode, 'persistent');
  assert.ok(events.some((e) => e.type === 'evicted' && e.url === URL_A && e.reason === 'quota'));
  assert.ok(!events.some((e) => e.type === 'fallback'));
  assert.deepEqual(await h.resource.read(0, 600 * KiB), pattern(0, 600 * KiB));
  await h.release();
});

test('when nothing can be evicted the asset falls back to memory and keeps serving reads', async () => {
  const quota = new FakeQuota(1000 * KiB);
  const { make, events } = setup({ quota });
  const store = await make();
  const playing = await store.open(URL_A);
  await playing.resource.writeAt(0, pattern(0, 600 * KiB));
  const h = await store.open(URL_B, { length: 900 * KiB });
  const wait = h.resource.waitRange(0, 900 * KiB);
  for (let pos = 0; pos < 900 * KiB; pos += 100 * KiB) await h.resource.writeAt(pos, pattern(pos, 100 * KiB));
  assert.equal(await wait, 'ready');
  await settle(h);
  assert.ok(events.some((e) => e.type === 'fallback' && e.reason === 'quota'));
  assert.deepEqual(await h.resource.read(0, 900 * KiB), pattern(0, 900 * KiB));
  await h.release();
  await playing.release();
});

test('a page without the writer lock opens a snapshot: it reads what is durable and persists nothing', async () => {
  const { make, clock } = setup();
  const writerStore = await make();
  const w = await writerStore.open(URL_A, { length: 200 * KiB });
  await w.resource.writeAt(0, pattern(0, 100 * KiB));
  await settle(w);
  clock.advance(250); // the coverage update timer: the bytes become durable
  await (w.resource as { settled?: () => Promise<void> }).settled?.();
  const denyWrite: KeyLocks = {
    tryWrite: () => Promise.resolve(undefined),
    use: () => Promise.resolve(() => undefined),
    tryDelete: () => Promise.resolve(undefined),
  };
  const readerStore = await make({ locks: denyWrite });
  const r = await readerStore.open(URL_A);
  assert.equal(r.mode, 'snapshot');
  assert.deepEqual(r.resource.available.toJSON(), [[0, 100 * KiB]]);
  assert.deepEqual(await r.resource.read(0, 100 * KiB), pattern(0, 100 * KiB));
  await r.resource.writeAt(100 * KiB, pattern(100 * KiB, 100 * KiB, 7));
  r.resource.commit();
  await r.release();
  assert.equal(await readerStore.delete(URL_A), false, 'cannot delete what another page uses');
  await w.resource.writeAt(100 * KiB, pattern(100 * KiB, 100 * KiB));
  w.resource.commit();
  await w.release();
  const check = await (await make()).open(URL_A);
  assert.deepEqual(await check.resource.read(0, 200 * KiB), pattern(0, 200 * KiB), 'only the writer reached storage');
  await check.release();
});

test('opened with a context, reads go through the processor while storage keeps the raw bytes', async () => {
  const { make } = setup();
  const xor = (b: Uint8Array, k: number) => b.map((x) => x ^ k);
  const store = await make({ process: async ({ raw, offset, length, ctx }) => xor(await raw.read(offset, length), ctx as number) });
  const h = await store.open(URL_A, { ctx: 0x5a });
  await h.resource.writeAt(0, pattern(0, 1000));
  h.resource.commit();
  assert.deepEqual(await h.resource.read(10, 100), xor(pattern(10, 100), 0x5a));
  await h.release();
  const raw = await store.open(URL_A);
  assert.deepEqual(await raw.resource.read(10, 100), pattern(10, 100));
  await raw.release();
});

test("cache 'none' forgets an asset once released; 'memory' keeps it for the session", async () => {
  const none = await AssetStore.create({ cache: 'none', locks: 'local' });
  assert.equal(none.backend, 'memory');
  await fill(none, URL_A, 100);
  assert.deepEqual(await none.list(), []);
  const mem = await AssetStore.create({ cache: 'memory', locks: 'local' });
  await fill(mem, URL_A, 100);
  const h = await mem.open(URL_A);
  assert.equal(h.resource.status, 'committed');
  await h.release();
  assert.equal((await mem.list()).length, 1);
});

test('a miss opens without waiting for storage; what is written meanwhile reaches it', async () => {
  const kv = new MapKv();
  const clock = new FakeClock();
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  let opens = 0;
  class GatedDriver extends ChunkedDriver {
    override async open(...args: Parameters<ChunkedDriver['open']>) {
      opens++;
      await gate;
      return super.open(...args);
    }
  }
  const store = await AssetStore.create({ driver: new GatedDriver(kv, { clock, chunkSize: 64 * KiB }), locks: 'local', clock });
  const h = await store.open(URL_A, { length: 3000 });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(opens, 1, 'storage is opening in the background (held at the gate)');
  await h.resource.writeAt(0, pattern(0, 2000));
  assert.deepEqual(await h.resource.read(0, 2000), pattern(0, 2000));
  const second = await store.open(URL_A);
  assert.equal(second.resource, h.resource, 'a second open while it opens shares the resource');
  openGate();
  await h.resource.writeAt(2000, pattern(2000, 1000));
  h.resource.commit();
  await (h.resource as { settled?: () => Promise<void> }).settled?.();
  await h.release();
  await second.release();
  await store.close();
  const later = await AssetStore.create({ driver: new ChunkedDriver(kv, { clock, chunkSize: 64 * KiB }), locks: 'local', clock });
  const again = await later.open(URL_A);
  assert.equal(again.resource.status, 'committed', 'a held key opens through storage, complete');
  assert.deepEqual(await again.resource.read(0, 3000), pattern(0, 3000));
  await again.release();
});

test("the origin's quota caps the cache below cacheMaxBytes: it evicts before the browser refuses a write", async () => {
  // 100 KiB quota, 40 KiB of it used by the origin's other storage: the cache keeps to 90 % of
  // the 60 KiB left (54 KiB), although cacheMaxBytes allows 1 MiB.
  const { make, events } = setup({ cacheMaxBytes: 1024 * KiB, estimate: async () => ({ quota: 100 * KiB, usage: 40 * KiB }) });
  const store = await make();
  assert.equal(store.maxBytes, Math.floor(60 * KiB * 0.9));
  assert.ok(events.some((e) => e.type === 'quota-cap' && e.maxBytes === store.maxBytes));
  await fill(store, URL_A, 20 * KiB);
  await fill(store, URL_B, 20 * KiB);
  await fill(store, URL_C, 20 * KiB); // 60 KiB > 54 KiB: the oldest goes
  await store.usage();
  const urls = (await store.list()).map((e) => e.url).sort();
  assert.deepEqual(urls, [URL_B, URL_C]);
  assert.equal((await store.usage()).maxBytes, Math.floor(60 * KiB * 0.9));
  // With room to spare, cacheMaxBytes stands; without an estimate too.
  const roomy = await setup({ cacheMaxBytes: 1024 * KiB, estimate: async () => ({ quota: 1e12, usage: 0 }) }).make();
  assert.equal(roomy.maxBytes, 1024 * KiB);
  const unknown = await setup({ cacheMaxBytes: 1024 * KiB, estimate: async () => ({}) }).make();
  assert.equal(unknown.maxBytes, 1024 * KiB);
});

test('the scratch asset: written and read back through storage, never indexed, listed or counted, removed after', async () => {
  const { make, kv, clock, events } = setup();
  const store = await make();
  await fill(store, URL_A, 3000);
  const bytes = pattern(0, 5000, 3);
  const seen = await store.withScratch(bytes, async (resource) => {
    assert.ok(resource !== undefined, 'a persistent driver holds the scratch');
    assert.equal(resource.status, 'committed');
    assert.equal(resource.length, 5000);
    assert.deepEqual(await resource.read(0, 5000), bytes);
    assert.deepEqual((await store.list()).map((e) => e.url), [URL_A], 'not listed while open');
    return 'used';
  });
  assert.equal(seen, 'used');
  const driver = new ChunkedDriver(kv, { clock, chunkSize: 64 * KiB });
  assert.deepEqual(await driver.keys(), [(await store.list())[0]!.key], 'nothing of the scratch is left in storage');
  assert.deepEqual((await store.usage()).entries, 1);
  assert.equal((await store.usage()).bytes, 3000);
  assert.ok(!events.some((e) => 'key' in e && e.key === '_scratch'), 'the store reports nothing about it');
});

test('a scratch asset left by a closed page is ignored by the index and by clear, and removed by the next use', async () => {
  const { make, kv, clock } = setup();
  const driver = new ChunkedDriver(kv, { clock, chunkSize: 64 * KiB });
  const left = await driver.open('_scratch', { length: 100 });
  await left.writeAt(0, pattern(0, 100));
  left.commit();
  await left.close?.();
  const store = await make();
  assert.deepEqual(await store.list(), [], 'a leftover scratch is not an entry');
  await store.clear();
  await store.withScratch(pattern(0, 10, 9), async (resource) => {
    assert.deepEqual(await resource!.read(0, 10), pattern(0, 10, 9), 'a fresh scratch, not the leftover');
    assert.equal(resource!.length, 10);
  });
  assert.deepEqual(await driver.keys(), []);
});

test('the scratch asset while another page writes it: `use` gets undefined, nothing breaks', async () => {
  const denyWrite: KeyLocks = {
    tryWrite: () => Promise.resolve(undefined),
    use: () => Promise.resolve(() => undefined),
    tryDelete: () => Promise.resolve(undefined),
  };
  const store = await setup().make({ locks: denyWrite });
  assert.equal(await store.withScratch(pattern(0, 10), async (resource) => resource), undefined);
  // Memory stores have no scratch either.
  const memory = await AssetStore.create({ cache: 'memory', locks: 'local' });
  assert.equal(await memory.withScratch(pattern(0, 10), async (resource) => resource), undefined);
});
