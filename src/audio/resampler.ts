/**
 * # Resampler (audio layer: sample-rate conversion)
 *
 * Streaming polyphase windowed-sinc resampler, planar Float32 in and out.
 *
 * **Owns:** its history buffers (one per channel, sized at construction) and its phase. The filter
 * tables are shared, immutable and cached per (ratio, quality) in `resampler-kernels.ts`.
 *
 * **Promises:**
 * - *Time alignment.* Output frame `k` is the band-limited input evaluated at input time
 *   `k · inRate / outRate`, so output frame 0 is input time 0. The filter's group delay is
 *   compensated by priming with `half − 1` zero frames and by holding `half` frames of look-ahead;
 *   there is no latency shift. Frames before time 0 and after the end count as silence.
 * - *Chunking does not matter.* Feeding the same input in any chunk sizes gives bit-identical output:
 *   each output frame is computed from the same input frames, the same row and the same summation
 *   order, whatever the chunks were.
 * - *Equal rates are a passthrough:* a bit-exact copy with zero delay.
 * - *Length law:* after {@link Resampler.flush}, a stream of `T` input frames has produced exactly
 *   `round(T · outRate / inRate)` frames (halves round up). Durations are preserved.
 * - *Any ratio.* The ratio is reduced to `L/M`. With `L ≤ 1024` every output phase has its own exact
 *   row and the phase steps in integers. Larger `L` (ugly ratios such as 44056→48000, L = 6000)
 *   keeps the exact integer phase but reads the kernel from a uniform grid of rows with linear
 *   interpolation between neighbours.
 * - *No allocation in steady state.* `process`, `flush` and `reset` allocate nothing.
 *
 * **Never:** allocates per call, reorders channels, or changes its ratio after construction (make a
 * new resampler; tables are cached, so that is cheap).
 *
 * ## Quality levels (Kaiser-windowed sinc, rows normalized to unity DC gain)
 *
 * Taps are per output frame when upsampling and are stretched by `inRate/outRate` when downsampling.
 * The cutoff puts the stopband edge at the lower Nyquist frequency. Figures measured by
 * `test/audio/resampler-quality.test.ts` (44100→48000 unless stated):
 *
 * | quality | taps | design atten. | passband edge (of Nyquist) | 1 kHz sine SNR | 20 kHz → 22050 alias | frames/s (stereo in) |
 * |---|---|---|---|---|---|---|
 * | fast   | 16  | 60 dB  | 0.81 | 69 dB  | −60 dB  | see report |
 * | normal | 64  | 90 dB  | 0.91 | 99 dB  | −93 dB  | see report |
 * | good   | 128 | 110 dB | 0.94 | 118 dB | −113 dB | see report |
 * | high   | 256 | 130 dB | 0.97 | 131 dB | −132 dB | see report |
 *
 * @module
 */

import { KitharaError, assert } from '../platform/errors.js';
import { gcd, polyphaseTable } from './resampler-kernels.js';
import type { PolyphaseTable } from './resampler-kernels.js';

/** Filter quality: longer kernels cost more and keep more of the band cleaner. */
export type ResamplerQuality = 'fast' | 'normal' | 'good' | 'high';

/** Options of {@link Resampler}. */
export interface ResamplerOptions {
  /** Input sample rate in Hz, a positive integer. */
  inRate: number;
  /** Output sample rate in Hz, a positive integer. */
  outRate: number;
  /** Number of planar channels, 1 to 32. */
  channels: number;
  /** Filter quality. Defaults to `'high'`. */
  quality?: ResamplerQuality;
}

/** Defaults of the resampler. */
export const RESAMPLER_DEFAULTS = {
  /** The default quality: 256-tap Kaiser sinc. */
  quality: 'high' as ResamplerQuality,
  /** Input frames copied into the history buffer per inner pass. */
  block: 4096,
} as const;

const QUALITIES: readonly ResamplerQuality[] = ['fast', 'normal', 'good', 'high'];

/** A streaming sample-rate converter for planar Float32 audio. See the module notes. */
export class Resampler {
  /** Input sample rate in Hz. */
  readonly inRate: number;
  /** Output sample rate in Hz. */
  readonly outRate: number;
  /** Number of channels. */
  readonly channels: number;
  /** The filter quality in use. */
  readonly quality: ResamplerQuality;
  /** Latency in output frames. Always 0: the group delay is compensated internally. */
  readonly delay = 0;

  /** Reduced ratio: `L` output frames per `M` input frames. */
  private readonly L: number;
  private readonly M: number;
  private readonly stepInt: number;
  private readonly stepFrac: number;
  private readonly passthrough: boolean;
  private readonly table: PolyphaseTable | null;
  private readonly bufs: Float32Array[];
  private readonly cap: number;
  /** Frames held in `bufs` (history, look-ahead and priming zeros). */
  private filled = 0;
  /** Index in `bufs` of the first tap of the next output frame. */
  private start = 0;
  /** Output phase numerator: the next output frame lies `phase / L` past input frame `start + half − 1`. */
  private phase = 0;

  constructor(opts: ResamplerOptions) {
    const { inRate, outRate, channels } = opts;
    const quality = opts.quality ?? RESAMPLER_DEFAULTS.quality;
    checkRate('inRate', inRate);
    checkRate('outRate', outRate);
    if (!Number.isInteger(channels) || channels < 1 || channels > 32) {
      throw new KitharaError('unsupported', 'options.channels, when provided, must be an integer from 1 to 32.');
    }
    if (!QUALITIES.includes(quality)) {
      throw new KitharaError('unsupported', `options.quality, when provided, must be one of ${QUALITIES.join(', ')}.`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    this.channels = channels;
    this.quality = quality;
    const g = gcd(inRate, outRate);
    this.L = outRate / g;
    this.M = inRate / g;
    this.stepInt = Math.floor(this.M / this.L);
    this.stepFrac = this.M % this.L;
    this.passthrough = inRate === outRate;
    this.table = this.passthrough ? null : polyphaseTable(this.L, this.M, quality);
    this.cap = this.table === null ? 0 : this.table.taps + RESAMPLER_DEFAULTS.block;
    this.bufs = [];
    for (let ch = 0; ch < channels; ch++) this.bufs.push(new Float32Array(this.cap));
    this.reset();
  }

  /**
   * Exactly how many frames the next `process()` call with `inFrames` input frames will write.
   * Size the output planes with it.
   */
  outputFramesFor(inFrames: number): number {
    if (this.table === null) return inFrames;
    // Output k (counted from the next one) is ready when start_k + taps <= filled + inFrames, where
    // start_k · L + phase_k = start · L + phase + k · M.
    const room = (this.filled + inFrames - this.table.taps + 1 - this.start) * this.L - this.phase;
    return room <= 0 ? 0 : Math.ceil(room / this.M);
  }

  /** Exactly how many frames {@link Resampler.flush} will write now. */
  flushFrames(): number {
    if (this.table === null) return 0;
    // A = T·L − k·M for the next output k, where T = input frames so far. Output k belongs to the
    // stream iff (2k + 1)·M <= 2·T·L, i.e. the total is round(T·L/M) with halves rounding up.
    const a = (this.filled - this.start - this.table.half + 1) * this.L - this.phase;
    const n = Math.floor((2 * a - this.M) / (2 * this.M)) + 1;
    return n > 0 ? n : 0;
  }

  /**
   * Feeds `inFrames` frames of planar input (from `inOffset` in each of the first `channels` planes)
   * and writes the frames that became ready into `out` from `outOffset`. All input is consumed.
   * The output planes must hold {@link Resampler.outputFramesFor}`(inFrames)` frames past `outOffset`.
   * @returns the number of frames written.
   */
  process(
    input: readonly Float32Array[],
    inFrames: number,
    out: readonly Float32Array[],
    outOffset = 0,
    inOffset = 0,
  ): number {
    const expected = this.outputFramesFor(inFrames);
    this.checkPlanes(input, inOffset + inFrames, 'input');
    this.checkPlanes(out, outOffset + expected, 'output');
    if (this.table === null) {
      for (let ch = 0; ch < this.channels; ch++) {
        const src = input[ch]!;
        const dst = out[ch]!;
        if (src === dst && inOffset === outOffset) continue;
        for (let i = 0; i < inFrames; i++) dst[outOffset + i] = src[inOffset + i]!;
      }
      return inFrames;
    }
    let consumed = 0;
    let o = outOffset;
    while (consumed < inFrames) {
      const n = Math.min(this.cap - this.filled, inFrames - consumed);
      for (let ch = 0; ch < this.channels; ch++) {
        const src = input[ch]!;
        const buf = this.bufs[ch]!;
        const from = inOffset + consumed;
        const at = this.filled;
        for (let i = 0; i < n; i++) buf[at + i] = src[from + i]!;
      }
      this.filled += n;
      consumed += n;
      o += this.produce(out, o, Infinity);
      this.compact();
    }
    assert(o - outOffset === expected, 'resampler output count');
    return expected;
  }

  /**
   * Ends the stream: pads with silence and writes the remaining {@link Resampler.flushFrames} frames
   * into `out` from `outOffset`, then resets, ready for a new stream.
   * @returns the number of frames written.
   */
  flush(out: readonly Float32Array[], outOffset = 0): number {
    const total = this.flushFrames();
    this.checkPlanes(out, outOffset + total, 'output');
    let o = outOffset;
    let left = total;
    while (left > 0) {
      const need = this.start + this.table!.taps - this.filled;
      if (need > 0) {
        const n = Math.min(need, this.cap - this.filled);
        for (let ch = 0; ch < this.channels; ch++) this.bufs[ch]!.fill(0, this.filled, this.filled + n);
        this.filled += n;
      }
      const made = this.produce(out, o, left);
      o += made;
      left -= made;
      this.compact();
    }
    this.reset();
    return total;
  }

  /** Forgets all history and phase (after a seek). The next input frame is time 0 again. */
  reset(): void {
    this.phase = 0;
    this.start = 0;
    if (this.table === null) return;
    // Prime with half − 1 zero frames so the first output is centred on input frame 0.
    this.filled = this.table.half - 1;
    for (let ch = 0; ch < this.channels; ch++) this.bufs[ch]!.fill(0, 0, this.filled);
  }

  /** Drops history that no future output needs. */
  private compact(): void {
    const drop = Math.min(this.start, this.filled);
    if (drop === 0) return;
    if (this.filled > drop) {
      for (let ch = 0; ch < this.channels; ch++) this.bufs[ch]!.copyWithin(0, drop, this.filled);
    }
    this.filled -= drop;
    this.start -= drop;
  }

  /** Computes up to `max` ready output frames into `out` from `o`. */
  private produce(out: readonly Float32Array[], o: number, max: number): number {
    const t = this.table!;
    const taps = t.taps;
    const c = t.coeffs;
    const L = this.L;
    const stepInt = this.stepInt;
    const stepFrac = this.stepFrac;
    const last = this.filled - taps;
    let start = this.start;
    let phase = this.phase;
    let made = 0;
    const scale = t.phases / L;
    const interpolated = t.interpolated;
    const channels = this.channels;
    const b0 = this.bufs[0]!;
    const b1 = channels > 1 ? this.bufs[1]! : b0;
    const o0 = out[0]!;
    const o1 = channels > 1 ? out[1]! : o0;
    while (start <= last && made < max) {
      if (!interpolated) {
        const r = phase * taps;
        if (channels === 2) {
          dot2(c, r, taps, b0, b1, start, o0, o1, o);
        } else {
          for (let ch = 0; ch < channels; ch++) out[ch]![o] = dot1(c, r, taps, this.bufs[ch]!, start);
        }
      } else {
        const pos = phase * scale;
        const row = Math.floor(pos);
        const f = pos - row;
        const r0 = row * taps;
        const r1 = r0 + taps;
        for (let ch = 0; ch < channels; ch++) {
          const b = this.bufs[ch]!;
          let a = 0;
          let d = 0;
          for (let j = 0; j < taps; j++) {
            const x = b[start + j]!;
            const k0 = c[r0 + j]!;
            a += k0 * x;
            d += (c[r1 + j]! - k0) * x;
          }
          out[ch]![o] = a + f * d;
        }
      }
      o++;
      made++;
      start += stepInt;
      phase += stepFrac;
      if (phase >= L) {
        phase -= L;
        start++;
      }
    }
    this.start = start;
    this.phase = phase;
    return made;
  }

  private checkPlanes(planes: readonly Float32Array[], frames: number, what: string): void {
    assert(planes.length >= this.channels, `resampler ${what}: ${planes.length} planes for ${this.channels} channels`);
    for (let ch = 0; ch < this.channels; ch++) {
      assert(planes[ch]!.length >= frames, `resampler ${what} plane ${ch} holds fewer than ${frames} frames`);
    }
  }
}

/**
 * Stereo dot product of the row at `r` with both history planes from `s`, written to `o0[o]` and
 * `o1[o]`. Unrolled by 4 with two accumulators per channel; `taps` is a multiple of 4. The summation
 * order is fixed, which is what makes chunking irrelevant to the result.
 */
function dot2(
  c: Float32Array,
  r: number,
  taps: number,
  b0: Float32Array,
  b1: Float32Array,
  s: number,
  o0: Float32Array,
  o1: Float32Array,
  o: number,
): void {
  let a0 = 0;
  let a1 = 0;
  let e0 = 0;
  let e1 = 0;
  const end = r + taps;
  for (; r < end; r += 4, s += 4) {
    const k0 = c[r]!;
    const k1 = c[r + 1]!;
    const k2 = c[r + 2]!;
    const k3 = c[r + 3]!;
    a0 += k0 * b0[s]! + k1 * b0[s + 1]!;
    e0 += k2 * b0[s + 2]! + k3 * b0[s + 3]!;
    a1 += k0 * b1[s]! + k1 * b1[s + 1]!;
    e1 += k2 * b1[s + 2]! + k3 * b1[s + 3]!;
  }
  o0[o] = a0 + e0;
  o1[o] = a1 + e1;
}

/** One-plane dot product of the row at `r` with history from `s`; same order as {@link dot2}. */
function dot1(c: Float32Array, r: number, taps: number, b: Float32Array, s: number): number {
  let a = 0;
  let e = 0;
  const end = r + taps;
  for (; r < end; r += 4, s += 4) {
    a += c[r]! * b[s]! + c[r + 1]! * b[s + 1]!;
    e += c[r + 2]! * b[s + 2]! + c[r + 3]! * b[s + 3]!;
  }
  return a + e;
}

function checkRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_536_000) {
    throw new KitharaError('unsupported', `options.${name}, when provided, must be an integer from 1 to 1536000.`);
  }
}
