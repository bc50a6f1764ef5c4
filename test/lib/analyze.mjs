// Signal analysis against the position-coded chirp of fixtures/signal.mjs.
//
// The chirp's content encodes time, so a block of decoded output can be matched against the
// analytic reference sample(ch, t) to find *when* it is: a lost or duplicated frame, a wrong
// seek target, swapped channels or a wrong rate all show up as a wrong or jumping time, or as a
// poor match. Plain ESM with no Node imports, so node:test files, Playwright specs (Node side)
// and pages can all import it. Conventions used throughout:
//
//   planes    Float32Array[] (or any numeric arrays), one per output channel, equal lengths.
//   rate      the output's sample rate, Hz.
//   t, t0     signal time in seconds (the chirp's own clock; fixture frame n is at n / rate).
//   channelMap  planes[c] is compared with reference channel channelMap[c]. Defaults to
//             [0, 1, ...]: mono output compares with channel 0 (the left chirp).
//
// Types are in analyze.d.mts.

import { sample } from '../../fixtures/signal.mjs';
import { addCrossCorrelationDirect, addCrossCorrelationFft } from './xcorr.mjs';

// Re-exported so TypeScript tests get the signal with types (see analyze.d.mts).
export { SWEEPS, cycles, frequency, quantize, render, sample } from '../../fixtures/signal.mjs';

/** SNR reported for a block that matches the reference exactly, in dB. */
export const MAX_SNR_DB = 200;

/**
 * Splits interleaved samples into planes.
 * @param {ArrayLike<number>} interleaved frame-major samples (L R L R ...)
 * @param {number} channels
 * @returns {Float32Array[]}
 */
export function deinterleave(interleaved, channels) {
  const frames = Math.floor(interleaved.length / channels);
  const planes = [];
  for (let c = 0; c < channels; c++) {
    const p = new Float32Array(frames);
    for (let i = 0; i < frames; i++) p[i] = interleaved[i * channels + c];
    planes.push(p);
  }
  return planes;
}

/**
 * The exact samples a lossless decode of a fixture holds: quantize(sample(ch, n / rate), bits)
 * scaled to [-1, 1) the way decoders convert integers to float (x / 2^(bits-1)), or
 * Math.fround(sample()) for bits 'f32'.
 * @param {number} channels
 * @param {number} rate
 * @param {number} frames
 * @param {{ startFrame?: number, bits?: number | 'f32' }} [options] startFrame defaults to 0, bits to 16.
 * @returns {Float32Array[]}
 */
export function expectedPcm(channels, rate, frames, { startFrame = 0, bits = 16 } = {}) {
  const planes = [];
  for (let c = 0; c < channels; c++) {
    const p = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      const x = sample(c, (startFrame + i) / rate);
      if (bits === 'f32') p[i] = x;
      else {
        const max = 2 ** (bits - 1);
        p[i] = Math.max(-max, Math.min(max - 1, Math.round(x * max))) / max;
      }
    }
    planes.push(p);
  }
  return planes;
}

/**
 * Finds the signal time of an output block. The block planes[c][start, start + windowFrames) is
 * correlated (normalized cross-correlation over all channels jointly) with the analytic
 * reference at every lag on a one-frame grid within ±searchMs of tExpected; the best lag is then
 * refined below one frame by parabolic fits (first on the grid, then on the analytic reference
 * evaluated at fractional offsets).
 *
 * @param {ArrayLike<number>[]} planes
 * @param {number} rate
 * @param {number} tExpected the time planes[*][start] is believed to be at
 * @param {{ searchMs?: number, windowFrames?: number, start?: number, channelMap?: number[], tieTolerance?: number }} [options]
 *   searchMs defaults to 50, windowFrames to 4096 (clipped to what is there), start to 0.
 *   tieTolerance (default 0): among local maxima whose correlation is within this of the best,
 *   take the one nearest tExpected. Near the chirp's turning points the signal is almost
 *   periodic, so a distorted (e.g. time-stretched) block can match a few periods away slightly
 *   better than at its true time; tracking callers pass a small tolerance.
 * @returns {{ t: number, lagFrames: number, lagMs: number, corr: number, atEdge: boolean }}
 *   t: matched time of planes[*][start]; lagFrames/lagMs: t - tExpected in output frames / ms;
 *   corr: normalized correlation at t (1 = identical shape); atEdge: the best lag lies on the
 *   edge of the search range (the true time is probably outside it).
 */
export function alignTo(planes, rate, tExpected, { searchMs = 50, windowFrames = 4096, start = 0, channelMap, tieTolerance = 0 } = {}) {
  const map = mapOf(planes, channelMap);
  const W = Math.min(windowFrames, planes[0].length - start);
  if (!(W >= 16)) throw new RangeError(`alignTo: need at least 16 frames from ${start}, have ${W}`);
  const S = Math.max(1, Math.ceil((searchMs / 1000) * rate));
  const R = W + 2 * S; // reference frames: lags 0..2S cover tExpected - S/rate .. + S/rate
  const tRef0 = tExpected - S / rate;

  const xcorr = new Float64Array(2 * S + 1);
  const refEnergy = new Float64Array(2 * S + 1);
  let xEnergy = 0;
  const useFft = (2 * S + 1) * W > 4e6;
  for (let c = 0; c < planes.length; c++) {
    const x = new Float64Array(W);
    for (let i = 0; i < W; i++) {
      x[i] = planes[c][start + i];
      xEnergy += x[i] * x[i];
    }
    const ref = new Float64Array(R);
    for (let k = 0; k < R; k++) ref[k] = sample(map[c], tRef0 + k / rate);
    // Energy of ref[L, L + W) for every lag, by a running sum.
    let e = 0;
    for (let k = 0; k < W; k++) e += ref[k] * ref[k];
    for (let L = 0; L <= 2 * S; L++) {
      refEnergy[L] += e;
      e += ref[L + W] ** 2 - ref[L] ** 2;
    }
    if (useFft) addCrossCorrelationFft(x, ref, xcorr);
    else addCrossCorrelationDirect(x, ref, xcorr);
  }
  const ncc = new Float64Array(2 * S + 1);
  let best = 0;
  for (let L = 0; L <= 2 * S; L++) {
    const den = Math.sqrt(xEnergy * refEnergy[L]);
    ncc[L] = den > 0 ? xcorr[L] / den : 0;
    if (ncc[L] > ncc[best]) best = L;
  }
  if (tieTolerance > 0) {
    const floor = ncc[best] - tieTolerance;
    for (let L = 1; L < 2 * S; L++) {
      const isPeak = ncc[L] >= floor && ncc[L] >= ncc[L - 1] && ncc[L] >= ncc[L + 1];
      if (isPeak && Math.abs(L - S) < Math.abs(best - S)) best = L;
    }
  }
  const atEdge = best === 0 || best === 2 * S;
  let lag = best + (atEdge ? 0 : parabolicOffset(ncc[best - 1], ncc[best], ncc[best + 1]));

  // Sub-frame refinement on the analytic reference.
  let corr = ncc[best];
  if (!atEdge) {
    for (const h of [0.25, 0.04]) {
      const at = (l) => nccAt(planes, map, start, W, tRef0 + l / rate, rate);
      const [a, b, c] = [at(lag - h), at(lag), at(lag + h)];
      const step = parabolicOffset(a, b, c) * h;
      lag += step;
      corr = Math.max(b, at(lag));
    }
  }
  const t = tRef0 + lag / rate;
  const lagFrames = (t - tExpected) * rate;
  return { t, lagFrames, lagMs: (lagFrames / rate) * 1000, corr, atEdge };
}

/**
 * Per-block SNR of the output against the reference aligned at t0 (planes[*][start] is at t0).
 * Unless `gain` is given, one global gain is fitted over the whole range by least squares (codecs
 * preserve amplitude, so it should be close to 1; it is reported); each block's SNR is
 * 10·log10(Σ(g·ref)² / Σ(x − g·ref)²), capped at MAX_SNR_DB.
 *
 * @param {ArrayLike<number>[]} planes
 * @param {number} rate
 * @param {number} t0
 * @param {{ blockFrames?: number, start?: number, frames?: number, channelMap?: number[], gain?: number }} [options]
 *   blockFrames defaults to 1024, start to 0, frames to everything after start, gain to the
 *   least-squares fit.
 * @returns {{ snr: Float64Array, gain: number, overall: number, min: number, median: number, worstBlockIndex: number }}
 *   snr[b] covers frames [start + b·blockFrames, ...); the last block may be shorter.
 */
export function blockSnr(planes, rate, t0, { blockFrames = 1024, start = 0, frames, channelMap, gain: fixedGain } = {}) {
  const map = mapOf(planes, channelMap);
  const n = Math.min(frames ?? Infinity, planes[0].length - start);
  if (!(n > 0)) throw new RangeError(`blockSnr: no frames after ${start}`);
  const refs = planes.map((_, c) => {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = sample(map[c], t0 + i / rate);
    return r;
  });
  let gain = fixedGain ?? 1;
  if (fixedGain === undefined) {
    let xr = 0;
    let rr = 0;
    for (let c = 0; c < planes.length; c++) {
      for (let i = 0; i < n; i++) {
        xr += planes[c][start + i] * refs[c][i];
        rr += refs[c][i] * refs[c][i];
      }
    }
    gain = rr > 0 ? xr / rr : 1;
  }
  const blocks = Math.ceil(n / blockFrames);
  const snr = new Float64Array(blocks);
  let totalSig = 0;
  let totalErr = 0;
  for (let b = 0; b < blocks; b++) {
    let sig = 0;
    let err = 0;
    const end = Math.min(n, (b + 1) * blockFrames);
    for (let c = 0; c < planes.length; c++) {
      for (let i = b * blockFrames; i < end; i++) {
        const r = gain * refs[c][i];
        const d = planes[c][start + i] - r;
        sig += r * r;
        err += d * d;
      }
    }
    snr[b] = toDb(sig, err);
    totalSig += sig;
    totalErr += err;
  }
  const { min, median, worst } = stats(snr);
  return { snr, gain, overall: toDb(totalSig, totalErr), min, median, worstBlockIndex: worst };
}

/**
 * Walks the output in blocks and re-aligns each block within ±searchMs of where the previous
 * block said the signal is (tracking). If a block matches poorly (corr < minCorr), it searches
 * again within ±rescueMs, so a gap of a few frames to a few hundred ms is measured, not just
 * detected. Per-block lag = matched time − (t0 + offset/rate), in output frames: a lost frame is
 * a +1 jump, a duplicated frame a −1 jump, a wrong rate a growing drift, swapped channels a low
 * correlation everywhere.
 *
 * @param {ArrayLike<number>[]} planes
 * @param {number} rate
 * @param {number} t0 time of planes[*][start]
 * @param {{ blockFrames?: number, start?: number, frames?: number, channelMap?: number[],
 *   searchMs?: number, rescueMs?: number, maxDriftFrames?: number, minSnrDb?: number,
 *   minCorr?: number, gain?: number }} [options]
 *   Defaults: blockFrames 2048, start 0, frames all, searchMs 2, rescueMs 250, maxDriftFrames 1,
 *   minSnrDb 15, minCorr 0.9, gain: one least-squares fit over all aligned blocks (the SNR
 *   reference is gain · sample(); LAME CBR/ABR scales its output by 0.95 at 128 kbit/s).
 *   ok = drift <= maxDriftFrames && minSnr >= minSnrDb && minCorr >= minCorr && no jumps.
 * @returns {{ ok: boolean, drift: number, minSnr: number, minCorr: number, gain: number,
 *   worst: { block: number, frame: number, t: number, lagFrames: number, corr: number, snr: number } | null,
 *   jumps: { block: number, frame: number, deltaFrames: number }[],
 *   blocks: { frame: number, t: number, lagFrames: number, corr: number, snr: number }[] }}
 *   drift: the largest |lag| in frames; worst: the block with the lowest SNR; jumps: net lag
 *   changes of more than half a frame across a run of moving blocks (frame = first output frame
 *   of the run's first block; a block straddling the fault has an in-between lag).
 */
export function checkContinuity(planes, rate, t0, opts = {}) {
  const {
    blockFrames = 2048,
    start = 0,
    frames,
    channelMap,
    searchMs = 2,
    rescueMs = 250,
    maxDriftFrames = 1,
    minSnrDb = 15,
    minCorr: corrThreshold = 0.9,
    gain: fixedGain,
  } = opts;
  const n = Math.min(frames ?? Infinity, planes[0].length - start);
  const map = mapOf(planes, channelMap);
  const blocks = [];
  const jumps = [];
  const sums = []; // per block: [x·r, x·x, r·r] at the aligned time
  let prevLag = 0;
  for (let b = 0; (b + 1) * blockFrames <= n; b++) {
    const frame = start + b * blockFrames;
    const nominal = t0 + (b * blockFrames) / rate;
    const o = { windowFrames: blockFrames, start: frame, channelMap: map };
    let a = alignTo(planes, rate, nominal + prevLag / rate, { ...o, searchMs, tieTolerance: 0.02 });
    if ((a.corr < corrThreshold || a.atEdge) && rescueMs > searchMs) {
      const wide = alignTo(planes, rate, nominal + prevLag / rate, { ...o, searchMs: rescueMs });
      if (wide.corr > a.corr) a = wide;
    }
    const lagFrames = (a.t - nominal) * rate;
    blocks.push({ frame, t: a.t, lagFrames, corr: a.corr, snr: 0 });
    sums.push(blockSums(planes, map, frame, blockFrames, a.t, rate));
    prevLag = lagFrames;
  }
  // Jumps: runs of blocks whose lag moves by more than 0.1 frame from the previous block form one
  // event (a block straddling a lost frame has an in-between lag); an event whose net change
  // exceeds half a frame is a jump, placed at its first block.
  for (let b = 1; b < blocks.length; ) {
    if (Math.abs(blocks[b].lagFrames - blocks[b - 1].lagFrames) <= 0.1) {
      b++;
      continue;
    }
    const first = b;
    while (b < blocks.length && Math.abs(blocks[b].lagFrames - blocks[b - 1].lagFrames) > 0.1) b++;
    const deltaFrames = blocks[b - 1].lagFrames - blocks[first - 1].lagFrames;
    if (Math.abs(deltaFrames) > 0.5) jumps.push({ block: first, frame: blocks[first].frame, deltaFrames });
  }
  let gain = fixedGain;
  if (gain === undefined) {
    let xr = 0;
    let rr = 0;
    for (const s of sums) {
      xr += s[0];
      rr += s[2];
    }
    gain = rr > 0 ? xr / rr : 1;
  }
  blocks.forEach((blk, i) => {
    const [xr, xx, rr] = sums[i];
    blk.snr = toDb(gain * gain * rr, Math.max(0, xx - 2 * gain * xr + gain * gain * rr));
  });
  if (blocks.length === 0) throw new RangeError(`checkContinuity: fewer than ${blockFrames} frames after ${start}`);
  let drift = 0;
  let minSnr = Infinity;
  let minCorr = Infinity;
  let worst = null;
  blocks.forEach((blk, i) => {
    drift = Math.max(drift, Math.abs(blk.lagFrames));
    minCorr = Math.min(minCorr, blk.corr);
    if (blk.snr < minSnr) {
      minSnr = blk.snr;
      worst = { block: i, ...blk };
    }
  });
  const ok = drift <= maxDriftFrames && minSnr >= minSnrDb && minCorr >= corrThreshold && jumps.length === 0;
  return { ok, drift, minSnr, minCorr, gain, worst, jumps, blocks };
}

/**
 * The first frame where any channel's magnitude exceeds `threshold`, or -1.
 * @param {ArrayLike<number>[]} planes
 * @param {number} [threshold] defaults to 1e-3
 */
export function firstNonSilent(planes, threshold = 1e-3) {
  const n = planes[0]?.length ?? 0;
  for (let i = 0; i < n; i++) {
    for (const p of planes) if (Math.abs(p[i]) > threshold) return i;
  }
  return -1;
}

/**
 * Sample-exact comparison for lossless paths. Accepts two flat arrays or two lists of planes.
 * Lengths (and channel counts) must match for `equal`.
 * @param {ArrayLike<number> | ArrayLike<number>[]} a
 * @param {ArrayLike<number> | ArrayLike<number>[]} b
 * @param {{ tolerance?: number }} [options] differences up to tolerance count as equal; defaults to 0.
 * @returns {{ equal: boolean, firstDiff: number, channel: number, maxAbsDiff: number, diffCount: number }}
 *   firstDiff: first differing index (frame, for planes; the shorter length if one is a prefix of
 *   the other), -1 when equal; channel: its plane, or -1.
 */
export function exactCompare(a, b, { tolerance = 0 } = {}) {
  const pa = isPlanes(a) ? a : [a];
  const pb = isPlanes(b) ? b : [b];
  let firstDiff = -1;
  let channel = -1;
  let maxAbsDiff = 0;
  let diffCount = 0;
  let equal = pa.length === pb.length;
  for (let c = 0; c < Math.min(pa.length, pb.length); c++) {
    const x = pa[c];
    const y = pb[c];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (d > tolerance || Number.isNaN(d)) {
        diffCount++;
        if (firstDiff < 0 || i < firstDiff) {
          firstDiff = i;
          channel = c;
        }
      }
      if (d > maxAbsDiff) maxAbsDiff = d;
    }
    if (x.length !== y.length) {
      equal = false;
      if (firstDiff < 0 || n < firstDiff) {
        firstDiff = n;
        channel = c;
      }
    }
  }
  if (diffCount > 0) equal = false;
  if (equal) {
    firstDiff = -1;
    channel = -1;
  }
  return { equal, firstDiff, channel, maxAbsDiff, diffCount };
}

// ---------------------------------------------------------------------------------------------

function mapOf(planes, channelMap) {
  if (!planes.length) throw new RangeError('no planes');
  const map = channelMap ?? planes.map((_, c) => c);
  if (map.length !== planes.length) throw new RangeError(`channelMap has ${map.length} entries for ${planes.length} planes`);
  return map;
}

function isPlanes(v) {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object';
}

function toDb(sig, err) {
  if (err <= 0) return MAX_SNR_DB;
  if (sig <= 0) return -MAX_SNR_DB;
  return Math.min(MAX_SNR_DB, 10 * Math.log10(sig / err));
}

function stats(values) {
  let min = Infinity;
  let worst = -1;
  values.forEach((v, i) => {
    if (v < min) {
      min = v;
      worst = i;
    }
  });
  const sorted = Float64Array.from(values).sort();
  const m = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  return { min, median, worst };
}

/** Vertex offset of the parabola through (-1, a), (0, b), (1, c), clamped to ±0.5. */
function parabolicOffset(a, b, c) {
  const den = a - 2 * b + c;
  if (!(den < 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
}

/** [Σ x·r, Σ x·x, Σ r·r] of the block against the reference starting at time t. */
function blockSums(planes, map, start, W, t, rate) {
  let xr = 0;
  let xx = 0;
  let rr = 0;
  for (let c = 0; c < planes.length; c++) {
    const p = planes[c];
    for (let i = 0; i < W; i++) {
      const x = p[start + i];
      const r = sample(map[c], t + i / rate);
      xr += x * r;
      xx += x * x;
      rr += r * r;
    }
  }
  return [xr, xx, rr];
}

/** Normalized correlation of the block with the analytic reference starting at time t. */
function nccAt(planes, map, start, W, t, rate) {
  const [xr, xx, rr] = blockSums(planes, map, start, W, t, rate);
  return xx > 0 && rr > 0 ? xr / Math.sqrt(xx * rr) : 0;
}
