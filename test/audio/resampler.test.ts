import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Resampler } from '../../src/audio/resampler.js';
import type { ResamplerQuality } from '../../src/audio/resampler.js';
import { KitharaError } from '../../src/platform/errors.js';
import { setSimdEnabled } from '../../src/audio/resampler-simd.js';
import { render } from '../../fixtures/signal.mjs';
import { resampleAll, rms, runStream, sine, snrDb } from './resampler-helpers.js';

const QUALITIES: ResamplerQuality[] = ['fast', 'normal', 'good', 'high'];

/** Deterministic pseudo-random chunk sizes (LCG), 1 … max. */
function randomChunks(count: number, max: number, seed = 12345): number[] {
  const sizes: number[] = [];
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    sizes.push(1 + (x % max));
  }
  return sizes;
}

function noise(frames: number, seed: number): Float32Array {
  const p = new Float32Array(frames);
  let x = seed;
  for (let i = 0; i < frames; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    p[i] = x / 2147483648 - 0.5;
  }
  return p;
}

describe('Resampler at equal rates', () => {
  it('copies the input bit-exactly with zero delay, in any chunking', () => {
    const input = [noise(10_000, 1), noise(10_000, 2)];
    for (const chunks of [[1], [7], [4096], randomChunks(50, 999)]) {
      const out = resampleAll({ inRate: 44100, outRate: 44100, channels: 2 }, input, chunks);
      assert.deepEqual(out[0], input[0]);
      assert.deepEqual(out[1], input[1]);
    }
  });

  it('honours input and output offsets', () => {
    const r = new Resampler({ inRate: 48000, outRate: 48000, channels: 1 });
    const src = Float32Array.from([1, 2, 3, 4, 5]);
    const dst = new Float32Array(6);
    assert.equal(r.process([src], 3, [dst], 2, 1), 3);
    assert.deepEqual([...dst], [0, 0, 2, 3, 4, 0]);
    assert.equal(r.flushFrames(), 0);
  });
});

describe('Resampler chunking', () => {
  const ratios: [number, number][] = [
    [44100, 48000],
    [48000, 44100],
    [22050, 48000],
    [8000, 48000],
    [96000, 48000],
    [44056, 48000],
    [48000, 8000],
  ];
  for (const [inRate, outRate] of ratios) {
    it(`gives bit-identical output for any chunk sizes, ${inRate}→${outRate}`, () => {
      const frames = 20_000;
      const input = [noise(frames, 7), noise(frames, 8)];
      const opts = { inRate, outRate, channels: 2, quality: 'normal' as const };
      const whole = resampleAll(opts, input, [frames]);
      for (const chunks of [[1], [7], [480], [4096], randomChunks(200, 3000)]) {
        const got = resampleAll(opts, input, chunks);
        assert.deepEqual(got[0], whole[0], `left, chunks ${chunks.slice(0, 3).join(',')}`);
        assert.deepEqual(got[1], whole[1], `right, chunks ${chunks.slice(0, 3).join(',')}`);
      }
    });
  }

  it('gives bit-identical output at high quality with three channels', () => {
    const input = [noise(9000, 1), noise(9000, 2), noise(9000, 3)];
    const opts = { inRate: 44100, outRate: 48000, channels: 3 };
    const whole = resampleAll(opts, input, [9000]);
    const got = resampleAll(opts, input, randomChunks(100, 500, 99));
    for (let ch = 0; ch < 3; ch++) assert.deepEqual(got[ch], whole[ch]);
  });
});

describe('Resampler length law', () => {
  it('produces round(T · outRate / inRate) frames in total after flush', () => {
    const cases: [number, number, number][] = [
      [44100, 48000, 44100],
      [44100, 48000, 1],
      [44100, 48000, 3],
      [48000, 44100, 1000],
      [22050, 48000, 12345],
      [96000, 48000, 7],
      [48000, 8000, 5],
      [48000, 8000, 3], // 0.5 rounds up
      [48000, 8000, 2],
      [44056, 48000, 9999],
      [8000, 48000, 1],
      [44100, 48000, 0],
    ];
    for (const [inRate, outRate, frames] of cases) {
      const out = resampleAll({ inRate, outRate, channels: 1, quality: 'fast' }, [noise(frames, 3)], [1000]);
      const want = Math.floor((frames * outRate) / inRate + 0.5);
      assert.equal(out[0]!.length, want, `${inRate}→${outRate}, ${frames} frames`);
    }
  });

  it('predicts exactly what process and flush write', () => {
    const r = new Resampler({ inRate: 44100, outRate: 48000, channels: 1 });
    let total = 0;
    for (const n of randomChunks(40, 700, 5)) {
      const expect = r.outputFramesFor(n);
      const out = new Float32Array(expect);
      assert.equal(r.process([noise(n, n)], n, [out]), expect);
      total += n;
    }
    const tail = r.flushFrames();
    assert.equal(r.flush([new Float32Array(tail)]), tail);
  });
});

describe('Resampler accuracy', () => {
  it('keeps a 1 kHz sine at the right frequency and amplitude, 44100→48000', (t) => {
    const want = sine(1000, 48000, 48000);
    for (const quality of QUALITIES) {
      const out = resampleAll({ inRate: 44100, outRate: 48000, channels: 1, quality }, [sine(1000, 44100, 44100)])[0]!;
      assert.equal(out.length, 48000);
      const snr = snrDb(out, want, 500, 47500);
      t.diagnostic(`${quality}: 1 kHz SNR ${snr.toFixed(1)} dB`);
      const floor = { fast: 60, normal: 95, good: 110, high: 120 }[quality];
      assert.ok(snr > floor, `${quality}: SNR ${snr.toFixed(1)} dB <= ${floor} dB`);
    }
  });

  it('renders the chirp at 48000 time-aligned with the analytic chirp (zero lag)', (t) => {
    const seconds = 6;
    const input = render(2, 44100, 44100 * seconds) as Float32Array[];
    const out = resampleAll({ inRate: 44100, outRate: 48000, channels: 2 }, input, randomChunks(300, 2048, 42));
    const want = render(2, 48000, 48000 * seconds) as Float32Array[];
    assert.equal(out[0]!.length, want[0]!.length);
    for (let ch = 0; ch < 2; ch++) {
      const snr = snrDb(out[ch]!, want[ch]!, 300, want[ch]!.length - 300);
      t.diagnostic(`chirp channel ${ch}: SNR ${snr.toFixed(1)} dB`);
      assert.ok(snr > 80, `channel ${ch}: SNR ${snr.toFixed(1)} dB`);
      // The best integer lag is 0: a shifted comparison is far worse.
      for (const lag of [-2, -1, 1, 2]) {
        const shifted = want[ch]!.subarray(300 + lag, want[ch]!.length - 300 + lag);
        assert.ok(snrDb(out[ch]!.subarray(300, want[ch]!.length - 300), shifted, 0, shifted.length) < 30);
      }
    }
  });

  it('starts at time 0: early frames match the analytic signal once the pre-roll zeros leave the kernel', () => {
    // A tone that is 0 at t = 0 and has no energy before it; the first output frame must be 0 ± small.
    const out = resampleAll({ inRate: 44100, outRate: 48000, channels: 1 }, [sine(440, 44100, 4410)])[0]!;
    const want = sine(440, 48000, 4800);
    assert.ok(Math.abs(out[0]!) < 1e-3, `first frame ${out[0]}`);
    assert.ok(snrDb(out, want, 200, 4600) > 100);
  });

  it('attenuates a 20 kHz tone by more than 80 dB when going 44100→22050', (t) => {
    const out = resampleAll({ inRate: 44100, outRate: 22050, channels: 1 }, [sine(20000, 44100, 44100)])[0]!;
    assert.equal(out.length, 22050);
    const level = 20 * Math.log10(rms(out, 500, 21500) / (0.5 / Math.SQRT2));
    t.diagnostic(`20 kHz alias level: ${level.toFixed(1)} dB`);
    assert.ok(level < -80, `alias at ${level.toFixed(1)} dB`);
  });

  it('keeps tones accurate on the interpolated path (44056→48000) and on integer ratios', () => {
    for (const [inRate, outRate] of [
      [44056, 48000],
      [8000, 48000],
      [96000, 48000],
      [48000, 44100],
    ] as const) {
      const out = resampleAll({ inRate, outRate, channels: 1 }, [sine(1000, inRate, inRate)])[0]!;
      const snr = snrDb(out, sine(1000, outRate, outRate), 1000, outRate - 1000);
      assert.ok(snr > 110, `${inRate}→${outRate}: SNR ${snr.toFixed(1)} dB`);
    }
  });
});

describe('Resampler reset', () => {
  it('forgets history and phase: output after reset equals a fresh resampler', () => {
    const opts = { inRate: 44100, outRate: 48000, channels: 2, quality: 'good' as const };
    const a = [noise(5000, 11), noise(5000, 12)];
    const b = [noise(6000, 13), noise(6000, 14)];
    const r = new Resampler(opts);
    const scratch = [new Float32Array(r.outputFramesFor(5000)), new Float32Array(r.outputFramesFor(5000))];
    r.process(a, 3333, scratch); // leave it mid-stream, odd phase
    r.reset();
    const afterReset = runStream(r, b, [1000]);
    const fresh = resampleAll(opts, b, [1000]);
    assert.deepEqual(afterReset[0], fresh[0]);
    assert.deepEqual(afterReset[1], fresh[1]);
  });

  it('is ready for a new stream after flush', () => {
    const opts = { inRate: 22050, outRate: 48000, channels: 1 };
    const r = new Resampler(opts);
    const first = runStream(r, [noise(3000, 1)], [700]);
    const second = runStream(r, [noise(3000, 1)], [700]);
    assert.deepEqual(second[0], first[0]);
  });
});

describe('Resampler options', () => {
  it('rejects bad rates, channel counts and qualities with KitharaError unsupported', () => {
    const bad = [
      { inRate: 0, outRate: 48000, channels: 2 },
      { inRate: 44100.5, outRate: 48000, channels: 2 },
      { inRate: 44100, outRate: -1, channels: 2 },
      { inRate: 44100, outRate: 48000, channels: 0 },
      { inRate: 44100, outRate: 48000, channels: 2, quality: 'best' as ResamplerQuality },
    ];
    for (const opts of bad) {
      assert.throws(() => new Resampler(opts), (e: unknown) => e instanceof KitharaError && e.code === 'unsupported');
    }
  });

  it('reports its settings and zero delay', () => {
    const r = new Resampler({ inRate: 44100, outRate: 48000, channels: 2 });
    assert.equal(r.quality, 'high');
    assert.equal(r.delay, 0);
    assert.equal(r.inRate, 44100);
    assert.equal(r.outRate, 48000);
    assert.equal(r.channels, 2);
  });
});

describe('Resampler JavaScript path (no WebAssembly SIMD)', () => {
  before(() => setSimdEnabled(false));
  after(() => setSimdEnabled(true));

  it('gives bit-identical output for any chunk sizes, stereo and mono', () => {
    for (const channels of [1, 2, 3]) {
      const input = Array.from({ length: channels }, (_, c) => noise(8000, 20 + c));
      const opts = { inRate: 44100, outRate: 48000, channels, quality: 'good' as const };
      const whole = resampleAll(opts, input, [8000]);
      for (const chunks of [[1], [333], randomChunks(80, 400, 3)]) {
        const got = resampleAll(opts, input, chunks);
        for (let ch = 0; ch < channels; ch++) assert.deepEqual(got[ch], whole[ch]);
      }
    }
  });

  it('matches the SIMD path to float precision and the analytic chirp', () => {
    const input = render(2, 44100, 44100) as Float32Array[];
    const js = resampleAll({ inRate: 44100, outRate: 48000, channels: 2 }, input);
    setSimdEnabled(true);
    const simd = resampleAll({ inRate: 44100, outRate: 48000, channels: 2 }, input);
    setSimdEnabled(false);
    const want = render(2, 48000, 48000) as Float32Array[];
    for (let ch = 0; ch < 2; ch++) {
      assert.ok(snrDb(js[ch]!, simd[ch]!, 0, 48000) > 120);
      assert.ok(snrDb(js[ch]!, want[ch]!, 300, 47700) > 120);
    }
  });
});
