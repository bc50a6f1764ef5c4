// Measures each quality level's passband ripple, stopband attenuation and 1 kHz SNR, and checks the
// figures documented at the top of src/audio/resampler.ts. Run with --test-reporter=spec to see them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResamplerQuality } from '../../src/audio/resampler.js';
import { QUALITY_SPECS, cutoffFor } from '../../src/audio/resampler-kernels.js';
import { resampleAll, rms, sine, snrDb } from './resampler-helpers.js';

/** Least-squares gain of a tone of frequency `f` in `p` over [from, to). */
function toneGain(p: Float32Array, f: number, rate: number, from: number, to: number, amp: number): number {
  let ss = 0;
  let sc = 0;
  let s2 = 0;
  let c2 = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * f * i) / rate);
    const c = Math.cos((2 * Math.PI * f * i) / rate);
    ss += p[i]! * s;
    sc += p[i]! * c;
    s2 += s * s;
    c2 += c * c;
  }
  return Math.hypot(ss / s2, sc / c2) / amp;
}

/** Floors each level must meet: [passband ripple dB, stopband attenuation dB, 1 kHz SNR dB]. */
const FLOORS: Record<ResamplerQuality, [number, number, number]> = {
  fast: [0.05, 55, 60],
  normal: [0.001, 85, 95],
  good: [0.0001, 105, 110],
  high: [0.0001, 120, 120],
};

describe('Resampler quality levels', () => {
  for (const quality of Object.keys(FLOORS) as ResamplerQuality[]) {
    it(`${quality}: passband flat, stopband deep, 1 kHz clean`, (t) => {
      const [maxRipple, minAtten, minSnr] = FLOORS[quality];
      // Passband: 44100→48000, tones up to the passband edge.
      const spec = QUALITY_SPECS[quality];
      const edge = (2 * cutoffFor(spec, 1) - 1) * 22050; // cutoff minus half the transition
      let ripple = 0;
      for (let k = 1; k <= 12; k++) {
        const f = Math.round((edge * k) / 12);
        const out = resampleAll({ inRate: 44100, outRate: 48000, channels: 1, quality }, [sine(f, 44100, 22050)])[0]!;
        const gain = toneGain(out, f, 48000, 2000, 22000, 0.5);
        ripple = Math.max(ripple, Math.abs(20 * Math.log10(gain)));
      }
      // Stopband: 44100→22050, tones from the output Nyquist up; whatever comes out is alias.
      let worst = -Infinity;
      for (let f = 11025; f <= 22000; f += 997) {
        const out = resampleAll({ inRate: 44100, outRate: 22050, channels: 1, quality }, [sine(f, 44100, 22050)])[0]!;
        worst = Math.max(worst, 20 * Math.log10(rms(out, 1000, 10000) / (0.5 / Math.SQRT2)));
      }
      const snr = snrDb(
        resampleAll({ inRate: 44100, outRate: 48000, channels: 1, quality }, [sine(1000, 44100, 44100)])[0]!,
        sine(1000, 48000, 48000),
        1000,
        47000,
      );
      t.diagnostic(
        `${quality}: passband edge ${(edge / 22050).toFixed(3)} of Nyquist (${edge.toFixed(0)} Hz at 44.1k), ` +
          `ripple ±${ripple.toExponential(1)} dB, stopband ${(-worst).toFixed(1)} dB, 1 kHz SNR ${snr.toFixed(1)} dB`,
      );
      assert.ok(ripple < maxRipple, `ripple ${ripple} dB`);
      assert.ok(-worst > minAtten, `stopband ${-worst} dB`);
      assert.ok(snr > minSnr, `SNR ${snr} dB`);
    });
  }
});
