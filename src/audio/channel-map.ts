/**
 * Channel mapping (up-mix and down-mix) and interleave/deinterleave for planar Float32 audio.
 *
 * Channel order is the WebAudio / WAV / WebCodecs order:
 *
 * | channels | order |
 * |---|---|
 * | 1 | M |
 * | 2 | L R |
 * | 3 | L R C |
 * | 4 | L R SL SR (quad) |
 * | 5 | L R C SL SR |
 * | 6 | L R C LFE SL SR (5.1) |
 * | 8 | L R C LFE BL BR SL SR (7.1, the WAV/FFmpeg order) |
 *
 * The mixing rules are the WebAudio "speakers" rules where the spec has one (mono, stereo, quad,
 * 5.1) and their natural ITU-R BS.775 extension elsewhere. The LFE channel is dropped in down-mixes.
 * There is no normalization, exactly as in WebAudio, so a loud multichannel down-mix can exceed
 * ±1. Any pair without a rule is mapped "discretely": the first channels are copied and the rest of
 * the output is zero-filled.
 *
 * All functions write into caller-owned arrays and allocate nothing.
 *
 * @module
 */

import { assert } from '../platform/errors.js';

const H = Math.SQRT1_2;

/**
 * Maps `frames` frames of `inPlanes` (its length is the input channel count) to `outChannels`
 * planes in `out`. Output planes must not alias input planes, except `out[i] === inPlanes[i]` when
 * the counts are equal and `out[0] === inPlanes[0]` for 1 → 2.
 *
 * Rules (out ← in):
 * - same count: copy.
 * - 1 → 2: L = R = M. 1 → 4: L = R = M, SL = SR = 0. 1 → 6: C = M, the rest 0.
 * - 2 → 1: M = (L + R) / 2. 2 → 4: L, R copied, surrounds 0. 2 → 6: L, R copied, the rest 0.
 * - 3 → 2: L = L + √½·C, R = R + √½·C. 3 → 1: M = √½·(L + R) + C.
 * - 4 → 2: L = (L + SL) / 2, R = (R + SR) / 2. 4 → 1: M = (L + R + SL + SR) / 4.
 *   4 → 6: L, R, SL, SR copied, C = LFE = 0.
 * - 5 → 2: L = L + √½·(C + SL), R = R + √½·(C + SR). 5 → 1: M = √½·(L + R) + C + ½·(SL + SR).
 * - 6 → 2: as 5 → 2, LFE dropped. 6 → 1: as 5 → 1. 6 → 4: L = L + √½·C, R = R + √½·C, SL, SR copied.
 * - 8 → 2: L = L + √½·(C + BL + SL), R = R + √½·(C + BR + SR), LFE dropped (WebAudio has no 7.1
 *   rule; this extends 5.1 by treating the back pair like the side pair).
 *   8 → 1: M = √½·(L + R) + C + ½·(BL + BR + SL + SR).
 * - anything else: discrete (first channels copied, the rest zero-filled).
 */
export function mapChannels(
  inPlanes: readonly Float32Array[],
  frames: number,
  outChannels: number,
  out: readonly Float32Array[],
): void {
  const inChannels = inPlanes.length;
  assert(out.length >= outChannels, 'mapChannels: too few output planes');
  for (let ch = 0; ch < inChannels; ch++) assert(inPlanes[ch]!.length >= frames, 'mapChannels: short input plane');
  for (let ch = 0; ch < outChannels; ch++) assert(out[ch]!.length >= frames, 'mapChannels: short output plane');
  if (inChannels === outChannels) return discrete(inPlanes, frames, outChannels, out);
  const i = inPlanes;
  if (outChannels === 1) {
    const m = out[0]!;
    switch (inChannels) {
      case 2:
        return mix2(i[0]!, 0.5, i[1]!, 0.5, frames, m);
      case 3:
        return mix3(i[0]!, H, i[1]!, H, i[2]!, 1, frames, m);
      case 4: {
        const [l, r, sl, sr] = i as [Float32Array, Float32Array, Float32Array, Float32Array];
        for (let n = 0; n < frames; n++) m[n] = 0.25 * (l[n]! + r[n]! + sl[n]! + sr[n]!);
        return;
      }
      case 5:
      case 6: {
        const s = inChannels - 2; // SL index
        const [l, r, c, sl, sr] = [i[0]!, i[1]!, i[2]!, i[s]!, i[s + 1]!];
        for (let n = 0; n < frames; n++) m[n] = H * (l[n]! + r[n]!) + c[n]! + 0.5 * (sl[n]! + sr[n]!);
        return;
      }
      case 8: {
        const [l, r, c, , bl, br, sl, sr] = i as Float32Array[];
        for (let n = 0; n < frames; n++) {
          m[n] = H * (l![n]! + r![n]!) + c![n]! + 0.5 * (bl![n]! + br![n]! + sl![n]! + sr![n]!);
        }
        return;
      }
    }
  }
  if (outChannels === 2) {
    const oL = out[0]!;
    const oR = out[1]!;
    switch (inChannels) {
      case 1:
        copy(i[0]!, oL, frames);
        copy(i[0]!, oR, frames);
        return;
      case 3:
        mix2(i[0]!, 1, i[2]!, H, frames, oL);
        mix2(i[1]!, 1, i[2]!, H, frames, oR);
        return;
      case 4:
        mix2(i[0]!, 0.5, i[2]!, 0.5, frames, oL);
        mix2(i[1]!, 0.5, i[3]!, 0.5, frames, oR);
        return;
      case 5:
      case 6: {
        const s = inChannels - 2;
        const [l, r, c, sl, sr] = [i[0]!, i[1]!, i[2]!, i[s]!, i[s + 1]!];
        for (let n = 0; n < frames; n++) {
          const cn = c[n]!;
          oL[n] = l[n]! + H * (cn + sl[n]!);
          oR[n] = r[n]! + H * (cn + sr[n]!);
        }
        return;
      }
      case 8: {
        const [l, r, c, , bl, br, sl, sr] = i as Float32Array[];
        for (let n = 0; n < frames; n++) {
          const cn = c![n]!;
          oL[n] = l![n]! + H * (cn + bl![n]! + sl![n]!);
          oR[n] = r![n]! + H * (cn + br![n]! + sr![n]!);
        }
        return;
      }
    }
  }
  if (outChannels === 4) {
    if (inChannels === 1) {
      copy(i[0]!, out[0]!, frames);
      copy(i[0]!, out[1]!, frames);
      out[2]!.fill(0, 0, frames);
      out[3]!.fill(0, 0, frames);
      return;
    }
    if (inChannels === 6) {
      mix2(i[0]!, 1, i[2]!, H, frames, out[0]!);
      mix2(i[1]!, 1, i[2]!, H, frames, out[1]!);
      copy(i[4]!, out[2]!, frames);
      copy(i[5]!, out[3]!, frames);
      return;
    }
  }
  if (outChannels === 6) {
    if (inChannels === 1) {
      for (let ch = 0; ch < 6; ch++) if (ch !== 2) out[ch]!.fill(0, 0, frames);
      copy(i[0]!, out[2]!, frames);
      return;
    }
    if (inChannels === 4) {
      copy(i[0]!, out[0]!, frames);
      copy(i[1]!, out[1]!, frames);
      out[2]!.fill(0, 0, frames);
      out[3]!.fill(0, 0, frames);
      copy(i[2]!, out[4]!, frames);
      copy(i[3]!, out[5]!, frames);
      return;
    }
  }
  discrete(inPlanes, frames, outChannels, out);
}

/** Discrete mapping: copy the first channels, zero-fill the rest. */
function discrete(inPlanes: readonly Float32Array[], frames: number, outChannels: number, out: readonly Float32Array[]): void {
  for (let ch = 0; ch < outChannels; ch++) {
    if (ch < inPlanes.length) copy(inPlanes[ch]!, out[ch]!, frames);
    else out[ch]!.fill(0, 0, frames);
  }
}

function copy(src: Float32Array, dst: Float32Array, frames: number): void {
  if (src === dst) return;
  for (let n = 0; n < frames; n++) dst[n] = src[n]!;
}

function mix2(a: Float32Array, ga: number, b: Float32Array, gb: number, frames: number, dst: Float32Array): void {
  for (let n = 0; n < frames; n++) dst[n] = ga * a[n]! + gb * b[n]!;
}

function mix3(
  a: Float32Array,
  ga: number,
  b: Float32Array,
  gb: number,
  c: Float32Array,
  gc: number,
  frames: number,
  dst: Float32Array,
): void {
  for (let n = 0; n < frames; n++) dst[n] = ga * a[n]! + gb * b[n]! + gc * c[n]!;
}

/**
 * Interleaves `frames` frames of `planes` (its length is the channel count) into `out` starting at
 * sample index `outOffset`. `out` must hold `outOffset + frames · planes.length` samples.
 */
export function interleave(planes: readonly Float32Array[], frames: number, out: Float32Array, outOffset = 0): void {
  const channels = planes.length;
  assert(out.length >= outOffset + frames * channels, 'interleave: output too short');
  if (channels === 2) {
    const l = planes[0]!;
    const r = planes[1]!;
    for (let n = 0, o = outOffset; n < frames; n++, o += 2) {
      out[o] = l[n]!;
      out[o + 1] = r[n]!;
    }
    return;
  }
  for (let ch = 0; ch < channels; ch++) {
    const p = planes[ch]!;
    for (let n = 0, o = outOffset + ch; n < frames; n++, o += channels) out[o] = p[n]!;
  }
}

/**
 * Deinterleaves `frames` frames of `channels`-channel audio from `input` (starting at sample index
 * `inOffset`) into the first `channels` planes of `out`.
 */
export function deinterleave(
  input: Float32Array,
  channels: number,
  frames: number,
  out: readonly Float32Array[],
  inOffset = 0,
): void {
  assert(input.length >= inOffset + frames * channels, 'deinterleave: input too short');
  assert(out.length >= channels, 'deinterleave: too few output planes');
  if (channels === 2) {
    const l = out[0]!;
    const r = out[1]!;
    for (let n = 0, i = inOffset; n < frames; n++, i += 2) {
      l[n] = input[i]!;
      r[n] = input[i + 1]!;
    }
    return;
  }
  for (let ch = 0; ch < channels; ch++) {
    const p = out[ch]!;
    for (let n = 0, i = inOffset + ch; n < frames; n++, i += channels) p[n] = input[i]!;
  }
}
