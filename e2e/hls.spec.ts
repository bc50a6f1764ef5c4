// HLS VOD on the same engine: every segment format, AES-128 with explicit and derived IVs,
// byte ranges, seeks into segments not yet fetched, and bad playlists, keys and servers.
// PCM is checked against the chirp like every other source.
import { test, expect } from '@playwright/test';
import { alignTo, checkContinuity } from '../test/lib/analyze.mjs';
import { analyseSeek } from '../bench/lib/seek-analysis.mjs';
import { startServer } from './server/test-server.mjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { openHarness, readResource, readResourceError } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';

const STREAMS = ['fmp4', 'ts', 'ts-mp3', 'packed-aac', 'packed-mp3', 'byterange', 'aes-ts-iv', 'aes-ts-seq', 'aes-fmp4', 'aes-fmp4-seq'];
/** The HLS fixtures are 7.9 s of the chirp. */
const DURATION = 7.9;

for (const dir of STREAMS) {
  test(`HLS ${dir}: plays from t=0, continuous across segments, full length`, async ({ page }) => {
    await openHarness(page);
    const out = await readResource(page, `/fixtures/hls/${dir}/index.m3u8`, { sampleRate: 48000 });
    // The playlist's EXTINF sum (7.9 s, or up to a frame more per segment in the hand-cut packed
    // playlists) is the duration; the output holds exactly that many frames.
    expect(Math.abs(out.duration - DURATION)).toBeLessThan(0.025);
    expect(Math.abs(out.frames - out.duration * 48000)).toBeLessThan(2);
    const a = alignTo(out.planes, 48000, 0, { searchMs: 40 });
    expect(a.corr).toBeGreaterThan(0.99);
    expect(Math.abs(a.lagFrames), `starts at t=0 (lag ${a.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
    const cont = checkContinuity(out.planes, 48000, 0, { frames: out.frames - 4800, minSnrDb: dir.includes('mp3') ? 20 : 35 });
    expect(cont.jumps, 'no gap or overlap at segment joins').toEqual([]);
    expect(cont.drift).toBeLessThan(1);
  });
}

test('HLS seek into a segment not yet downloaded fetches that segment and lands within 1 ms', async ({ page }) => {
  // A throttled server of its own (cross-origin is fine: CORS and CORP headers are sent).
  const slow = await startServer({ root: process.cwd(), port: 0, bytesPerSec: 40_000 });
  try {
    await openHarness(page);
    const t0 = Date.now();
    const out = await readResource(page, `${slow.url}/fixtures/hls/ts/index.m3u8`, { sampleRate: 48000 }, { seek: 6.3, maxSeconds: 0.4 });
    const elapsed = Date.now() - t0;
    const a = alignTo(out.planes, 48000, 6.3, { searchMs: 40 });
    expect(Math.abs(a.lagMs), `landed ${a.lagMs.toFixed(3)} ms off`).toBeLessThan(1);
    expect(a.corr).toBeGreaterThan(0.99);
    const segs = slow.log.filter((r: { path: string }) => r.path.endsWith('.ts')).map((r: { path: string }) => r.path.split('/').pop());
    expect(segs).toContain('seg3.ts');
    expect(segs, 'segment 2 (before the target, after the first) was never needed').not.toContain('seg2.ts');
    // ~40 kB/s: the whole stream (~130 kB) would take over 3 s; the seek must not wait for it.
    expect(elapsed).toBeLessThan(6000);
  } finally {
    await slow.close();
  }
});

/** The URI of segment `index` of a fixture's media playlist, e.g. 'seg2.ts' or 'seg260.m4s'. */
function segmentName(dir: string, index: number): string {
  const uris = readFileSync(`fixtures/hls/${dir}/index.m3u8`, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
  return uris[index]!;
}

for (const dir of ['fmp4', 'ts', 'aes-fmp4', 'aes-fmp4-seq']) {
  test(`Player, HLS ${dir}: a seek while playing into a segment not yet downloaded is heard from the target frame on`, async ({ page }) => {
    // Throttled (~320 kbit/s, 30 ms): the segment holding the target is not there at the seek.
    const slow = await startServer({ root: process.cwd(), port: 0, bytesPerSec: 40_000, latencyMs: 30 });
    try {
      await openHarness(page);
      const target = 6.3;
      const r = await page.evaluate(async ([src, t]) => {
        const { Kithara, makeCapture, sleep } = (window as any).kt;
        const ctx = new AudioContext({ sampleRate: 48000 });
        await ctx.resume();
        const cap = await makeCapture(ctx, 4);
        const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
        await player.load(src);
        cap.arm();
        await player.play();
        while (cap.firstSoundFrame() < 0) await sleep(5);
        await sleep(300);
        const seekFrame = ctx.currentTime * ctx.sampleRate - cap.startFrame();
        player.currentTime = t;
        await sleep(1400);
        const out = { seekIndex: seekFrame, pcm: cap.pcm(), recorded: cap.recorded(), underruns: player.stats.underruns };
        await player.destroy();
        await ctx.close();
        return out;
      }, [`${slow.url}/fixtures/hls/${dir}/index.m3u8`, target] as const);
      const planes = planar(fromBase64(r.pcm), 2);
      const a = analyseSeek(planes, 48000, r.seekIndex, target);
      expect(a.ok, a.reason).toBe(true);
      expect(Math.abs(a.startErrorMs), `the new audio starts ${a.startErrorMs.toFixed(3)} ms from the target`).toBeLessThan(1);
      const seam = Math.round(r.seekIndex + (a.latencyMs / 1000) * 48000);
      const cont = checkContinuity(planes, 48000, target + a.startErrorMs / 1000, { start: seam, frames: Math.min(r.recorded - seam - 4800, 24000), minSnrDb: 20 });
      expect(cont.jumps, 'continuous from the target on').toEqual([]);
      const segs = slow.log.filter((q: { path: string }) => /seg\d+\./.test(q.path)).map((q: { path: string }) => q.path.split('/').pop());
      expect(segs, 'the segment that holds the target was fetched').toContain(segmentName(dir, 3));
      expect(segs, 'the segment before the target was never needed').not.toContain(segmentName(dir, 2));
    } finally {
      await slow.close();
    }
  });
}

test('HLS master playlist: variants are announced and the chosen rendition plays from t=0', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, toBase64 } = (window as any).kt;
    const res = await Kithara.Resource.open('/fixtures/hls/multi/master.m3u8', { sampleRate: 48000, channels: 2 });
    const buf = new Float32Array(48000 * 2 * 3);
    let filled = 0;
    while (filled < buf.length) {
      const n = await res.read(buf.subarray(filled));
      if (n === 0) break;
      filled += n * 2;
    }
    const out = { format: res.format, duration: res.duration, pcm: toBase64(buf.subarray(0, filled)) };
    await res.close();
    return out;
  });
  expect(r.duration).toBeCloseTo(7.9, 1);
  const planes = planar(fromBase64(r.pcm), 2);
  // The first rendition is mono: both output channels carry the left chirp.
  const a = alignTo([planes[0]!], 48000, 0, { searchMs: 40, channelMap: [0] });
  expect(Math.abs(a.lagFrames)).toBeLessThan(1);
  expect(a.corr).toBeGreaterThan(0.99);
});

test('Player plays HLS through the worklet and announces the variants', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, sleep, toBase64 } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 4);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    let variants: unknown[] = [];
    player.addEventListener('variants', (e: CustomEvent) => (variants = e.detail));
    await player.load('/fixtures/hls/multi/master.m3u8');
    cap.arm();
    await player.play();
    await sleep(1200);
    const out = { variants, currentTime: player.currentTime, pcm: cap.pcm(), recorded: cap.recorded(), playerVariants: player.variants.length };
    await player.destroy();
    await ctx.close();
    return out;
  });
  expect(r.variants).toHaveLength(3);
  expect(r.playerVariants).toBe(3);
  expect(r.currentTime).toBeGreaterThan(0.9);
  const planes = planar(fromBase64(r.pcm), 2);
  const start = planes[0]!.findIndex((v) => Math.abs(v) > 1e-3);
  const a = alignTo([planes[0]!], 48000, 0, { start, searchMs: 20, channelMap: [0] });
  expect(Math.abs(a.t) * 1000).toBeLessThan(1);
  const cont = checkContinuity([planes[0]!], 48000, a.t, { start, frames: Math.min(r.recorded - start, 40000), channelMap: [0], minSnrDb: 12 });
  expect(cont.jumps).toEqual([]);
});

test.describe('bad HLS input gives typed errors quickly', () => {
  test.beforeEach(async ({ page }) => openHarness(page));

  test('a key that returns 404 gives an http error', async ({ page }) => {
    const err = await readResourceError(page, '/fixtures/hls/broken/missing-key.m3u8');
    expect(err).toMatchObject({ code: 'http', status: 404, isKithara: true });
    expect(err.url).toContain('missing.key');
  });

  test('a wrong key gives a decrypt error naming the segment, not a parse error', async ({ page }) => {
    const t0 = Date.now();
    const err = await readResourceError(page, '/fixtures/hls/broken/wrong-key.m3u8');
    expect(err).toMatchObject({ code: 'decrypt', isKithara: true });
    expect(err.message).toMatch(/seg0\.ts did not decrypt to audio: wrong key/);
    expect(err.url).toMatch(/\/aes-ts-iv\/seg0\.ts$/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a malformed EXTINF gives a parse error with the line number', async ({ page }) => {
    const err = await readResourceError(page, '/fixtures/hls/broken/bad-extinf.m3u8');
    expect(err.code).toBe('parse');
    expect(err.message).toContain('line 8');
  });

  test('a master playlist without BANDWIDTH gives a parse error with the line number', async ({ page }) => {
    const err = await readResourceError(page, '/fixtures/hls/broken/master-no-bandwidth.m3u8');
    expect(err.code).toBe('parse');
    expect(err.message).toContain('line 3');
  });

  test('an HTML page behind a .m3u8 URL gives a parse error', async ({ page }) => {
    const err = await readResourceError(page, '/fixtures/hls/broken/not-hls.m3u8');
    expect(err.code).toBe('parse');
  });
});

/** Writes a copy of a fixture playlist whose segment URLs carry server fault parameters. */
function faultyPlaylist(dir: string, query: (index: number) => string): string {
  const src = readFileSync(`fixtures/hls/${dir}/index.m3u8`, 'utf8');
  let i = 0;
  const text = src
    .split('\n')
    .map((line) => (line.length > 0 && !line.startsWith('#') ? `/fixtures/hls/${dir}/${line}?${query(i++)}` : line))
    // Keys and init segments stay where they are: make their URIs absolute.
    .map((line) => line.replace(/URI="(?![a-z]+:|\/)([^"]+)"/g, `URI="/fixtures/hls/${dir}/$1"`))
    .join('\n');
  mkdirSync('test-results/hls', { recursive: true });
  const name = `test-results/hls/${dir}-${Math.random().toString(36).slice(2)}.m3u8`;
  writeFileSync(name, text);
  return `/${name}`;
}

test('HLS: a segment that answers 503 twice is retried and plays exactly', async ({ page }) => {
  await openHarness(page);
  const u = Math.random().toString(36).slice(2);
  const url = faultyPlaylist('ts', (i) => (i === 1 ? `fail=503:2&u=${u}` : `u=${u}`));
  const out = await readResource(page, url, { sampleRate: 48000 });
  const cont = checkContinuity(out.planes, 48000, 0, { frames: out.frames - 4800, minSnrDb: 35 });
  expect(cont.jumps).toEqual([]);
  expect(Math.abs(out.frames - 7.9 * 48000)).toBeLessThan(48);
});

test('HLS: the first request of every segment dropped mid-body resumes, and nothing is lost', async ({ page }) => {
  await openHarness(page);
  for (const dir of ['ts', 'aes-ts-iv', 'fmp4']) {
    const u = Math.random().toString(36).slice(2);
    const url = faultyPlaylist(dir, (i) => `dropOnce=${9000 + 1000 * i}&u=${u}`);
    const out = await readResource(page, url, { sampleRate: 48000 });
    const a = alignTo(out.planes, 48000, 0, { searchMs: 40 });
    expect(Math.abs(a.lagFrames), `${dir}: starts at t=0`).toBeLessThan(1);
    const cont = checkContinuity(out.planes, 48000, 0, { frames: out.frames - 4800, minSnrDb: 35 });
    expect(cont.jumps, `${dir}: continuous`).toEqual([]);
    expect(Math.abs(out.frames - 7.9 * 48000), `${dir}: full length`).toBeLessThan(48);
  }
});

test('HLS discontinuity: a second encode with its own timestamps and priming joins without a gap or click', async ({ page }) => {
  await openHarness(page);
  const out = await readResource(page, '/fixtures/hls/discontinuity/index.m3u8', { sampleRate: 48000 });
  const cut = (172 * 1024) / 44100; // where the second encode starts (scripts/make-fixtures-hls.mjs)
  // The playlist's duration counts both encodes' priming; the SDK removes both.
  expect(Math.abs(out.duration - 7.9)).toBeLessThan(0.002);
  expect(Math.abs(out.frames - out.duration * 48000)).toBeLessThan(2);
  // Before and after the cut the chirp is where it belongs. ffmpeg's EXTINF values come from
  // 90 kHz timestamps and place the second encode 8 samples (0.18 ms) late: the join can be no
  // better than the playlist says.
  for (const t of [1, cut - 0.05, cut + 0.02, 6.5]) {
    const a = alignTo(out.planes, 48000, t, { start: Math.round(t * 48000), searchMs: 40, windowFrames: 1920 });
    expect(a.corr, `t=${t}`).toBeGreaterThan(0.99);
    expect(Math.abs(a.lagMs), `t=${t}: ${a.lagMs.toFixed(3)} ms off`).toBeLessThan(0.25);
  }
  // No silence (the second encode's priming) and no click at the join.
  const left = out.planes[0]!;
  const at = Math.round(cut * 48000);
  let worst = 0;
  let quiet = 0;
  for (let i = at - 960; i < at + 960; i++) {
    worst = Math.max(worst, Math.abs(left[i]! - left[i - 1]!));
    if (Math.abs(left[i]!) < 0.01) quiet++;
  }
  expect(worst).toBeLessThan(0.6);
  expect(quiet, 'no gap of silence at the join').toBeLessThan(40);
});

test('HLS AES-128: a keyLoader supplies the key instead of the key URI (which answers 404), and a failing one gives a typed error', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, toBase64 } = (window as any).kt;
    const asked: string[] = [];
    const keyLoader = async (uri: string) => {
      asked.push(uri);
      return Uint8Array.from({ length: 16 }, (_, i) => i);
    };
    const res = await Kithara.Resource.open('/fixtures/hls/broken/missing-key.m3u8', { sampleRate: 48000, keyLoader });
    const buf = new Float32Array(48000 * 2 * 9);
    let filled = 0;
    for (;;) {
      const n = await res.read(buf.subarray(filled));
      if (n === 0) break;
      filled += n * 2;
    }
    await res.close();
    let error: unknown = null;
    try {
      const bad = await Kithara.Resource.open('/fixtures/hls/broken/missing-key.m3u8', { keyLoader: async () => { throw new Error('licence denied'); } });
      await bad.read(new Float32Array(4096));
      await bad.close();
    } catch (e) {
      error = { code: (e as any).code, message: String((e as any).message) };
    }
    return { asked, pcm: toBase64(buf.subarray(0, filled)), error };
  });
  expect(r.asked.length).toBeGreaterThan(0);
  expect(r.asked[0]).toMatch(/\/fixtures\/hls\/broken\/missing\.key$/);
  const planes = planar(fromBase64(r.pcm), 2);
  const a = alignTo(planes, 48000, 0, { searchMs: 40 });
  expect(a.corr).toBeGreaterThan(0.99);
  const cont = checkContinuity(planes, 48000, 0, { frames: planes[0]!.length - 4800, minSnrDb: 35 });
  expect(cont.jumps).toEqual([]);
  expect(r.error).not.toBeNull();
  // A keyLoader that throws a plain Error: the key could not be had, a decrypt failure (src/drm/README.md).
  expect((r.error as { code: string }).code).toBe('decrypt');
  expect((r.error as { message: string }).message).toContain('licence denied');
});

test('HLS fMP4: the init segment and the first media segment are requested together, not one after the other', async ({ page }) => {
  // 400 ms before every response: one after the other would start seg0 only after init.mp4 ended.
  const slow = await startServer({ root: process.cwd(), port: 0, latencyMs: 400 });
  try {
    await openHarness(page);
    const out = await readResource(page, `${slow.url}/fixtures/hls/fmp4/index.m3u8`, { sampleRate: 48000 }, { maxSeconds: 0.5 });
    const a = alignTo(out.planes, 48000, 0, { searchMs: 40 });
    expect(a.corr).toBeGreaterThan(0.99);
    const log = slow.log as { path: string; t: number; ms: number }[];
    const init = log.find((r) => r.path.endsWith('/init.mp4'));
    const seg0 = log.find((r) => r.path.endsWith('/seg0.m4s'));
    expect(init && seg0, JSON.stringify(log.map((r) => r.path))).toBeTruthy();
    // seg0 was asked for before init.mp4's answer (which took at least the 400 ms latency) ended.
    expect(seg0!.t).toBeLessThan(init!.t + init!.ms);
  } finally {
    await slow.close();
  }
});

test('Player, HLS AES-128: a key that answers 404 dispatches one error event (http, 404) and play() rejects with it', async ({ page }) => {
  await openHarness(page);
  const t0 = Date.now();
  const r = await page.evaluate(async () => {
    const { Kithara, errorInfo } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    const player = new Kithara.Player({ audioContext: ctx, destination: null });
    const seen: unknown[] = [];
    player.addEventListener('error', (e: ErrorEvent) => seen.push(errorInfo(e.error)));
    player.src = '/fixtures/hls/broken/missing-key.m3u8';
    let rejected: unknown = null;
    try {
      await player.play();
    } catch (e) {
      rejected = errorInfo(e);
    }
    const paused = player.paused;
    await player.destroy();
    await ctx.close();
    return { seen, rejected, paused };
  });
  expect(r.seen).toHaveLength(1);
  expect(r.seen[0]).toMatchObject({ code: 'http', status: 404, isKithara: true });
  expect((r.seen[0] as { url: string }).url).toMatch(/\/fixtures\/hls\/broken\/missing\.key$/);
  expect(r.rejected).toMatchObject({ code: 'http', status: 404 });
  expect(r.paused).toBe(true);
  expect(Date.now() - t0).toBeLessThan(5000);
});

test('Player, HLS AES-128: a key rotated mid-stream to a URI that answers 404 stops playback with an error event (http, 404) after the audio before it', async ({ page }) => {
  await openHarness(page);
  // aes-ts-iv with a new EXT-X-KEY before segment 2 that points to a missing key.
  const src = readFileSync('fixtures/hls/aes-ts-iv/index.m3u8', 'utf8');
  const lines = src.split('\n').map((l) => (l.length > 0 && !l.startsWith('#') ? `/fixtures/hls/aes-ts-iv/${l}` : l.replace('URI="key.bin"', 'URI="/fixtures/hls/aes-ts-iv/key.bin"')));
  const third = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('#EXTINF'))[2]![1];
  lines.splice(third, 0, '#EXT-X-KEY:METHOD=AES-128,URI="/fixtures/hls/broken/missing.key",IV=0x101112131415161718191a1b1c1d1e1f');
  mkdirSync('test-results/hls', { recursive: true });
  const name = `test-results/hls/rotated-missing-key-${Math.random().toString(36).slice(2)}.m3u8`;
  writeFileSync(name, lines.join('\n'));
  const r = await page.evaluate(async (url) => {
    const { Kithara, errorInfo, makeCapture, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 8);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    const seen: { error: unknown; at: number }[] = [];
    player.addEventListener('error', (e: ErrorEvent) => seen.push({ error: errorInfo(e.error), at: player.currentTime }));
    await player.load(url);
    cap.arm();
    await player.play();
    for (let i = 0; i < 140 && seen.length === 0; i++) await sleep(50);
    await sleep(200);
    const out = { seen, paused: player.paused, recorded: cap.recorded() };
    await player.destroy();
    await ctx.close();
    return out;
  }, `/${name}`);
  expect(r.seen, 'one error event').toHaveLength(1);
  expect(r.seen[0]!.error).toMatchObject({ code: 'http', status: 404, isKithara: true });
  expect((r.seen[0]!.error as { url: string }).url).toMatch(/\/fixtures\/hls\/broken\/missing\.key$/);
  // It came during playback, once the reader reached segment 2: segments 0 and 1 (the good key,
  // ~4 s) were being played. (The error stops output at once, with what is decoded ahead unheard.)
  expect(r.seen[0]!.at).toBeGreaterThan(2.5);
  expect(r.paused).toBe(true);
});

test('HLS AES-128: the key request carries the net headers (seen by the server as a CORS preflight, and on the request itself)', async ({ page }) => {
  // A server of its own on another origin: a custom header makes every cross-origin request,
  // the key's included, go through a preflight that the server logs.
  const other = await startServer({ root: process.cwd(), port: 0 });
  try {
    await openHarness(page);
    const headers = new Map<string, Record<string, string>>();
    page.on('request', (req) => {
      if (req.url().startsWith(other.url)) headers.set(new URL(req.url()).pathname, req.headers());
    });
    const out = await readResource(page, `${other.url}/fixtures/hls/aes-ts-iv/index.m3u8`, { sampleRate: 48000, net: { headers: { 'X-Kithara-Test': 'key-check' } } }, { maxSeconds: 0.5 });
    expect(alignTo(out.planes, 48000, 0, { searchMs: 40 }).corr).toBeGreaterThan(0.99);
    const log = (await (await fetch(`${other.url}/__log`)).json()) as { method: string; path: string; status: number }[];
    const key = '/fixtures/hls/aes-ts-iv/key.bin';
    const onKey = log.filter((q) => q.path === key).map((q) => `${q.method} ${q.status}`);
    expect(onKey, JSON.stringify(log)).toEqual(['OPTIONS 204', 'GET 200']);
    expect(headers.get(key)?.['x-kithara-test'], 'the key request itself carried the header').toBe('key-check');
  } finally {
    await other.close();
  }
});
