// The management API (`Kithara.cache`): prefetch with progress and cancellation, list, delete,
// clear and usage; LRU eviction under a small cacheMaxBytes; a (simulated) full disk falls back
// to memory with an event and playback goes on.
import { test, expect } from '@playwright/test';
import { alignTo, checkContinuity, firstNonSilent } from '../test/lib/analyze.mjs';
import { openHarness, readResource } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';
import { WAV, blockMedia, cacheCall, cacheEvents, mediaServer, openWithCache, readWavExact, requests, type Entry } from './lib/cache.js';

interface Progress {
  loaded: number;
  total: number;
  parts: number;
  totalParts: number;
}

test('prefetch reports progress, can be cancelled, resumes, and the file then plays offline', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openWithCache(page, { cacheKeyIgnoreParams: ['rate'] });
    const slow = `${media.url}${WAV.path}?rate=300000`;
    const cancelled = await page.evaluate(async (src) => {
      const { Kithara } = (window as any).kt;
      const ctl = new AbortController();
      const seen: number[] = [];
      try {
        await Kithara.cache.prefetch(src, {
          signal: ctl.signal,
          onProgress: (p: { loaded: number }) => {
            seen.push(p.loaded);
            if (p.loaded > 200_000) ctl.abort();
          },
        });
        return { code: 'none', seen };
      } catch (e: any) {
        return { code: e.code, isKithara: e instanceof Kithara.KitharaError, seen };
      }
    }, slow);
    expect(cancelled.code).toBe('aborted');
    expect(cancelled.isKithara).toBe(true);
    const partial = (await cacheCall<Entry[]>(page, 'list')).find((e) => e.url.includes('chirp-s16.wav'));
    expect(partial?.complete).toBe(false);
    expect(partial!.bytes).toBeGreaterThan(200_000);
    expect(partial!.bytes).toBeLessThan(WAV.bytes);

    const sentBefore = media.log.reduce((n, r) => n + r.bytesSent, 0);
    const done = await page.evaluate(async (src) => {
      const { Kithara } = (window as any).kt;
      const seen: Progress[] = [];
      const final = await Kithara.cache.prefetch(src, { onProgress: (p: Progress) => seen.push(p) });
      return { final, seen };
    }, `${media.url}${WAV.path}`);
    expect(done.final).toMatchObject({ loaded: WAV.bytes, total: WAV.bytes });
    const loaded = done.seen.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((x, y) => x - y));
    const sentAfter = media.log.reduce((n, r) => n + r.bytesSent, 0) - sentBefore;
    expect(sentAfter, 'only the missing bytes were fetched').toBeLessThanOrEqual(WAV.bytes - partial!.bytes + 65536);

    await media.close();
    await readWavExact(page, `${media.url}${WAV.path}`);
  } finally {
    await media.close().catch(() => undefined);
  }
});

test('list, usage, delete and clear manage what is stored', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const flac = `${media.url}/fixtures/media/chirp.flac`;
    const mp3 = `${media.url}/fixtures/media/chirp-cbr.mp3`;
    await cacheCall(page, 'prefetch', flac);
    await cacheCall(page, 'prefetch', mp3);
    const entries = await cacheCall<Entry[]>(page, 'list');
    expect(entries.map((e) => e.url).sort()).toEqual([mp3, flac].sort());
    expect(entries.find((e) => e.url === flac)).toMatchObject({ bytes: 260077, length: 260077, complete: true, pinned: false });
    const usage = await cacheCall<{ bytes: number; entries: number; backend: string; quota: number }>(page, 'usage');
    expect(usage).toMatchObject({ bytes: 260077 + 96965, entries: 2, backend: 'opfs' });
    expect(usage.quota).toBeGreaterThan(0);
    expect(await cacheCall<boolean>(page, 'delete', flac)).toBe(true);
    expect(await cacheCall<boolean>(page, 'delete', flac), 'nothing left to delete').toBe(false);
    expect((await cacheCall<Entry[]>(page, 'list')).map((e) => e.url)).toEqual([mp3]);
    // Deleted means fetched again.
    const before = media.log.length;
    await readResource(page, flac, { sampleRate: 48000 });
    expect(media.log.length).toBeGreaterThan(before);
    await cacheCall(page, 'clear');
    expect(await cacheCall<Entry[]>(page, 'list')).toEqual([]);
    expect(await cacheCall(page, 'usage')).toMatchObject({ bytes: 0, entries: 0 });
  } finally {
    await media.close();
  }
});

test('a small cacheMaxBytes evicts the least recently used files', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openWithCache(page, { cacheMaxBytes: 400_000 });
    const files = ['chirp.flac', 'chirp-cbr.mp3', 'chirp.aac', 'chirp.m4a'].map((f) => `${media.url}/fixtures/media/${f}`);
    for (const f of files) await readResource(page, f, { sampleRate: 48000, channels: 2 });
    const entries = await cacheCall<Entry[]>(page, 'list');
    const total = entries.reduce((n, e) => n + e.bytes, 0);
    expect(total).toBeLessThanOrEqual(400_000);
    expect(entries.map((e) => e.url), 'the oldest (the FLAC) went first').not.toContain(files[0]);
    expect(entries.map((e) => e.url)).toContain(files[3]);
    const events = await cacheEvents(page);
    expect(events.some((e) => e.type === 'evicted' && e.url === files[0])).toBe(true);
  } finally {
    await media.close();
  }
});

test('a full disk (simulated quota) falls back to memory with an event and keeps playing', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openWithCache(page, { cacheQuotaBytes: 300_000 });
    await readWavExact(page, `${media.url}${WAV.path}`);
    const events = await cacheEvents(page);
    const fallback = events.find((e) => e.type === 'fallback');
    expect(fallback, JSON.stringify(events)).toMatchObject({ reason: 'quota' });
    expect(fallback!.url).toContain('chirp-s16.wav');
  } finally {
    await media.close();
  }
});

test('an HLS VOD prefetched (every part of one variant) plays offline', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/multi/master.m3u8`;
    const progress = await page.evaluate(async (src) => {
      const { Kithara } = (window as any).kt;
      const seen: Progress[] = [];
      const final = await Kithara.cache.prefetch(src, { onProgress: (p: Progress) => seen.push(p) });
      return { final, seen };
    }, url);
    expect(progress.final.parts).toBe(progress.final.totalParts);
    expect(progress.final.totalParts).toBeGreaterThan(3);
    expect(progress.seen.map((p) => p.parts)).toEqual([...progress.seen.map((p) => p.parts)].sort((x, y) => x - y));
    await media.close();
    const out = await readResource(page, url, { sampleRate: 48000, channels: 2 });
    expect(out.duration).toBeCloseTo(7.9, 1);
    expect(out.frames).toBeGreaterThan(7.8 * 48000);
  } finally {
    await media.close().catch(() => undefined);
  }
});

test('an HLS prefetch cancelled midway rejects with aborted, stops downloading and is not complete', async ({ page }) => {
  // 300 ms before each response: the abort lands while the first parts are in flight.
  const media = await mediaServer({ latencyMs: 300 });
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/fmp4/index.m3u8`;
    const r = await page.evaluate(async (src) => {
      const { Kithara } = (window as any).kt;
      const ctl = new AbortController();
      const seen: Progress[] = [];
      try {
        await Kithara.cache.prefetch(src, {
          signal: ctl.signal,
          onProgress: (p: Progress) => {
            seen.push(p);
            if (p.totalParts > 1) ctl.abort(); // the playlist is in and parsed, the segments are not
          },
        });
        return { code: 'none', isKithara: false, seen };
      } catch (e: any) {
        return { code: String(e.code), isKithara: e instanceof Kithara.KitharaError, seen };
      }
    }, url);
    expect(r.code).toBe('aborted');
    expect(r.isKithara).toBe(true);
    expect(r.seen.find((p) => p.totalParts > 1)).toMatchObject({ parts: 1, totalParts: 6 });
    await page.waitForTimeout(1000); // anything still running would have been answered by now
    const parts = (await cacheCall<Entry[]>(page, 'list')).filter((e) => e.url.includes('/fixtures/hls/fmp4/'));
    const complete = parts.filter((e) => e.complete).map((e) => e.url.split('/').pop());
    expect(complete.length, `complete parts: ${complete.join(', ')}`).toBeLessThan(6);
    expect(complete.filter((n) => /^seg\d\.m4s$/.test(n!)).length, 'not every segment is stored').toBeLessThan(4);
    expect(requests(media, 'seg3.m4s'), 'the download stopped: the last segment was never asked for').toEqual([]);
  } finally {
    await media.close();
  }
});

test("prefetch takes the player's abr options: the variant stored is the one a Resource with them plays offline", async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/multi/master.m3u8`;
    // Without abr options the stream would start (and be stored) on a2 (startEstimateBps 500 kbit/s).
    const abr = { startVariant: 0 };
    await page.evaluate(([src, a]) => (window as any).kt.Kithara.cache.prefetch(src, { abr: a }), [url, abr] as const);
    const stored = (await cacheCall<Entry[]>(page, 'list')).map((e) => e.url.slice(media.url.length));
    expect(stored.some((u) => u.startsWith('/fixtures/hls/multi/a0/seg')), stored.join(' ')).toBe(true);
    expect(stored.some((u) => u.startsWith('/fixtures/hls/multi/a2/')), 'only the variant asked for').toBe(false);
    await page.reload();
    await openHarness(page);
    const blocked = await blockMedia(page, media);
    const before = media.log.length;
    for (const options of [{ abr }, { abr: { mode: 0 } }]) {
      const out = await readResource(page, url, { sampleRate: 48000, channels: 2, ...options });
      expect(out.format.sampleRate, 'variant a0 (22.05 kHz mono) played').toBe(22050);
      expect(out.duration).toBeCloseTo(7.9, 1);
      expect(out.frames).toBeGreaterThan(7.8 * 48000);
      const a = alignTo([out.planes[0]!], 48000, 0, { searchMs: 40, channelMap: [0] });
      expect(a.corr).toBeGreaterThan(0.99);
    }
    expect(blocked.count(), 'no media request (blocked route)').toBe(0);
    expect(media.log.slice(before), 'no media request (server log)').toEqual([]);
  } finally {
    await media.close();
  }
});

test('prefetch with a variant the master does not list rejects with a TypeError naming the range (not a network error), storing no segment', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/multi/master.m3u8`;
    const r = await page.evaluate(async (src) => {
      try {
        await (window as any).kt.Kithara.cache.prefetch(src, { variant: 7 });
        return { resolved: true };
      } catch (e: any) {
        return { isTypeError: e instanceof TypeError, code: e?.code, message: String(e?.message) };
      }
    }, url);
    expect(r).toMatchObject({ isTypeError: true, code: undefined });
    expect(r.message).toMatch(/variant index from 0 to 2/);
    const stored = (await cacheCall<Entry[]>(page, 'list')).map((e) => e.url);
    expect(stored.filter((u) => /\.m4s$/.test(u)), 'no segment stored').toEqual([]);
  } finally {
    await media.close();
  }
});

interface Played {
  ok: boolean;
  error?: unknown;
  recorded: number;
  pcm: string;
  sampleRate: number;
  currentTime: number;
}

for (const choice of ['indexeddb', 'memory', 'none'] as const) {
  test(`a Player with cache: '${choice}' plays from t=0, continuous; ${choice === 'indexeddb' ? 'the file is then listed complete' : 'nothing is listed afterwards'}`, async ({ page }) => {
    const media = await mediaServer();
    try {
      await openHarness(page);
      const url = `${media.url}/fixtures/media/chirp.flac`;
      const c = await page.evaluate(
        ([s, o]) => (window as any).kt.playAndCapture(s, o) as Promise<Played>,
        [url, { seconds: 1.5, playerOptions: { cache: choice } }] as const,
      );
      expect(c.ok, JSON.stringify(c.error)).toBe(true);
      const planes = planar(fromBase64(c.pcm), 2);
      const start = firstNonSilent(planes, 1e-3);
      expect(start, 'audio was heard').toBeGreaterThanOrEqual(0);
      const a = alignTo(planes, c.sampleRate, 0, { start, searchMs: 20 });
      expect(a.corr).toBeGreaterThan(0.99);
      expect(Math.abs(a.t) * 1000, 'the first frame heard is t=0').toBeLessThan(1);
      const cont = checkContinuity(planes, c.sampleRate, a.t, { start, frames: Math.min(c.recorded - start, Math.round(1.2 * c.sampleRate)), minSnrDb: 12 });
      expect(cont.jumps, 'no lost or repeated frames').toEqual([]);
      expect(c.currentTime).toBeGreaterThan(1.2);
      const entries = await cacheCall<Entry[]>(page, 'list');
      if (choice === 'indexeddb') {
        expect(entries.map((e) => ({ url: e.url, complete: e.complete, bytes: e.bytes }))).toEqual([{ url, complete: true, bytes: 260077 }]);
        expect((await cacheCall<{ backend: string }>(page, 'usage')).backend).toBe('indexeddb');
      } else {
        expect(entries, 'the shared cache was never touched').toEqual([]);
      }
    } finally {
      await media.close();
    }
  });
}
