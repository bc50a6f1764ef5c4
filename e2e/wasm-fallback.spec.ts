// Automatic fallback to the software decoders with `decoder: 'auto'`. A shim engine worker
// (e2e/pages/wasm-shim-worker.js, passed as `workerUrl`) simulates, before the real engine
// loads: a browser without AudioDecoder; one whose isConfigSupported rejects AAC; one whose
// configure throws for AAC. Each must play correctly (PCM checked against the chirp) and say
// in `formatchange`, `Resource.format` and `player.stats` that the WASM decoder is in use.
import { test, expect, type Page } from '@playwright/test';
import { alignTo, checkContinuity } from '../test/lib/analyze.mjs';
import { openHarness, readResource, readResourceError } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';

type Shim = 'no-audiodecoder' | 'reject-aac' | 'configure-throws' | 'decode-fails';
const SHIMS: Shim[] = ['no-audiodecoder', 'reject-aac', 'configure-throws', 'decode-fails'];
const shimWorker = (shim: Shim): string => `/e2e/pages/wasm-shim-worker.js?shim=${shim}`;

/** Start at t=0, continuous, with a codec-appropriate SNR floor. */
function expectChirp(planes: Float32Array[], rate: number, frames: number, label: string, minSnrDb = 20): void {
  const a = alignTo(planes, rate, 0, { searchMs: 40, windowFrames: 4096 });
  expect(a.corr, `${label}: matches the chirp at t=0, channels in order`).toBeGreaterThan(0.99);
  expect(Math.abs(a.lagFrames), `${label}: first sample is t=0 (lag ${a.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
  const cont = checkContinuity(planes, rate, 0, { frames, minSnrDb });
  expect(cont.jumps, `${label}: continuous`).toEqual([]);
  expect(cont.drift, `${label}: no drift`).toBeLessThan(1);
}

/** What a Player reported and played, seen from the page. */
interface PlayOutcome {
  ok: boolean;
  error?: unknown;
  formatChanges: { decoder: string; decoderName: string; codec: string }[];
  statsFormat: { decoder: string; decoderName: string } | null;
  currentTime: number;
  recorded: number;
  pcm: string;
}

/** Plays `src` through a Player on `workerUrl` into the capture worklet for `seconds`. */
async function playWith(page: Page, src: string, workerUrl: string, seconds = 1.2): Promise<PlayOutcome> {
  return page.evaluate(
    async ([s, w, secs]) => {
      const { Kithara, makeCapture, sleep, errorInfo } = (window as any).kt;
      const ctx = new AudioContext({ sampleRate: 48000 });
      await ctx.resume();
      const cap = await makeCapture(ctx, secs + 2);
      const player = new Kithara.Player({ audioContext: ctx, destination: cap.node, workerUrl: w });
      const formatChanges: unknown[] = [];
      player.addEventListener('formatchange', (e: CustomEvent) => formatChanges.push({ ...e.detail }));
      try {
        await player.load(s);
        cap.arm();
        await player.play();
        await sleep(secs * 1000);
        const statsFormat = player.stats.format === null ? null : { ...player.stats.format };
        const currentTime = player.currentTime;
        const rec = cap.shared ? { recorded: cap.recorded(), pcm: cap.pcm() } : await cap.result();
        return { ok: true, formatChanges, statsFormat, currentTime, recorded: rec.recorded, pcm: rec.pcm };
      } catch (e) {
        return { ok: false, error: errorInfo(e), formatChanges, statsFormat: null, currentTime: 0, recorded: 0, pcm: '' };
      } finally {
        await player.destroy();
        await ctx.close();
      }
    },
    [src, workerUrl, seconds] as const,
  ) as Promise<PlayOutcome>;
}

for (const shim of SHIMS) {
  test.describe(`fallback: ${shim}`, () => {
    test.beforeEach(async ({ page }) => openHarness(page));

    test('Resource decodes AAC (M4A) through the WASM decoder and reads the chirp from t=0', async ({ page }) => {
      const out = await readResource(page, '/fixtures/media/chirp.m4a', { sampleRate: 44100, workerUrl: shimWorker(shim) });
      expect(out.format.codec).toBe('aac');
      expect(out.format.decoder, 'the fallback was chosen automatically').toBe('wasm');
      expect(out.format.decoderName).not.toMatch(/webcodecs/i);
      expect(out.frames).toBe(264600);
      expectChirp(out.planes, 44100, 264600, 'chirp.m4a', 38);
    });

    test('a Player plays AAC and reports the WASM decoder in formatchange and stats', async ({ page }) => {
      const r = await playWith(page, '/fixtures/media/chirp.m4a', shimWorker(shim));
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
      expect(r.formatChanges.length).toBeGreaterThanOrEqual(1);
      const last = r.formatChanges[r.formatChanges.length - 1]!;
      expect(last.codec).toBe('aac');
      expect(last.decoder).toBe('wasm');
      expect(last.decoderName.length).toBeGreaterThan(0);
      expect(r.statsFormat?.decoder).toBe('wasm');
      expect(r.statsFormat?.decoderName).toBe(last.decoderName);
      expect(r.currentTime).toBeGreaterThan(0.9);
      const planes = planar(fromBase64(r.pcm), 2);
      const start = planes[0]!.findIndex((v, i) => Math.abs(v) > 1e-3 || Math.abs(planes[1]![i]!) > 1e-3);
      expect(start, 'sound was recorded').toBeGreaterThanOrEqual(0);
      const a = alignTo(planes, 48000, 0, { start, searchMs: 20 });
      expect(a.corr).toBeGreaterThan(0.99);
      expect(Math.abs(a.t) * 1000, 'playback starts at t=0').toBeLessThan(1);
      const cont = checkContinuity(planes, 48000, a.t, { start, frames: Math.min(r.recorded - start, 48000), minSnrDb: 12 });
      expect(cont.jumps, 'continuous playback').toEqual([]);
    });

    test('HLS over TS (AAC) falls back too, continuous across segments', async ({ page }) => {
      const out = await readResource(page, '/fixtures/hls/ts/index.m3u8', { sampleRate: 48000, workerUrl: shimWorker(shim) });
      expect(out.format.decoder).toBe('wasm');
      expect(Math.abs(out.frames - out.duration * 48000)).toBeLessThan(2);
      expectChirp(out.planes, 48000, out.frames - 4800, 'hls/ts', 35);
    });
  });
}

test.describe('fallback: no-audiodecoder, every codec', () => {
  test.beforeEach(async ({ page }) => openHarness(page));

  test('MP3, ADTS, Vorbis, Opus and FLAC all decode through the software decoders', async ({ page }) => {
    const files: [string, number, number][] = [
      ['chirp-cbr.mp3', 44100, 25],
      ['chirp-mono-22050.mp3', 22050, 25],
      ['chirp.aac', 44100, 38],
      ['chirp.ogg', 44100, 14],
      ['chirp.opus', 48000, 14],
      ['chirp.flac', 44100, 60],
    ];
    for (const [file, rate, snr] of files) {
      const out = await readResource(page, `/fixtures/media/${file}`, { sampleRate: rate, workerUrl: shimWorker('no-audiodecoder') });
      expect(out.format.decoder, `${file}: decoder`).toBe('wasm');
      expectChirp(out.planes, rate, Math.min(out.frames, 6 * rate), file, snr);
    }
  });

  test("forcing decoder 'webcodecs' gives a clear unsupported error naming the missing AudioDecoder", async ({ page }) => {
    const err = await readResourceError(page, '/fixtures/media/chirp.m4a', { decoder: 'webcodecs', workerUrl: shimWorker('no-audiodecoder') });
    expect(err.isKithara).toBe(true);
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/AudioDecoder/);
  });
});

for (const shim of ['reject-aac', 'configure-throws', 'decode-fails'] as const) {
  test(`fallback: ${shim} falls back per track: MP3 still decodes on WebCodecs`, async ({ page }) => {
    await openHarness(page);
    // 'webcodecs' explicitly: with 'auto' a PCM reader decodes MP3 with the WASM decoder anyway
    // (it reads faster, see src/decode/factory.ts softwareFirst), which would prove nothing here.
    const out = await readResource(page, '/fixtures/media/chirp-cbr.mp3', { sampleRate: 44100, decoder: 'webcodecs', workerUrl: shimWorker(shim) });
    expect(out.format.decoder).toBe('webcodecs');
    expectChirp(out.planes, 44100, 264600, 'chirp-cbr.mp3', 25);
  });
}
