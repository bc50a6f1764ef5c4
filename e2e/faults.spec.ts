// Bad servers and bad input: a retryable fault is retried and nothing is lost (the PCM is
// identical to a clean read); a fatal one gives a typed KitharaError quickly, never a hang.
import { test, expect } from '@playwright/test';
import { alignTo, checkContinuity, exactCompare, expectedPcm } from '../test/lib/analyze.mjs';
import { openHarness, readResource, readResourceError } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';
import { E2E_PORT } from './lib/port.js';
import { alacFixtures } from './lib/alac.js';

const FLAC = '/fixtures/media/chirp.flac';
const M4A = '/fixtures/media/chirp.m4a';

interface LogRecord {
  path: string;
  query: Record<string, string>;
  range?: string;
  status: number;
  dropped?: boolean;
}

/** Server log records whose query has `u` equal to `unique`. */
async function serverLog(page: import('@playwright/test').Page, unique: string): Promise<LogRecord[]> {
  const res = await page.request.get('/__log');
  return ((await res.json()) as LogRecord[]).filter((r) => r.query.u === unique);
}

test.describe('retryable faults lose nothing', () => {
  test.beforeEach(async ({ page }) => openHarness(page));

  for (const [name, query] of [
    ['a connection dropped mid-file', 'dropOnce=150000'],
    ['every response cut after 64 KiB', 'drop=65536'],
    ['503 twice, then success', 'fail=503:2'],
    ['429 with Retry-After, then success', 'fail=429:1&retryAfter=1'],
    ['a server that ignores Range', 'ignoreRange=1'],
    ['no Content-Length (chunked)', 'noLength=1'],
  ] as const) {
    test(`${name}: FLAC output is sample-exact`, async ({ page }) => {
      const unique = Math.random().toString(36).slice(2);
      const out = await readResource(page, `${FLAC}?${query}&u=${unique}`, { sampleRate: 44100 });
      const want = expectedPcm(2, 44100, 264600, { bits: 16 });
      const cmp = exactCompare(out.planes, want);
      expect(out.frames).toBe(264600);
      expect(cmp.equal, `first difference at ${cmp.firstDiff}`).toBe(true);
      const log = await serverLog(page, unique);
      if (query.startsWith('fail=')) expect(log.filter((r) => r.status >= 400).length).toBeGreaterThanOrEqual(1);
      if (query.startsWith('drop')) expect(log.length, 'the download resumed with new requests').toBeGreaterThan(1);
    });
  }

  test('a dropped connection on AAC gives output identical to a clean read', async ({ page }) => {
    const clean = await readResource(page, `${M4A}?clean=${Math.random()}`, { sampleRate: 44100 });
    const dropped = await readResource(page, `${M4A}?dropOnce=40000&u=${Math.random()}`, { sampleRate: 44100 });
    expect(dropped.frames).toBe(clean.frames);
    expect(exactCompare(dropped.planes, clean.planes).equal).toBe(true);
  });

  test('a seek beyond the downloaded bytes is served by a Range request and lands exactly', async ({ page }) => {
    const unique = Math.random().toString(36).slice(2);
    const t0 = Date.now();
    const out = await readResource(page, `/fixtures/media/chirp-s16.wav?rate=50000&u=${unique}`, { sampleRate: 44100 }, { seek: 5.0, maxSeconds: 0.5 });
    const elapsed = Date.now() - t0;
    // At 50 kB/s the 1 MB file takes ~21 s to download sequentially; the seek must not wait for that.
    expect(elapsed).toBeLessThan(8000);
    const want = expectedPcm(2, 44100, out.frames, { bits: 16, startFrame: 5 * 44100 });
    expect(exactCompare(out.planes, want).equal).toBe(true);
    const log = await serverLog(page, unique);
    const ranged = log.filter((r) => r.range !== undefined && !/^bytes=0-/.test(r.range));
    expect(ranged.length, 'a Range request started past 0').toBeGreaterThan(0);
  });
});

test.describe('fatal faults give typed errors quickly', () => {
  test.beforeEach(async ({ page }) => openHarness(page));

  test('404 rejects Resource.open with code http and status 404', async ({ page }) => {
    const t0 = Date.now();
    const err = await readResourceError(page, '/fixtures/media/missing.mp3');
    expect(err.isKithara).toBe(true);
    expect(err.code).toBe('http');
    expect(err.status).toBe(404);
    expect(err.url).toContain('/fixtures/media/missing.mp3');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  test('404 gives the Player an error event with code http, and play() rejects', async ({ page }) => {
    const r = await page.evaluate(async () => {
      const { Kithara, errorInfo } = (window as any).kt;
      const player = new Kithara.Player();
      const seen: unknown[] = [];
      player.addEventListener('error', (e: ErrorEvent) => seen.push(errorInfo(e.error)));
      player.src = '/fixtures/media/nothing-here.m4a';
      let rejected: unknown = null;
      try {
        await player.play();
      } catch (e) {
        rejected = errorInfo(e);
      }
      await player.destroy();
      return { seen, rejected };
    });
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]).toMatchObject({ code: 'http', status: 404, isKithara: true });
    expect(r.rejected).toMatchObject({ code: 'http', status: 404 });
  });

  for (const [name, query, code] of [
    ['an HTML page instead of audio', 'html=1', 'parse'],
    ['random bytes with an audio MIME type', 'garbage=30000', 'parse'],
  ] as const) {
    test(`${name} gives a clear '${code}' error quickly`, async ({ page }) => {
      const t0 = Date.now();
      const err = await readResourceError(page, `/fixtures/media/chirp.mp3?${query}`);
      expect(err.code).toBe(code);
      expect(err.message.length).toBeGreaterThan(20);
      expect(Date.now() - t0).toBeLessThan(3000);
    });
  }

  test('a wrong Content-Type does not matter: content decides', async ({ page }) => {
    const out = await readResource(page, `${FLAC}?type=text/html`, { sampleRate: 44100 });
    expect(out.frames).toBe(264600);
  });

  test('a server error that persists gives http 503 after the retries', async ({ page }) => {
    const err = await readResourceError(page, `${FLAC}?status=503&u=${Math.random()}`, { net: { retry: { maxRetries: 2, baseDelayMs: 20 } } });
    expect(err).toMatchObject({ code: 'http', status: 503 });
  });

  test('an unreachable host gives a network error', async ({ page }) => {
    const err = await readResourceError(page, 'http://127.0.0.1:9/nothing.mp3', { net: { retry: { maxRetries: 1, baseDelayMs: 10 } } });
    expect(['network', 'http']).toContain(err.code);
  });

  test('a truncated file plays what is there and ends cleanly', async ({ page }) => {
    const r = await page.evaluate(async () => {
      const { Kithara, toBase64 } = (window as any).kt;
      const bytes = new Uint8Array(await (await fetch('/fixtures/media/chirp.flac')).arrayBuffer());
      const blob = new Blob([bytes.subarray(0, Math.floor(bytes.length / 2))]);
      const res = await Kithara.Resource.open(blob, { sampleRate: 44100 });
      const buf = new Float32Array(44100 * 2 * 7);
      let filled = 0;
      for (;;) {
        const n = await res.read(buf.subarray(filled));
        if (n === 0) break;
        filled += n * 2;
      }
      await res.close();
      return { frames: filled / 2, pcm: toBase64(buf.subarray(0, filled)) };
    });
    expect(r.frames).toBeGreaterThan(44100);
    expect(r.frames).toBeLessThan(264600);
    const planes = planar(fromBase64(r.pcm), 2);
    const want = expectedPcm(2, 44100, r.frames, { bits: 16 });
    expect(exactCompare(planes, want).equal).toBe(true);
  });
});

test.describe('local input and concurrency', () => {
  test.beforeEach(async ({ page }) => openHarness(page));

  test('a Blob and a File decode exactly like the URL', async ({ page }) => {
    const r = await page.evaluate(async () => {
      const { Kithara } = (window as any).kt;
      const bytes = await (await fetch('/fixtures/media/chirp-s16.wav')).arrayBuffer();
      const file = new File([bytes], 'chirp-s16.wav', { type: 'audio/wav' });
      const res = await Kithara.Resource.open(file, { sampleRate: 44100 });
      const buf = new Float32Array(264600 * 2);
      let filled = 0;
      for (;;) {
        const n = await res.read(buf.subarray(filled));
        if (n === 0) break;
        filled += n * 2;
      }
      await res.close();
      let sum = 0;
      for (let i = 0; i < filled; i++) sum += Math.round(buf[i]! * 32768) * ((i % 7) + 1);
      return { frames: filled / 2, checksum: sum, format: res.format };
    });
    const want = expectedPcm(2, 44100, 264600, { bits: 16 });
    let sum = 0;
    for (let i = 0; i < 264600 * 2; i++) sum += Math.round(want[i % 2]![Math.floor(i / 2)]! * 32768) * ((i % 7) + 1);
    expect(r.frames).toBe(264600);
    expect(r.checksum).toBe(sum);
    expect(r.format.container).toBe('wav');
  });

  test('eight resources decode at once in one worker, each correct', async ({ page }) => {
    const files = ['chirp.flac', 'chirp.m4a', 'chirp-cbr.mp3', 'chirp.opus', 'chirp.ogg', 'chirp-s16.wav', 'chirp.aac', 'chirp-moov-end.m4a'];
    const results = await page.evaluate(async (list) => {
      const { readResource } = (window as any).kt;
      return Promise.all(list.map((f: string) => readResource(`/fixtures/media/${f}?c=${Math.random()}`, { sampleRate: 48000 }, { blockFrames: 2048 })));
    }, files);
    for (const [i, r] of results.entries()) {
      const planes = planar(fromBase64(r.pcm), r.channels);
      const a = alignTo(planes, 48000, 0, { searchMs: 30 });
      expect(Math.abs(a.lagFrames), `${files[i]}: starts at t=0`).toBeLessThan(1);
      const cont = checkContinuity(planes, 48000, 0, { frames: Math.min(r.frames, 287000), minSnrDb: 12 });
      expect(cont.jumps, `${files[i]}: continuous`).toEqual([]);
    }
  });
});

test('without cross-origin isolation the Player falls back to the MessagePort ring and plays correctly', async ({ page }) => {
  await openHarness(page, `http://127.0.0.1:${E2E_PORT + 1}`);
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
  expect(isolated).toBe(false);
  const c = await page.evaluate(() => (window as any).kt.playAndCapture('/fixtures/media/chirp.m4a', { seconds: 1.2 }));
  expect(c.ok, JSON.stringify(c.error)).toBe(true);
  expect(c.stats.outputMode).toBe('port');
  const planes = planar(fromBase64(c.pcm), 2);
  const start = planes[0]!.findIndex((v, i) => Math.abs(v) > 1e-3 || Math.abs(planes[1]![i]!) > 1e-3);
  const a = alignTo(planes, 48000, 0, { start, searchMs: 20 });
  expect(a.corr).toBeGreaterThan(0.99);
  expect(Math.abs(a.t) * 1000).toBeLessThan(1);
  const cont = checkContinuity(planes, 48000, a.t, { start, frames: Math.min(c.recorded - start, 48000), minSnrDb: 12 });
  expect(cont.jumps).toEqual([]);
  expect(c.currentTime).toBeGreaterThan(0.9);
});

test('ALAC in M4A, which WebCodecs cannot decode, plays bit-exact through the software fallback', async ({ page }) => {
  const alac = alacFixtures()[0]!;
  await openHarness(page);
  const out = await readResource(page, alac.url, { decoder: 'auto', sampleRate: alac.sampleRate });
  expect(out.format.codec).toBe('alac');
  expect(out.format.decoder).toBe('wasm');
  expect(out.frames).toBe(alac.frames);
  const cmp = exactCompare(out.planes, expectedPcm(alac.channels, alac.sampleRate, alac.frames, { bits: alac.bits }));
  expect(cmp.equal, `first difference at ${cmp.firstDiff}`).toBe(true);
});
