// The engine worker's one cache: who decides its settings, which sessions use it, and how its
// events reach the main thread. Node has neither OPFS nor IndexedDB, so 'auto' lands on memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineCache } from '../../src/engine/cache.js';
import type { CacheEventDetail } from '../../src/player/types.js';

test('memory and none sessions never get the shared store', async () => {
  const c = new EngineCache();
  assert.equal(await c.forSession('none', 1000), undefined);
  assert.equal(await c.forSession('memory', 1000), undefined);
  assert.equal(c.configure({ cacheMaxBytes: 5 }), true, 'nothing was created by those sessions');
});

test('the first persistent session creates the store; later settings are ignored', async () => {
  const c = new EngineCache();
  const a = await c.forSession('auto', 1234);
  const b = await c.forSession('indexeddb', 99);
  assert.ok(a !== undefined);
  assert.equal(a, b, 'one store per worker');
  assert.equal(c.configure({ cacheMaxBytes: 1 }), false);
});

test('a prewarmed store is replaced when configure asks for other settings before first use', async () => {
  const c = new EngineCache();
  c.prewarm();
  assert.equal(c.configure({ cacheKeyIgnoreParams: ['token'] }), true);
  const store = await c.store();
  assert.equal(await store.key('https://a.example/x.mp3?token=1'), await store.key('https://a.example/x.mp3?token=2'));
  assert.equal(c.configure({ cacheMaxBytes: 3 }), false, 'fixed once used');
});

test('a prewarmed store with the default settings is kept for a default session', async () => {
  const c = new EngineCache();
  c.prewarm();
  const early = await c.store();
  assert.equal(await c.forSession('auto', 512 * 1024 * 1024), early);
});

test('events before the first listener are replayed to it; a throwing listener is dropped', async () => {
  const c = new EngineCache();
  const store = await c.store({ cache: 'auto', cacheMaxBytes: 10 });
  // Fill past the limit: the first asset is evicted once a second one is persisted.
  for (const url of ['https://a.example/1', 'https://a.example/2']) {
    const h = await store.open(url);
    await h.resource.writeAt(0, new Uint8Array(8));
    h.resource.commit();
    await h.release();
  }
  await store.list();
  const seen: CacheEventDetail[] = [];
  c.subscribe((e) => seen.push(e));
  assert.ok(seen.some((e) => e.type === 'evicted'), JSON.stringify(seen));
  c.subscribe(() => {
    throw new Error('listener bug');
  });
  const h = await store.open('https://a.example/3');
  await h.resource.writeAt(0, new Uint8Array(8));
  h.resource.commit();
  await h.release();
  await store.list();
  assert.ok(seen.filter((e) => e.type === 'evicted').length >= 2);
});
