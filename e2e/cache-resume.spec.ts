// Crash safety and sharing of the persistent cache: a page closed mid-download resumes with
// Range requests for the missing bytes only; a corrupted index is rebuilt, never fatal; two
// pages on one URL both get correct PCM and leave a sound asset behind.
import { test, expect } from '@playwright/test';
import { STORED_DEFAULTS } from '../src/storage/stored-resource.js';
import { WAV, cacheCall, cacheEvents, mediaServer, openWithCache, readWavExact, requests, type Entry } from './lib/cache.js';

/** The first page's download rate (bytes/s): slow enough to close it part-way. */
const RATE = 250_000;

test('a page closed mid-download resumes in a new page fetching only the missing bytes', async ({ context }) => {
  const media = await mediaServer();
  try {
    // The throttle parameter is not part of the content: keys ignore it, so both pages share the asset.
    const settings = { cacheKeyIgnoreParams: ['rate'] };
    const first = await context.newPage();
    await openWithCache(first, settings);
    const slow = `${media.url}${WAV.path}?rate=${RATE}`;
    await first.evaluate((src) => {
      const { Kithara } = (window as any).kt;
      // Read as fast as the bytes come; the page goes away part-way.
      void Kithara.Resource.open(src, { sampleRate: 44100 }).then(async (r: any) => {
        const buf = new Float32Array(8192);
        while ((await r.read(buf)) > 0);
      });
    }, slow);
    await first.waitForTimeout(2000);
    await first.close();
    const sentBefore = requests(media, '.wav').reduce((n, r) => n + r.bytesSent, 0);
    expect(sentBefore, 'the first page got part of the file').toBeGreaterThan(100_000);
    expect(sentBefore).toBeLessThan(WAV.bytes);

    const second = await context.newPage();
    await openWithCache(second, settings);
    const before = media.log.length;
    await readWavExact(second, `${media.url}${WAV.path}`);
    const resumed = media.log.slice(before);
    expect(resumed.length).toBeGreaterThan(0);
    // The second page fetches the missing ranges once each: [held, end), no overlaps.
    const spans = resumed
      .map((r) => {
        const start = Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? 0);
        return { start, end: start + r.bytesSent, range: r.range };
      })
      .sort((a, b) => a.start - b.start);
    const held = spans[0]!.start;
    expect(held, `resume request ${spans[0]!.range} starts past the held prefix`).toBeGreaterThan(0);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.start, `${spans[i]!.range} fetches nothing already fetched`).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    }
    const sentAfter = resumed.reduce((n, r) => n + r.bytesSent, 0);
    expect(sentAfter, 'exactly the missing bytes were fetched').toBe(WAV.bytes - held);
    // What was sent to the first page but fetched again by the second: at most what the crash-safe
    // index had not yet recorded, i.e. one persistence window (the coverage is saved every
    // indexEveryBytes or indexEveryMs after a write, whichever comes first), plus the pacing slack
    // of the test server (a chunk every 50 ms): one chunk in flight, one write interval of timer lateness.
    const unpersisted = Math.min(STORED_DEFAULTS.indexEveryBytes, (RATE * STORED_DEFAULTS.indexEveryMs) / 1000);
    const chunk = RATE / 20;
    expect(sentBefore - held, `bytes sent to the first page and fetched again (held ${held} of ${sentBefore})`).toBeLessThanOrEqual(unpersisted + 2 * chunk);
    const entries = await cacheCall<Entry[]>(second, 'list');
    expect(entries.find((e) => e.url.includes('chirp-s16.wav'))).toMatchObject({ complete: true, bytes: WAV.bytes });
  } finally {
    await media.close();
  }
});

test('a corrupted index (the cache index and the asset coverage) is rebuilt and the file plays', async ({ page }) => {
  const media = await mediaServer();
  try {
    const url = `${media.url}${WAV.path}`;
    await openWithCache(page);
    await readWavExact(page, url);
    const [entry] = await cacheCall<Entry[]>(page, 'list');
    expect(entry).toMatchObject({ complete: true });
    await page.reload();
    // Before the engine starts: overwrite the index slots with garbage from the page.
    await page.goto('/e2e/pages/harness.html');
    await page.evaluate(async (key) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('kithara-cache');
      for (const name of ['_index.0', '_index.1', `${key}.i0`, `${key}.i1`]) {
        const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
        await w.write(new TextEncoder().encode('KCOV1 999 deadbeef\n{"not":"valid"'));
        await w.close();
      }
    }, entry!.key);
    await openWithCache(page);
    const before = media.log.length;
    await readWavExact(page, url);
    const events = await cacheEvents(page);
    expect(events.filter((e) => e.type === 'indexrebuilt').length, JSON.stringify(events)).toBeGreaterThanOrEqual(1);
    expect(media.log.length, 'the asset with a lost coverage is fetched again').toBeGreaterThan(before);
    const after = await cacheCall<Entry[]>(page, 'list');
    expect(after.find((e) => e.key === entry!.key)).toMatchObject({ complete: true, bytes: WAV.bytes });
    // And it is sound again: a reload plays it with no request.
    await page.reload();
    await openWithCache(page);
    const n = media.log.length;
    await readWavExact(page, url);
    expect(media.log.length).toBe(n);
  } finally {
    await media.close();
  }
});

test('two pages on one URL at once both play exact PCM and the asset is intact afterwards', async ({ context }) => {
  const media = await mediaServer();
  try {
    const url = `${media.url}${WAV.path}?rate=600000`;
    const [a, b] = [await context.newPage(), await context.newPage()];
    await Promise.all([openWithCache(a), openWithCache(b)]);
    await Promise.all([readWavExact(a, url), readWavExact(b, url)]);
    await a.close();
    await b.close();
    const c = await context.newPage();
    await openWithCache(c);
    const before = media.log.length;
    await readWavExact(c, url);
    expect(media.log.length, 'the shared asset is complete').toBe(before);
  } finally {
    await media.close();
  }
});
