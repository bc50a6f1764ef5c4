// Offline playback from the persistent cache (OPFS, the default backend): a file or HLS VOD
// played once plays again after a reload with no media request, and seeks there; an AES-128
// stream is stored as ciphertext by default (the key is fetched again), or decrypted on request
// (then nothing at all is fetched). PCM is checked sample by sample (WAV) or against the chirp.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { alignTo, checkContinuity } from '../test/lib/analyze.mjs';
import { openHarness, readResource } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';
import { WAV, blockMedia, cacheCall, keyCalls, mediaServer, openWithCache, openWithTokenKey, readWavExact, requests, type Entry } from './lib/cache.js';

test('a WAV played once plays and seeks after a reload with zero media requests', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}${WAV.path}`;
    await readWavExact(page, url);
    expect(requests(media, '.wav').length).toBeGreaterThan(0);
    await page.reload();
    await openHarness(page);
    const before = media.log.length;
    const out = await readWavExact(page, url);
    expect(out.openMs).toBeLessThan(2000);
    await readWavExact(page, url, { seek: 4.25 });
    expect(media.log.slice(before), 'no request after the reload').toEqual([]);
  } finally {
    await media.close();
  }
});

test('a Player plays a cached file and seeks with the media server gone', async ({ page }) => {
  const media = await mediaServer();
  const url = `${media.url}/fixtures/media/chirp.flac`;
  await openHarness(page);
  await readResource(page, url, { sampleRate: 48000 });
  await media.close(); // the network is gone: any request would fail
  await page.reload();
  await openHarness(page);
  const r = await page.evaluate(async (src) => {
    const { Kithara, makeCapture, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 3);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    const errors: string[] = [];
    player.addEventListener('error', (e: any) => errors.push(String(e.error?.code)));
    await player.load(src);
    player.currentTime = 3.5;
    await new Promise((r) => player.addEventListener('seeked', r, { once: true }));
    cap.arm();
    await player.play();
    await sleep(800);
    const out = { errors, pcm: cap.pcm(), currentTime: player.currentTime };
    await player.destroy();
    await ctx.close();
    return out;
  }, url);
  expect(r.errors).toEqual([]);
  expect(r.currentTime).toBeGreaterThan(3.9);
  const planes = planar(fromBase64(r.pcm), 2);
  const start = planes[0]!.findIndex((v) => Math.abs(v) > 1e-3);
  expect(start).toBeGreaterThanOrEqual(0);
  const a = alignTo(planes, 48000, 3.5, { start, searchMs: 60 });
  expect(a.corr, 'audio at the seek target, from the cache').toBeGreaterThan(0.99);
  expect(Math.abs(a.t - 3.5) * 1000).toBeLessThan(2);
});

/** Reads an HLS fixture through Resource and checks it is the chirp from t=0, continuous. */
async function readHlsChecked(page: import('@playwright/test').Page, url: string, seek?: number): Promise<void> {
  const out = await readResource(page, url, { sampleRate: 48000, channels: 2 }, seek === undefined ? {} : { seek, maxSeconds: 1 });
  const t0 = seek ?? 0;
  const a = alignTo(out.planes, 48000, t0, { searchMs: 40 });
  expect(a.corr).toBeGreaterThan(0.99);
  expect(Math.abs(a.t - t0) * 1000).toBeLessThan(1);
  if (seek === undefined) {
    expect(Math.abs(out.frames - 7.9 * 48000)).toBeLessThan(2400);
    const cont = checkContinuity(out.planes, 48000, 0, { frames: out.frames - 4800, minSnrDb: 30 });
    expect(cont.jumps).toEqual([]);
  }
}

test('an HLS fMP4 VOD plays and seeks offline: playlists, init segment and segments come from the cache', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/fmp4/index.m3u8`;
    await readHlsChecked(page, url);
    const fetched = new Set(requests(media).map((r) => r.path));
    expect(fetched.has('/fixtures/hls/fmp4/init.mp4')).toBe(true);
    await page.reload();
    await openHarness(page);
    const before = media.log.length;
    await readHlsChecked(page, url);
    await readHlsChecked(page, url, 5.1);
    expect(media.log.slice(before)).toEqual([]);
  } finally {
    await media.close();
  }
});

test('an HLS master playlist and its rendition play offline after a reload', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/multi/master.m3u8`;
    await readResource(page, url, { sampleRate: 48000, channels: 2 });
    await page.reload();
    await openHarness(page);
    const before = media.log.length;
    const out = await readResource(page, url, { sampleRate: 48000, channels: 2 });
    expect(media.log.slice(before)).toEqual([]);
    expect(out.duration).toBeCloseTo(7.9, 1);
    const a = alignTo([out.planes[0]!], 48000, 0, { searchMs: 40, channelMap: [0] });
    expect(a.corr).toBeGreaterThan(0.99);
  } finally {
    await media.close();
  }
});

test('AES-128 HLS is stored as ciphertext by default; offline it needs only the key', async ({ page }) => {
  const media = await mediaServer();
  try {
    await openHarness(page);
    const url = `${media.url}/fixtures/hls/aes-ts-seq/index.m3u8`;
    await readHlsChecked(page, url);
    // The stored bytes of seg6.ts are exactly the encrypted file the server sent.
    const entries = await cacheCall<Entry[]>(page, 'list');
    const seg = entries.find((e) => e.url.endsWith('/seg6.ts'));
    expect(seg, 'seg6.ts is cached').toBeDefined();
    expect(entries.some((e) => e.url.endsWith('key.bin')), 'the key is never stored').toBe(false);
    const stored = await page.evaluate(async (key) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('kithara-cache');
      const file = await (await dir.getFileHandle(`${key}.data`)).getFile();
      return Array.from(new Uint8Array(await file.arrayBuffer()));
    }, seg!.key);
    const cipher = readFileSync('fixtures/hls/aes-ts-seq/seg6.ts');
    expect(stored.length).toBe(cipher.length);
    expect(Buffer.from(stored).equals(cipher), 'stored bytes are the ciphertext').toBe(true);
    await page.reload();
    await openHarness(page);
    const before = media.log.length;
    await readHlsChecked(page, url);
    const after = media.log.slice(before).map((r) => r.path);
    expect(after, 'only the key is fetched again').toEqual(['/fixtures/hls/aes-ts-seq/key.bin']);
  } finally {
    await media.close();
  }
});

test('AES-128 HLS with cacheDecrypted plays with no network at all after a reload', async ({ page }) => {
  const media = await mediaServer();
  const url = `${media.url}/fixtures/hls/aes-ts-iv/index.m3u8`;
  await openWithCache(page, { cacheDecrypted: true });
  await readHlsChecked(page, url);
  await media.close();
  await page.reload();
  await openWithCache(page, { cacheDecrypted: true });
  await readHlsChecked(page, url);
  await readHlsChecked(page, url, 2.5);
});

test('a cacheKey function that drops the token: a file stored via ?token=a reads via ?token=b after a reload, offline', async ({ page }) => {
  const media = await mediaServer();
  try {
    const base = `${media.url}${WAV.path}`;
    await openWithTokenKey(page);
    await readWavExact(page, `${base}?token=a`);
    await readWavExact(page, `${base}?token=a`);
    expect(await keyCalls(page), 'asked once per URL, from the worker').toEqual([`${base}?token=a`]);
    const [entry, ...others] = await cacheCall<Entry[]>(page, 'list');
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ url: `${base}?token=a`, complete: true, bytes: WAV.bytes });

    await page.reload();
    await openWithTokenKey(page);
    const blocked = await blockMedia(page, media);
    const before = media.log.length;
    await readWavExact(page, `${base}?token=b`);
    await readWavExact(page, `${base}?token=b`, { seek: 4.25 });
    expect(blocked.count(), 'no media request (blocked route)').toBe(0);
    expect(media.log.slice(before), 'no media request (server log)').toEqual([]);
    expect(await keyCalls(page)).toEqual([`${base}?token=b`]);
    expect((await cacheCall<Entry[]>(page, 'list')).map((e) => e.key), 'still one entry').toEqual([entry!.key]);
  } finally {
    await media.close();
  }
});

test('cache.configure checks cacheKey with the house wording', async ({ page }) => {
  await openHarness(page);
  const message = await page.evaluate(async () => {
    const { Kithara } = (window as any).kt;
    try {
      await Kithara.cache.configure({ cacheKey: 'token' });
      return 'accepted';
    } catch (e: any) {
      return `${e.name}: ${e.message}`;
    }
  });
  expect(message).toBe('TypeError: options.cacheKey, when provided, must be a function.');
});

test('a prefetched file plays and seeks after a reload with the media route blocked', async ({ page }) => {
  const media = await mediaServer();
  try {
    const url = `${media.url}${WAV.path}`;
    await openHarness(page);
    const done = await cacheCall<{ loaded: number; total: number }>(page, 'prefetch', url);
    expect(done).toMatchObject({ loaded: WAV.bytes, total: WAV.bytes });
    await page.reload();
    await openHarness(page);
    const blocked = await blockMedia(page, media);
    const before = media.log.length;
    await readWavExact(page, url);
    await readWavExact(page, url, { seek: 3.5 });
    expect(blocked.count(), 'no media request (blocked route)').toBe(0);
    expect(media.log.slice(before), 'no media request (server log)').toEqual([]);
  } finally {
    await media.close();
  }
});

test('a prefetched HLS VOD plays and seeks to its last segment after a reload with the media route blocked', async ({ page }) => {
  const media = await mediaServer();
  try {
    const url = `${media.url}/fixtures/hls/fmp4/index.m3u8`;
    await openHarness(page);
    const done = await cacheCall<{ parts: number; totalParts: number }>(page, 'prefetch', url);
    expect(done.parts).toBe(6); // playlist, init segment, four segments
    expect(done.totalParts).toBe(6);
    await page.reload();
    await openHarness(page);
    const blocked = await blockMedia(page, media);
    const before = media.log.length;
    await readHlsChecked(page, url, 6.5); // straight into seg3 (from ~6 s), first thing after the reload
    await readHlsChecked(page, url);
    expect(blocked.count(), 'no media request (blocked route)').toBe(0);
    expect(media.log.slice(before), 'no media request (server log)').toEqual([]);
  } finally {
    await media.close();
  }
});
