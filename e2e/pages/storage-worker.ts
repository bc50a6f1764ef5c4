/**
 * The storage e2e worker (a dedicated worker, as the engine is): runs the storage contract
 * suite and the cache scenarios against real OPFS, IndexedDB and Web Locks. Bundled by
 * e2e/storage.spec.ts with esbuild; driven from storage-harness.html by `{ id, op, args }`
 * messages, answering `{ id, result }` or `{ id, error }`.
 */
import { runContract, pattern, type ContractDriver } from '../../test/storage/contract.js';
import { MemoryDriver } from '../../src/storage/memory-resource.js';
import { OpfsDriver } from '../../src/storage/opfs-driver.js';
import { createIdbDriver, idbKv } from '../../src/storage/idb-driver.js';
import { measureOpfsWriteThroughput } from '../../src/storage/opfs-bench.js';
import { AssetStore, type AssetEvent } from '../../src/assets/asset-store.js';
import type { AssetHandle } from '../../src/assets/handle-cache.js';
import type { CacheMode } from '../../src/storage/select-driver.js';

const KiB = 1024;

async function corruptOpfs(dirName: string, key: string): Promise<void> {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(dirName);
  for (const name of [`${key}.i0`, `${key}.i1`]) {
    const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
    await w.write(new TextEncoder().encode('KCOV1 40 00000000\n{"v":1,"seq":9,"ranges":[[0,99999]],"len'));
    await w.close();
  }
}

function contractDriver(name: string): ContractDriver {
  switch (name) {
    case 'opfs':
      return { name, persistent: true, driver: () => new OpfsDriver({ directory: 'ct-opfs' }), corruptIndex: (k) => corruptOpfs('ct-opfs', k) };
    case 'opfs-async':
      return { name, persistent: true, driver: () => new OpfsDriver({ directory: 'ct-opfs-async', access: 'async' }), corruptIndex: (k) => corruptOpfs('ct-opfs-async', k) };
    case 'indexeddb':
      return {
        name,
        persistent: true,
        driver: () => createIdbDriver({ database: 'ct-idb' }),
        corruptIndex: (k) => idbKv('ct-idb').setMany([[['m', k], new Uint8Array([1, 2, 3])]]),
      };
    default: {
      const mem = new MemoryDriver();
      return { name, persistent: false, driver: () => mem };
    }
  }
}

const held = new Map<string, { store: AssetStore; handle: AssetHandle }>();
let crashWritten = 0;

const ops: Record<string, (...args: never[]) => Promise<unknown>> = {
  contract: (name: string) => runContract(contractDriver(name)),

  throughput: (totalBytes?: number) => measureOpfsWriteThroughput(totalBytes === undefined ? {} : { totalBytes }),

  async eviction(cache: CacheMode) {
    const events: AssetEvent[] = [];
    const store = await AssetStore.create({ cache, name: `evict-${cache}`, cacheMaxBytes: 1000 * KiB, onEvent: (e) => events.push(e) });
    await store.clear();
    const urls = ['a', 'b', 'c', 'd'].map((n) => `https://media.test/${n}.mp3`);
    const playing = await store.open(urls[0]!);
    await playing.resource.writeAt(0, pattern(0, 300 * KiB));
    for (const url of urls.slice(1)) {
      const h = await store.open(url);
      await h.resource.writeAt(0, pattern(0, 400 * KiB));
      h.resource.commit();
      await h.release();
    }
    const list = await store.list();
    const want = pattern(0, 300 * KiB);
    const intact = (await playing.resource.read(0, 300 * KiB)).every((v, i) => v === want[i]);
    await playing.release();
    const usage = await store.usage();
    const reopened = await AssetStore.create({ cache, name: `evict-${cache}` });
    const persisted = (await reopened.list()).map((e) => e.url).sort();
    await reopened.clear();
    return { backend: store.backend, urls: list.map((e) => e.url).sort(), evicted: events.filter((e) => e.type === 'evicted').map((e) => (e as { url: string }).url), intact, usage, persisted };
  },

  async quota(cache: CacheMode) {
    const events: AssetEvent[] = [];
    const store = await AssetStore.create({ cache, name: `quota-${cache}`, cacheQuotaBytes: 512 * KiB, onEvent: (e) => events.push(e) });
    await store.clear();
    const h = await store.open('https://media.test/big.mp3', { length: 2048 * KiB });
    const ready = h.resource.waitRange(0, 2048 * KiB);
    for (let pos = 0; pos < 2048 * KiB; pos += 64 * KiB) await h.resource.writeAt(pos, pattern(pos, 64 * KiB));
    h.resource.commit();
    const outcome = await ready;
    const bytes = await h.resource.read(0, 2048 * KiB);
    const want = pattern(0, 2048 * KiB);
    const intact = bytes.every((v, i) => v === want[i]);
    // A miss is first held in memory while the asset opens: wait until the bytes reached storage.
    await (h.resource as { settled?: () => Promise<void> }).settled?.();
    const mode = (h.resource as { mode?: string }).mode;
    await h.release();
    await store.clear();
    return { backend: store.backend, outcome, intact, mode, fallback: events.filter((e) => e.type === 'fallback').map((e) => (e as { reason: string }).reason) };
  },

  async hold(url: string, cache: CacheMode, bytes: number) {
    const store = await AssetStore.create({ cache, name: 'tabs' });
    const handle = await store.open(url, { length: 1024 * KiB });
    for (let pos = 0; pos < bytes; pos += 64 * KiB) await handle.resource.writeAt(pos, pattern(pos, Math.min(64 * KiB, bytes - pos)));
    await (handle.resource as { settled?: () => Promise<void> }).settled?.();
    await new Promise((r) => setTimeout(r, 300)); // the coverage timer makes the tail durable
    held.set(url, { store, handle });
    return { mode: handle.mode, held: handle.resource.available.coveredBytes };
  },

  async finish(url: string) {
    const h = held.get(url)!;
    const res = h.handle.resource;
    for (const gap of res.available.gaps(0, res.length!)) await res.writeAt(gap.start, pattern(gap.start, gap.end - gap.start));
    res.commit();
    await h.handle.release();
    held.delete(url);
    return { status: res.status };
  },

  async readOther(url: string, cache: CacheMode) {
    const store = await AssetStore.create({ cache, name: 'tabs' });
    const h = await store.open(url);
    const res = h.resource;
    const before = res.available.coveredBytes;
    const total = res.length ?? 1024 * KiB;
    // Download what is missing, as a downloader would; it stays in this page's memory.
    for (const gap of res.available.gaps(0, total)) await res.writeAt(gap.start, pattern(gap.start, gap.end - gap.start));
    res.commit(total);
    const all = await res.read(0, total);
    const want = pattern(0, total);
    const intact = all.every((v, i) => v === want[i]);
    await h.release();
    const deleted = await store.delete(url); // the writer page still uses it: kept
    return { mode: h.mode, before, intact, deleted };
  },

  async verifyTabs(url: string, cache: CacheMode) {
    const store = await AssetStore.create({ cache, name: 'tabs' });
    const h = await store.open(url);
    const res = h.resource;
    const total = res.length ?? 0;
    const all = total > 0 ? await res.read(0, total) : new Uint8Array(0);
    const want = pattern(0, total);
    const intact = all.every((v, i) => v === want[i]);
    const out = { mode: h.mode, status: res.status, total, intact };
    await h.release();
    await store.clear();
    return out;
  },

  async crashWrite(key: string, cache: 'opfs' | 'indexeddb') {
    const driver = cache === 'opfs' ? new OpfsDriver({ directory: 'crash' }) : createIdbDriver({ database: 'crash' });
    await driver.remove(key);
    const res = await driver.open(key, { length: 64 * 1024 * KiB });
    crashWritten = 0;
    void (async () => {
      for (let pos = 0; pos < 64 * 1024 * KiB; pos += 16 * KiB) {
        await res.writeAt(pos, pattern(pos, 16 * KiB));
        crashWritten = pos + 16 * KiB;
        if ((pos / (16 * KiB)) % 8 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    return true;
  },

  progress: () => Promise.resolve(crashWritten),

  /**
   * OPFS handles met while listing (reused by opens) after another page changed the files:
   * `a` lists the directory, `b` removes the key (then `a` must open it fresh and empty), and
   * later `b` replaces it (then `a`, through the handles it met, must read `b`'s bytes).
   */
  async staleHandles() {
    const a = new OpfsDriver({ directory: 'stale' });
    const b = new OpfsDriver({ directory: 'stale' });
    for (const k of await b.keys()) await b.remove(k);
    const write = async (d: OpfsDriver, seed: number, bytes: number): Promise<void> => {
      const r = await d.open('k1');
      await r.writeAt(0, pattern(0, bytes, seed));
      r.commit();
      await r.close?.();
    };
    await write(b, 1, 5000);
    const listed = await a.keys();
    await b.remove('k1');
    const afterRemove = await a.open('k1');
    const removed = { status: afterRemove.status, held: afterRemove.available.coveredBytes };
    await afterRemove.close?.();
    await b.remove('k1');
    await write(b, 2, 7000);
    const again = await a.keys();
    await b.remove('k1');
    await write(b, 3, 6000);
    const replaced = await a.open('k1');
    const bytes = await replaced.read(0, 6000);
    const same = bytes.every((v, i) => v === pattern(0, 6000, 3)[i]);
    const out = { listed, again, removed, replaced: { status: replaced.status, length: replaced.length, same } };
    await replaced.close?.();
    await b.remove('k1');
    return out;
  },

  async crashVerify(key: string, cache: 'opfs' | 'indexeddb') {
    const driver = cache === 'opfs' ? new OpfsDriver({ directory: 'crash' }) : createIdbDriver({ database: 'crash' });
    const res = await driver.open(key);
    const ranges = res.available.toJSON();
    const held = res.available.coveredBytes;
    let intact = true;
    for (const [s, e] of ranges) {
      const got = await res.read(s, e - s);
      const want = pattern(s, e - s);
      if (!got.every((v, i) => v === want[i])) intact = false;
    }
    // Resume: only the missing bytes are written, then the whole file checks out.
    const gaps = res.available.gaps(0, res.length ?? 0);
    for (const g of gaps) {
      for (let pos = g.start; pos < g.end; pos += 1024 * KiB) await res.writeAt(pos, pattern(pos, Math.min(1024 * KiB, g.end - pos)));
    }
    res.commit();
    const whole = await res.read(0, res.length!);
    const want = pattern(0, res.length!);
    const complete = whole.every((v, i) => v === want[i]);
    await res.close();
    await driver.remove(key);
    return { ranges, held, length: res.length, intact, complete };
  },
};

self.onmessage = async (ev: MessageEvent<{ id: number; op: string; args: unknown[] }>) => {
  const { id, op, args } = ev.data;
  try {
    const fn = ops[op];
    if (fn === undefined) throw new Error(`unknown op ${op}`);
    const result = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) });
  }
};
