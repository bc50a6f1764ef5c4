// The management API (`Kithara.cache`): prefetch with progress and cancellation, list, delete,
// clear and usage; LRU eviction under a small cacheMaxBytes; a (simulated) full disk falls back
// to memory with an event and playback goes on.
import { test, expect } from '@playwright/test';
import { openHarness, readResource } from './lib/harness.js';
import { WAV, cacheCall, cacheEvents, mediaServer, openWithCache, readWavExact, type Entry } from './lib/cache.js';

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
