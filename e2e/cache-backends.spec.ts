// The backend fallback chain of the persistent cache, in a real browser whose storage is taken
// away before the engine worker loads (e2e/pages/storage-shim-worker.js): asked for OPFS without
// OPFS, the cache uses IndexedDB; without IndexedDB either, memory. Each time a `backend` event
// says which was asked for and which is used, `usage()` reports the backend in use, and the audio
// read through it is exact.
import { expect, test } from '@playwright/test';
import { exactCompare } from '../test/lib/analyze.mjs';
import { openHarness, readResource } from './lib/harness.js';

const WAV = '/fixtures/media/chirp-s16.wav';

for (const [hide, actual] of [['opfs', 'indexeddb'], ['opfs,idb', 'memory']] as const) {
  test(`without ${hide.replace(',', ' and ')}, a cache asked for OPFS falls back to ${actual}, says so, and plays exactly`, async ({ page }) => {
    await openHarness(page);
    const workerUrl = `/e2e/pages/storage-shim-worker.js?hide=${hide}`;
    const applied = await page.evaluate(async (w) => {
      const { Kithara } = (window as any).kt;
      const seen: unknown[] = [];
      // The cache API talks to the shimmed worker; events that came before a listener are replayed to it.
      const ok = await Kithara.cache.configure({ workerUrl: w, cache: 'opfs' });
      Kithara.cache.addEventListener('backend', (e: CustomEvent) => seen.push(e.detail));
      (window as any).backendEvents = seen;
      return ok;
    }, workerUrl);
    expect(applied, 'the settings reach the shimmed worker before its cache exists').toBe(true);
    const viaShim = await readResource(page, `${WAV}?via=shim`, { workerUrl, cache: 'opfs' });
    const plain = await readResource(page, `${WAV}?via=plain`, { cache: 'memory' });
    const cmp = exactCompare(viaShim.planes, plain.planes);
    expect(viaShim.frames).toBe(plain.frames);
    expect(cmp.equal, `exact through the ${actual} backend (first difference at ${cmp.firstDiff})`).toBe(true);
    const r = await page.evaluate(async () => {
      const { Kithara } = (window as any).kt;
      await new Promise((res) => setTimeout(res, 100)); // events cross from the worker
      return { usage: await Kithara.cache.usage(), events: (window as any).backendEvents, list: await Kithara.cache.list() };
    });
    expect(r.usage.backend).toBe(actual);
    expect(r.events).toEqual([expect.objectContaining({ requested: 'opfs', actual })]);
    // IndexedDB keeps the file as a complete entry; memory keeps it for the life of the worker.
    const entry = r.list.find((e: { url?: string }) => e.url?.includes('via=shim'));
    expect(entry, JSON.stringify(r.list)).toBeDefined();
    expect(entry.complete).toBe(true);
  });
}
