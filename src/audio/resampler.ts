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
 * - *No allocation in steady state.* `process`, `flush` and `reset` allocate no buffers (only a
 *   typed-array view when an input plane is copied in parts, e.g. a plane longer than a block).
 *
 * **Never:** allocates per call, reorders channels, or changes its ratio after construction (make a
 * new resampler; tables are cached, so that is cheap).
 *
 * ## Quality levels (Kaiser-windowed sinc, rows normalized to unity DC gain)
 *
 * Taps are per output frame when upsampling and are stretched by `inRate/outRate` when downsampling
 * (at most 64×). The cutoff puts the stopband edge at the lower Nyquist frequency. Quality figures
 * are measured by `test/audio/resampler-quality.test.ts` (passband: 44100→48000 tones up to the edge;
 * stopband: 44100→22050 tones from 11025 Hz up; SNR: 1 kHz sine vs the analytic sine at 48000).
 *
 * | quality | taps | passband edge | ripple | stopband | 1 kHz SNR | speed, SIMD | speed, JS |
 * |---|---|---|---|---|---|---|---|
 * | fast   | 16  | 0.55 Nyquist | ±0.011 dB  | 64 dB  | 66 dB  | 2400–3800× | 750× |
 * | normal | 64  | 0.82 Nyquist | ±3e-4 dB   | 95 dB  | 101 dB | 1730× | 233× |
 * | good   | 128 | 0.89 Nyquist | ±3e-5 dB   | 125 dB | 128 dB | 990×  | 119× |
 * | high   | 256 | 0.93 Nyquist | ±4e-6 dB   | 138 dB | 140 dB | 560×  | 61×  |
 *
 * Speed is real time × for stereo 44100→48000 on one core of the dev machine (Node 20, V8), input
 * fed in 4096-frame chunks, best of 5 (`node --import tsx bench/resampler-speed.mts`; runs vary by
 * a fifth). "SIMD" is the WebAssembly `f32x4` kernel of `resampler-simd.ts`, used for exact
 * tables wherever WebAssembly SIMD exists (all current browsers); "JS" is the fallback.
 * Ratios with more than 1024 phases (e.g. 44056→48000) run the interpolated JS loop: about 17×
 * (high) to 220× (fast). The JS path sums in double precision, the SIMD path in float32 (the
 * SNR above is the SIMD path's; both are beyond what float32 PCM can carry anyway).
 *
 * @module
 */

import { KitharaError, assert } from '../platform/errors.js';
import { MAX_DOWNSAMPLING, dot1, dot2, dotLerp, gcd, polyphaseTable } from './resampler-kernels.js';
import type { PolyphaseTable, ResamplerQuality } from './resampler-kernels.js';
import { simdKernel } from './resampler-simd.js';
import type { SimdKernel } from './resampler-simd.js';

export type { ResamplerQuality } from './resampler-kernels.js';

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
  /** Output frames per SIMD kernel call (per-channel scratch in the WebAssembly memory). */
  scratch: 4096,
} as const;

const QUALITIES: readonly ResamplerQuality[] = ['fast', 'normal', 'good', 'high'];

/**
 * Builds (and caches) what a resampler for these rates needs before it is made: the filter
 * table and the SIMD kernel, which it also runs once over a short block (a few ms) so that the
 * engine has optimized it. A reader that knows its rates at open time calls this there, so
 * its first read does not pay for the table design (about 20 ms for 'high' in a cold worker).
 */
export function prepareResampler(inRate: number, outRate: number, quality: ResamplerQuality = RESAMPLER_DEFAULTS.quality): void {
  if (inRate === outRate || !Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate < 1 || outRate < 1) return;
  if (inRate > outRate * MAX_DOWNSAMPLING || !QUALITIES.includes(quality)) return;
  const g = gcd(inRate, outRate);
  const table = polyphaseTable(outRate / g, inRate / g, quality);
  if (table.interpolated || simdKernel(65536) === null) return;
  const key = `${inRate}>${outRate}:${quality}`;
  if (warmedKernels.has(key)) return;
  warmedKernels.add(key);
  // Run the kernel (stereo and mono) over a few thousand frames: WebAssembly engines optimize
  // a function only after it has run for a while (V8: Liftoff, then TurboFan), and the
  // optimized code is shared by every instance, so the first reads run at full speed.
  for (const channels of [2, 1]) {
    const r = new Resampler({ inRate, outRate, channels, quality });
    const input = Array.from({ length: channels }, () => new Float32Array(WARM_UP_FRAMES));
    const n = r.outputFramesFor(WARM_UP_FRAMES);
    r.process(input, WARM_UP_FRAMES, Array.from({ length: channels }, () => new Float32Array(n)));
  }
}

/** Input frames {@link prepareResampler} runs through a throwaway resampler per channel count. */
const WARM_UP_FRAMES = 4096;
/** The rate pairs and qualities whose kernel {@link prepareResampler} has run. */
const warmedKernels = new Set<string>();

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
  private readonly table: PolyphaseTable | null;
  private readonly bufs: Float32Array[];
  /** The SIMD kernel, its byte offsets and output scratch; `null` on the JavaScript path. */
  private readonly simd: SimdKernel | null = null;
  private readonly bufPtrs: number[] = [];
  private readonly scratchPtrs: number[] = [];
  private readonly scratch: Float32Array[] = [];
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
    if (inRate > outRate * MAX_DOWNSAMPLING) {
      throw new KitharaError('unsupported', `options.inRate, when provided, must be at most ${MAX_DOWNSAMPLING} × options.outRate.`);
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
    // Equal rates: no table, a plain copy.
    this.table = inRate === outRate ? null : polyphaseTable(this.L, this.M, quality);
    this.cap = this.table === null ? 0 : this.table.taps + RESAMPLER_DEFAULTS.block;
    this.bufs = [];
    const t = this.table;
    if (t !== null && !t.interpolated) {
      // Memory layout: coefficients, then per channel the history (cap) and output scratch.
      const S = RESAMPLER_DEFAULTS.scratch;
      this.simd = simdKernel((t.coeffs.length + channels * (this.cap + S)) * 4);
      if (this.simd !== null) {
        const buffer = this.simd.memory.buffer;
        new Float32Array(buffer, 0, t.coeffs.length).set(t.coeffs);
        let at = t.coeffs.length * 4;
        for (let ch = 0; ch < channels; ch++) {
          this.bufPtrs.push(at);
          this.bufs.push(new Float32Array(buffer, at, this.cap));
          at += this.cap * 4;
          this.scratchPtrs.push(at);
          this.scratch.push(new Float32Array(buffer, at, S));
          at += S * 4;
        }
      }
    }
    if (this.simd === null) for (let ch = 0; ch < channels; ch++) this.bufs.push(new Float32Array(this.cap));
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
        buf.set(from === 0 && n === src.length ? src : src.subarray(from, from + n), this.filled);
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
    if (this.simd !== null) return this.produceSimd(out, o, max);
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
        const r0 = row * taps;
        const f = pos - row;
        for (let ch = 0; ch < channels; ch++) out[ch]![o] = dotLerp(c, r0, taps, this.bufs[ch]!, start, f);
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

  /** {@link Resampler.produce} through the WebAssembly SIMD kernel, one channel per call. */
  private produceSimd(out: readonly Float32Array[], o: number, max: number): number {
    const { run, run2 } = this.simd!;
    const taps = this.table!.taps;
    const last = this.filled - taps;
    const L = this.L;
    const channels = this.channels;
    let made = 0;
    while (made < max) {
      const want = Math.min(RESAMPLER_DEFAULTS.scratch, max - made);
      const at = o + made;
      let n = 0;
      // Channels in pairs (one coefficient load serves both), then an odd one alone.
      for (let ch = 0; ch < channels; ch += 2) {
        if (ch + 1 < channels) {
          n = run2(0, taps, this.bufPtrs[ch]!, this.bufPtrs[ch + 1]!, this.start, this.phase, L, this.stepInt, this.stepFrac, last,
            this.scratchPtrs[ch]!, this.scratchPtrs[ch + 1]!, want);
          out[ch + 1]!.set(this.scratch[ch + 1]!.subarray(0, n), at);
        } else {
          n = run(0, taps, this.bufPtrs[ch]!, this.start, this.phase, L, this.stepInt, this.stepFrac, last, this.scratchPtrs[ch]!, want);
        }
        out[ch]!.set(this.scratch[ch]!.subarray(0, n), at);
      }
      // Advance the state by n outputs: start·L + phase grows by n·M.
      const p = this.phase + n * this.stepFrac;
      const carry = Math.floor(p / L);
      this.start += n * this.stepInt + carry;
      this.phase = p - carry * L;
      made += n;
      if (n < want) break;
    }
    return made;
  }

  private checkPlanes(planes: readonly Float32Array[], frames: number, what: string): void {
    // Messages are built only on failure: this runs on every call and must not allocate.
    if (planes.length < this.channels) assert(false, `resampler ${what}: ${planes.length} planes for ${this.channels} channels`);
    for (let ch = 0; ch < this.channels; ch++) {
      if (planes[ch]!.length < frames) assert(false, `resampler ${what} plane ${ch} holds fewer than ${frames} frames`);
    }
  }
}

function checkRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_536_000) {
    throw new KitharaError('unsupported', `options.${name}, when provided, must be an integer from 1 to 1536000.`);
  }
}
