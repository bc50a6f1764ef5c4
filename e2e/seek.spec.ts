// Seeks are sample-accurate: after Resource.seek(t) the first frame out is the chirp at t
// (within 1 ms), on every container, both at the source rate and resampled.
import { test, expect } from '@playwright/test';
import { alignTo, checkContinuity, exactCompare, expectedPcm } from '../test/lib/analyze.mjs';
import { manifest } from './lib/pcm.js';
import { openHarness } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';

const TARGETS = [2.3456, 0.5, 4.9, 1.0007];

for (const fx of manifest()) {
  test(`${fx.file}: seeks land within 1 ms of the target`, async ({ page }) => {
    await openHarness(page);
    const rate = fx.file.endsWith('.opus') ? 48000 : fx.sampleRate;
    const results = await page.evaluate(
      async ([src, targets, sampleRate]) => {
        const { Kithara, toBase64 } = (window as unknown as { kt: { Kithara: any; toBase64: (f: Float32Array) => string } }).kt;
        const res = await Kithara.Resource.open(src, { sampleRate });
        const out: { target: number; position: number; pcm: string }[] = [];
        for (const target of targets) {
          await res.seek(target);
          const position = res.position;
          const buf = new Float32Array(Math.round(0.25 * sampleRate) * res.channels);
          let filled = 0;
          while (filled < buf.length) {
            const n = await res.read(buf.subarray(filled));
            if (n === 0) break;
            filled += n * res.channels;
          }
          out.push({ target, position, pcm: toBase64(buf.subarray(0, filled)) });
        }
        await res.close();
        return { channels: res.channels, out };
      },
      [`/fixtures/media/${fx.file}`, TARGETS, rate] as const,
    );
    for (const r of results.out) {
      const planes = planar(fromBase64(r.pcm), results.channels);
      expect(r.position).toBeCloseTo(r.target, 3);
      expect(planes[0]!.length).toBeGreaterThan(rate * 0.2);
      if (fx.lossless && rate === fx.sampleRate) {
        const bits = fx.codec.includes('f32') ? 'f32' : (fx.bits ?? 16);
        const startFrame = Math.round(r.target * rate);
        const want = expectedPcm(fx.channels, rate, planes[0]!.length, { bits, startFrame });
        const cmp = exactCompare(planes, want);
        expect(cmp.equal, `seek ${r.target}: exact from frame ${startFrame} (first diff ${cmp.firstDiff})`).toBe(true);
        continue;
      }
      const a = alignTo(planes, rate, r.target, { searchMs: 60, windowFrames: 4096 });
      expect(a.corr, `seek ${r.target}: correlation`).toBeGreaterThan(0.98);
      expect(Math.abs(a.lagMs), `seek ${r.target}: landed ${a.lagMs.toFixed(3)} ms off`).toBeLessThan(1);
      const cont = checkContinuity(planes, rate, r.target, { minSnrDb: 10 });
      expect(cont.jumps, `seek ${r.target}: continuous after the seek`).toEqual([]);
    }
  });
}

test('seeks while resampling to 48000 Hz land within 1 ms (m4a, mp3, flac)', async ({ page }) => {
  await openHarness(page);
  for (const file of ['chirp.m4a', 'chirp-cbr.mp3', 'chirp.flac']) {
    const res = await page.evaluate(
      async ([src]) => {
        const { Kithara, toBase64 } = (window as unknown as { kt: { Kithara: any; toBase64: (f: Float32Array) => string } }).kt;
        const r = await Kithara.Resource.open(src, { sampleRate: 48000 });
        await r.seek(3.21);
        const buf = new Float32Array(8192 * r.channels);
        let filled = 0;
        while (filled < buf.length) {
          const n = await r.read(buf.subarray(filled));
          if (n === 0) break;
          filled += n * r.channels;
        }
        await r.close();
        return { channels: r.channels, pcm: toBase64(buf.subarray(0, filled)) };
      },
      [`/fixtures/media/${file}`] as const,
    );
    const planes = planar(fromBase64(res.pcm), res.channels);
    const a = alignTo(planes, 48000, 3.21, { searchMs: 60 });
    expect(Math.abs(a.lagMs), `${file}: ${a.lagMs.toFixed(3)} ms off`).toBeLessThan(1);
    expect(a.corr).toBeGreaterThan(0.98);
  }
});
