/** Shared helpers for the resampler tests: whole-stream runs and signal measures. */
import { Resampler } from '../../src/audio/resampler.js';
import type { ResamplerOptions } from '../../src/audio/resampler.js';

/** Resamples whole planar `input` through a fresh resampler, feeding chunks of the given sizes (cycled). */
export function resampleAll(opts: ResamplerOptions, input: Float32Array[], chunks: readonly number[] = [4096]): Float32Array[] {
  const r = new Resampler(opts);
  return runStream(r, input, chunks);
}

/** Feeds `input` to `r` in chunks (sizes cycled), then flushes; returns the concatenated planes. */
export function runStream(r: Resampler, input: Float32Array[], chunks: readonly number[]): Float32Array[] {
  const frames = input[0]!.length;
  const parts: Float32Array[][] = [];
  let total = 0;
  let i = 0;
  for (let c = 0; i < frames; c++) {
    const n = Math.min(chunks[c % chunks.length]!, frames - i);
    const inPlanes = input.map((p) => p.slice(i, i + n));
    const out = input.map(() => new Float32Array(r.outputFramesFor(n)));
    const made = r.process(inPlanes, n, out);
    parts.push(out.map((p) => p.subarray(0, made)));
    total += made;
    i += n;
  }
  const tail = input.map(() => new Float32Array(r.flushFrames()));
  total += r.flush(tail);
  parts.push(tail);
  return input.map((_, ch) => {
    const all = new Float32Array(total);
    let at = 0;
    for (const part of parts) {
      all.set(part[ch]!, at);
      at += part[ch]!.length;
    }
    return all;
  });
}

/** Signal-to-noise ratio in dB of `got` against `want` over [from, to). */
export function snrDb(got: Float32Array, want: ArrayLike<number>, from: number, to: number): number {
  let sig = 0;
  let err = 0;
  for (let i = from; i < to; i++) {
    const w = want[i]!;
    const e = got[i]! - w;
    sig += w * w;
    err += e * e;
  }
  return 10 * Math.log10(sig / err);
}

/** A planar sine: `amp · sin(2π f t)` for `frames` frames at `rate`. */
export function sine(freq: number, rate: number, frames: number, amp = 0.5): Float32Array {
  const p = new Float32Array(frames);
  for (let i = 0; i < frames; i++) p[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return p;
}

/** Root mean square over [from, to). */
export function rms(p: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += p[i]! * p[i]!;
  return Math.sqrt(s / (to - from));
}
