import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alignTo,
  blockSnr,
  checkContinuity,
  deinterleave,
  exactCompare,
  expectedPcm,
  firstNonSilent,
  quantize,
  render,
  sample,
} from './analyze.mjs';
import { ffmpeg, ffmpegDecode } from './ffmpeg.mjs';

/** Removes frames [at, at + n) from every plane. */
function cut(planes: Float32Array[], at: number, n: number): Float32Array[] {
  return planes.map((p) => {
    const out = new Float32Array(p.length - n);
    out.set(p.subarray(0, at));
    out.set(p.subarray(at + n), at);
    return out;
  });
}

/** Repeats frame `at` once in every plane. */
function duplicate(planes: Float32Array[], at: number): Float32Array[] {
  return planes.map((p) => {
    const out = new Float32Array(p.length + 1);
    out.set(p.subarray(0, at + 1));
    out.set(p.subarray(at), at + 1);
    return out;
  });
}

/** Adds seeded Gaussian noise of standard deviation sigma. */
function withNoise(planes: Float32Array[], sigma: number, seed = 1): Float32Array[] {
  let s = seed;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return planes.map((p) =>
    p.map((x) => x + sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())),
  );
}

describe('deinterleave and expectedPcm', () => {
  it('splits interleaved frames into planes', () => {
    const planes = deinterleave(new Float32Array([1, -1, 2, -2, 3, -3]), 2);
    assert.deepEqual(planes.map((p) => Array.from(p)), [[1, 2, 3], [-1, -2, -3]]);
  });

  it('expects lossless decodes to hold quantize(sample) / 2^(bits-1)', () => {
    const [left, right] = expectedPcm(2, 44100, 500, { startFrame: 1000, bits: 16 });
    for (let i = 0; i < 500; i++) {
      assert.equal(left![i]! * 32768, quantize(sample(0, (1000 + i) / 44100), 16));
      assert.equal(right![i]! * 32768, quantize(sample(1, (1000 + i) / 44100), 16));
    }
  });
});

describe('alignTo', () => {
  it('finds a sub-frame start time exactly (within 1/100 frame)', () => {
    const planes = render(2, 48000, 8192, 2.3456); // 2.3456 s is frame 112588.8: not on the grid
    const a = alignTo(planes, 48000, 2.3456 + 0.013, { searchMs: 50 });
    assert.ok(Math.abs(a.t - 2.3456) * 48000 < 0.01, `t = ${a.t}`);
    assert.ok(Math.abs(a.lagFrames + 0.013 * 48000) < 0.01, `lagFrames = ${a.lagFrames}`);
    assert.ok(a.corr > 0.99999, `corr ${a.corr}`);
    assert.equal(a.atEdge, false);
  });

  it('matches the block at `start` and agrees between the direct and FFT searches', () => {
    const planes = render(2, 44100, 20000, 1.2);
    const near = alignTo(planes, 44100, 1.2 + 5000 / 44100, { start: 5000, searchMs: 5 });
    const wide = alignTo(planes, 44100, 1.2 + 5000 / 44100 - 0.2, { start: 5000, searchMs: 400 }); // FFT path
    for (const a of [near, wide]) assert.ok(Math.abs(a.t - (1.2 + 5000 / 44100)) * 44100 < 0.01, `t = ${a.t}`);
  });

  it('compares mono output with the left channel', () => {
    const [left] = render(2, 22050, 4096, 0.7);
    const a = alignTo([left!], 22050, 0.69, { searchMs: 20 });
    assert.ok(Math.abs(a.t - 0.7) * 22050 < 0.01, `t ${a.t}`);
  });

  it('sees swapped channels as a poor match unless told the channel map', () => {
    const [l, r] = render(2, 48000, 4096, 3.1);
    const swapped = alignTo([r!, l!], 48000, 3.1, { searchMs: 10 });
    assert.ok(swapped.corr < 0.5, `corr ${swapped.corr}`);
    const mapped = alignTo([r!, l!], 48000, 3.1, { searchMs: 10, channelMap: [1, 0] });
    assert.ok(mapped.corr > 0.99999, `corr ${mapped.corr}`);
  });

  it('matches poorly when the true time lies outside the search range', () => {
    const planes = render(2, 44100, 4096, 1.0);
    const a = alignTo(planes, 44100, 1.05, { searchMs: 10 });
    assert.ok(a.corr < 0.5, `corr ${a.corr}`);
  });
});

describe('blockSnr', () => {
  it('is very high for the clean signal, with a gain of 1', () => {
    const planes = render(2, 44100, 44100, 0.5);
    const s = blockSnr(planes, 44100, 0.5);
    assert.ok(s.min > 120, `min ${s.min}`);
    assert.ok(Math.abs(s.gain - 1) < 1e-6, `gain ${s.gain}`);
    assert.equal(s.snr.length, Math.ceil(44100 / 1024));
  });

  it('measures added noise at its true level', () => {
    const rate = 44100;
    const clean = render(2, rate, rate * 2, 0);
    // Mean signal power per frame: sum over channels of amp^2 / 2; noise for 30 dB:
    const power = 0.5 ** 2 / 2 + 0.35 ** 2 / 2;
    const sigma = Math.sqrt(power / 1000 / 2);
    const s = blockSnr(withNoise(clean, sigma), rate, 0);
    assert.ok(Math.abs(s.median - 30) < 1.5, `median ${s.median}`);
    assert.ok(Math.abs(s.overall - 30) < 0.5, `overall ${s.overall}`);
    assert.ok(s.min < s.median, 'blocks vary');
  });

  it('fits and reports a global gain; a fixed gain of 1 exposes it', () => {
    const scaled = render(2, 44100, 20000, 0).map((p) => p.map((x) => 0.95 * x));
    const fitted = blockSnr(scaled, 44100, 0);
    assert.ok(Math.abs(fitted.gain - 0.95) < 1e-6, `gain ${fitted.gain}`);
    assert.ok(fitted.min > 100, `min ${fitted.min}`);
    const fixed = blockSnr(scaled, 44100, 0, { gain: 1 });
    assert.ok(Math.abs(fixed.median - 20 * Math.log10(1 / 0.05)) < 0.1, `median ${fixed.median}`);
  });

  it('points at the block that was damaged', () => {
    const planes = render(2, 44100, 20 * 1024, 0);
    for (const p of planes) for (let i = 7 * 1024 + 100; i < 7 * 1024 + 110; i++) p[i] = 0; // a click
    const s = blockSnr(planes, 44100, 0);
    assert.equal(s.worstBlockIndex, 7);
    assert.ok(s.min < 30 && s.median > 60, `min ${s.min}, median ${s.median}`);
  });
});

describe('checkContinuity', () => {
  const rate = 44100;
  const clean = render(2, rate, rate * 3, 0);

  it('passes a clean signal with no drift and no jumps', () => {
    const c = checkContinuity(clean, rate, 0);
    assert.equal(c.ok, true);
    assert.ok(c.drift < 0.01, `drift ${c.drift}`);
    assert.deepEqual(c.jumps, []);
    assert.ok(c.minSnr > 100, `minSnr ${c.minSnr}`);
  });

  it('detects and measures a 1152-frame gap in the middle', () => {
    const gapAt = 66150;
    const c = checkContinuity(cut(clean, gapAt, 1152), rate, 0);
    assert.equal(c.ok, false);
    assert.equal(c.jumps.length, 1);
    const [jump] = c.jumps;
    assert.ok(Math.abs(jump!.deltaFrames - 1152) < 0.5, `delta ${jump!.deltaFrames}`);
    assert.ok(jump!.frame > gapAt - 2048 && jump!.frame <= gapAt + 2048, `jump at ${jump!.frame}`);
    assert.ok(Math.abs(c.drift - 1152) < 0.5, `drift ${c.drift}`);
  });

  it('sees one lost frame as +1 and one duplicated frame as -1', () => {
    const lost = checkContinuity(cut(clean, 50000, 1), rate, 0);
    assert.equal(lost.ok, false);
    assert.equal(lost.jumps.length, 1);
    assert.ok(Math.abs(lost.jumps[0]!.deltaFrames - 1) < 0.1, `delta ${lost.jumps[0]!.deltaFrames}`);
    assert.ok(Math.abs(lost.jumps[0]!.frame - 50000) <= 2048, `at ${lost.jumps[0]!.frame}`);
    const doubled = checkContinuity(duplicate(clean, 50000), rate, 0);
    assert.equal(doubled.ok, false);
    assert.equal(doubled.jumps.length, 1);
    assert.ok(Math.abs(doubled.jumps[0]!.deltaFrames + 1) < 0.1, `delta ${doubled.jumps[0]!.deltaFrames}`);
  });

  it('fails swapped channels through low correlation', () => {
    const c = checkContinuity([clean[1]!, clean[0]!], rate, 0);
    assert.equal(c.ok, false);
    assert.ok(c.minCorr < 0.5, `minCorr ${c.minCorr}`);
  });

  it('fails a 44100-as-48000 rate error, and shows a small rate error as growing drift', () => {
    const wrong = checkContinuity(clean, 48000, 0);
    assert.equal(wrong.ok, false);
    assert.ok(wrong.minCorr < 0.9, `minCorr ${wrong.minCorr}`);
    // 0.1% fast: the lag grows by about one frame per 1000.
    const slight = checkContinuity(clean, rate * 1.001, 0);
    assert.equal(slight.ok, false);
    const lags = slight.blocks.map((b) => b.lagFrames);
    assert.ok(Math.abs(lags.at(-1)!) > 100, `last lag ${lags.at(-1)}`);
    for (let i = 1; i < lags.length; i++) {
      assert.ok(lags[i]! > lags[i - 1]!, `lag ${lags[i]} after ${lags[i - 1]} at block ${i}`);
    }
  });

  it('measures a wrong start time as a constant lag', () => {
    const c = checkContinuity(clean, rate, 0.01);
    assert.equal(c.ok, false);
    assert.ok(Math.abs(c.drift - 441) < 0.5, `drift ${c.drift}`);
    assert.deepEqual(c.jumps, []);
  });
});

describe('firstNonSilent and exactCompare', () => {
  it('finds the first frame above the threshold', () => {
    const signal = render(2, 44100, 1000, 0.1);
    assert.ok(Math.abs(signal[0]![0]!) > 1e-3 || Math.abs(signal[1]![0]!) > 1e-3, 'the first frame is audible');
    const padded = signal.map((p) => {
      const out = new Float32Array(1500);
      out.set(p, 500);
      return out;
    });
    assert.equal(firstNonSilent(padded), 500);
    assert.equal(firstNonSilent([new Float32Array(100)]), -1);
  });

  it('reports the first difference, the largest difference and length mismatches', () => {
    const a = render(2, 44100, 1000, 0);
    const b = a.map((p) => p.slice());
    assert.deepEqual(exactCompare(a, b), { equal: true, firstDiff: -1, channel: -1, maxAbsDiff: 0, diffCount: 0 });
    b[1]![700] = b[1]![700]! + 0.25;
    b[0]![900] = b[0]![900]! - 1e-6;
    const r = exactCompare(a, b);
    assert.equal(r.equal, false);
    assert.equal(r.firstDiff, 700);
    assert.equal(r.channel, 1);
    assert.equal(r.diffCount, 2);
    assert.ok(Math.abs(r.maxAbsDiff - 0.25) < 1e-6, `maxAbsDiff ${r.maxAbsDiff}`);
    assert.equal(exactCompare(a[0]!, a[0]!.subarray(0, 999)).firstDiff, 999);
    assert.equal(exactCompare(a[0]!, b[0]!, { tolerance: 1e-5 }).equal, true);
  });
});

describe('through real codecs (ffmpeg encode and decode)', () => {
  let dir = '';
  const rate = 44100;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kithara-analyze-'));
    const planes = render(2, rate, rate * 4, 0);
    const interleaved = new Float32Array(planes[0]!.length * 2);
    planes[0]!.forEach((x, i) => {
      interleaved[2 * i] = x;
      interleaved[2 * i + 1] = planes[1]![i]!;
    });
    writeFileSync(join(dir, 'master.f32'), interleaved);
    const input = ['-f', 'f32le', '-ar', String(rate), '-ac', '2', '-i', join(dir, 'master.f32')];
    ffmpeg([...input, '-c:a', 'libmp3lame', '-b:a', '160k', join(dir, 'lame.mp3')]); // LAME tag: trimmed
    ffmpeg([...input, '-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', join(dir, 'edts.m4a')]); // edts: trimmed
    ffmpeg([...input, '-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '128k', '-f', 'adts', join(dir, 'raw.aac')]); // not trimmed
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [file, lead] of [['lame.mp3', 0], ['edts.m4a', 0], ['raw.aac', 1024]] as const) {
    it(`finds ${file} at the position its container implies (${lead} leading frames) and measures it`, () => {
      const d = ffmpegDecode(join(dir, file));
      const a = alignTo(d.planes, d.rate, 1.0, { start: rate, searchMs: 100 });
      assert.ok(Math.abs(-a.lagFrames - lead) < 0.5, `${file}: ${-a.lagFrames} leading frames`);
      assert.ok(a.corr > 0.999, `corr ${a.corr}`);
      const t0 = a.t - 1.0; // signal time of output frame 0
      const s = blockSnr(d.planes, rate, 0, { start: lead, frames: rate * 3 });
      assert.ok(s.median > 30, `${file}: median SNR ${s.median}`);
      const c = checkContinuity(d.planes, rate, t0 + lead / rate, { start: lead, frames: rate * 3, minSnrDb: 25 });
      assert.ok(c.ok, `${file}: ${JSON.stringify({ drift: c.drift, minSnr: c.minSnr, jumps: c.jumps })}`);
    });
  }
});
