// Every container decodes in the browser through Resource, and the PCM is checked against
// the analytic chirp: start at 0 (priming trimmed), continuity, channel order, length, and
// exact samples on lossless paths.
import { test, expect } from '@playwright/test';
import { alignTo, checkContinuity, exactCompare, expectedPcm } from '../test/lib/analyze.mjs';
import { manifest, type FixtureInfo } from './lib/pcm.js';
import { openHarness, readResource } from './lib/harness.js';

/** Per-codec floors (dB), from ffmpeg's own decode of the same files (test/lib/README.md). */
const MIN_SNR: Record<string, number> = { mp3: 25, aac: 38, vorbis: 14, opus: 14 };
const VBR_MIN_SNR = 22;

/** Formats whose container says exactly how many frames there are. */
const exactLength = (f: FixtureInfo): boolean => !(f.file.endsWith('.aac') || f.file === 'chirp-id3.mp3');

function codecKey(f: FixtureInfo): string {
  if (f.file.endsWith('.mp3')) return 'mp3';
  if (f.file.endsWith('.aac') || f.file.endsWith('.m4a')) return 'aac';
  if (f.file.endsWith('.ogg')) return 'vorbis';
  if (f.file.endsWith('.opus')) return 'opus';
  return 'pcm';
}

for (const fx of manifest()) {
  test.describe(fx.file, () => {
    test.beforeEach(async ({ page }) => openHarness(page));

    test(`decodes at its own rate from the first real sample, continuous, channels in order`, async ({ page }) => {
      const rate = fx.sampleRate;
      const out = await readResource(page, `/fixtures/media/${fx.file}`, { sampleRate: rate });
      expect(out.sampleRate).toBe(rate);
      expect(out.channels).toBe(fx.channels);
      const frames = fx.frames;
      if (exactLength(fx)) {
        expect(out.frames).toBe(frames);
        expect(out.duration).toBeCloseTo(frames / rate, 6);
      } else {
        // No container length: the encoder's end padding is decoded too (at most 2 frames).
        expect(out.frames).toBeGreaterThanOrEqual(frames);
        expect(out.frames).toBeLessThanOrEqual(frames + 2304);
      }
      if (fx.lossless) {
        const bits = fx.codec.includes('f32') ? 'f32' : (fx.bits ?? 16);
        const want = expectedPcm(fx.channels, rate, frames, { bits });
        for (let ch = 0; ch < fx.channels; ch++) {
          const cmp = exactCompare(out.planes[ch] as Float32Array, want[ch] as Float32Array);
          expect(cmp.equal, `channel ${ch}: first difference at frame ${cmp.firstDiff}, max |diff| ${cmp.maxAbsDiff}`).toBe(true);
        }
        return;
      }
      const start = alignTo(out.planes, rate, 0, { searchMs: 40, windowFrames: 4096, start: 0 });
      expect(start.corr, 'the first block matches the chirp at t=0 (channels in order)').toBeGreaterThan(0.99);
      expect(Math.abs(start.lagFrames), `first sample is t=0 (lag ${start.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
      const cont = checkContinuity(out.planes, rate, 0, { frames: Math.min(out.frames, frames) });
      const floor = fx.file === 'chirp-vbr.mp3' ? VBR_MIN_SNR : (MIN_SNR[codecKey(fx)] ?? 30);
      expect(cont.jumps, 'no lost or repeated frames').toEqual([]);
      expect(cont.drift, 'no drift').toBeLessThan(1);
      expect(cont.minSnr, `worst block SNR (block ${cont.worst?.block})`).toBeGreaterThan(floor);
    });

    test(`resampled to 48000 Hz keeps time, length and channels`, async ({ page }) => {
      const out = await readResource(page, `/fixtures/media/${fx.file}`, { sampleRate: 48000 });
      expect(out.sampleRate).toBe(48000);
      const expectedFrames = Math.round((fx.frames * 48000) / fx.sampleRate);
      if (exactLength(fx)) expect(Math.abs(out.frames - expectedFrames)).toBeLessThanOrEqual(1);
      const start = alignTo(out.planes, 48000, 0, { searchMs: 40, windowFrames: 4096 });
      expect(Math.abs(start.lagFrames), `first sample is t=0 (lag ${start.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
      expect(start.corr).toBeGreaterThan(0.99);
      const cont = checkContinuity(out.planes, 48000, 0, { frames: Math.min(out.frames, expectedFrames) });
      expect(cont.jumps).toEqual([]);
      expect(cont.drift).toBeLessThan(1);
      const floor = fx.lossless ? 60 : fx.file === 'chirp-vbr.mp3' ? VBR_MIN_SNR : (MIN_SNR[codecKey(fx)] ?? 30);
      expect(cont.minSnr).toBeGreaterThan(floor);
    });
  });
}
