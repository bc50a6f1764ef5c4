/**
 * Polyphase filter tables for {@link Resampler}: Kaiser-windowed sinc kernels, designed once per
 * (ratio, quality) and cached at module level so creating many resamplers is cheap.
 *
 * A table row holds the taps that turn `taps` consecutive input frames into one output frame whose
 * time lies a fraction `phase` past the input frame `ip`: tap `j` weights input frame
 * `ip - half + 1 + j`. Every row is normalized to a DC gain of exactly 1.
 *
 * @module
 */

/** Filter quality: longer kernels cost more and keep more of the band cleaner. */
export type ResamplerQuality = 'fast' | 'normal' | 'good' | 'high';

/** The filter design of one quality level. */
export interface QualitySpec {
  /** Taps per output frame when upsampling (scaled by inRate/outRate when downsampling). */
  readonly taps: number;
  /** Design stopband attenuation in dB; sets the Kaiser beta and the transition width. */
  readonly attenuation: number;
  /** Phases of the interpolated table used when the reduced ratio has too many phases. */
  readonly phases: number;
}

/** The filter design per quality level. Kept in one place; measured figures are in resampler.ts. */
export const QUALITY_SPECS: Readonly<Record<ResamplerQuality, QualitySpec>> = {
  fast: { taps: 16, attenuation: 60, phases: 128 },
  normal: { taps: 64, attenuation: 90, phases: 256 },
  good: { taps: 128, attenuation: 110, phases: 512 },
  high: { taps: 256, attenuation: 130, phases: 1024 },
};

/**
 * Largest reduced ratio numerator `L` (output phases) that gets one exact row per phase. Past it (or
 * past {@link MAX_EXACT_COEFFS}) the table holds `QualitySpec.phases + 1` rows on a uniform grid
 * (fewer when downsampling) and the resampler interpolates linearly between neighbouring rows.
 */
export const MAX_EXACT_PHASES = 1024;

/** Largest exact table in coefficients (4 MiB); bigger ones use the interpolated grid. */
export const MAX_EXACT_COEFFS = 2 ** 20;

/** Largest supported downsampling factor `inRate / outRate` (kernels grow with it). */
export const MAX_DOWNSAMPLING = 64;

/** A designed polyphase table. Immutable once built; shared by every resampler with the same key. */
export interface PolyphaseTable {
  /** Taps per row (a multiple of 16). */
  readonly taps: number;
  /** Half the taps: row taps span input frames `ip - half + 1 … ip + half`. */
  readonly half: number;
  /** Number of phases. Exact tables: `L` rows. Interpolated: `phases + 1` rows (guard row). */
  readonly phases: number;
  /** `true` when rows sit on a uniform grid of `phases` steps and must be interpolated. */
  readonly interpolated: boolean;
  /** Cutoff (−6 dB point) as a fraction of the input Nyquist frequency. */
  readonly cutoff: number;
  /** Row-major coefficients, `rows × taps`. */
  readonly coeffs: Float32Array;
}

const cache = new Map<string, PolyphaseTable>();
const CACHE_LIMIT = 24;

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser beta for a stopband attenuation in dB (Kaiser's empirical formula). */
export function kaiserBeta(attenuation: number): number {
  if (attenuation > 50) return 0.1102 * (attenuation - 8.7);
  if (attenuation >= 21) return 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21);
  return 0;
}

/**
 * The cutoff of a quality level for a ratio, as a fraction of the input Nyquist frequency: the
 * stopband edge sits at the lower of the two Nyquist frequencies and the passband edge below it by
 * the Kaiser transition width, so the −6 dB point is halfway between.
 */
export function cutoffFor(spec: QualitySpec, outOverIn: number): number {
  const transition = (2 * (spec.attenuation - 7.95)) / (14.36 * spec.taps); // of the Nyquist band
  return Math.min(1, outOverIn) * (1 - transition / 2);
}

/**
 * The table for resampling by `L/M` (reduced, `L` = output steps, `M` = input steps) at a quality.
 * Built on first use and cached (a small LRU keyed by ratio and quality).
 */
export function polyphaseTable(L: number, M: number, quality: ResamplerQuality): PolyphaseTable {
  const key = `${quality}:${L}:${M}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const table = designTable(L, M, QUALITY_SPECS[quality]);
  cache.set(key, table);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return table;
}

function designTable(L: number, M: number, spec: QualitySpec): PolyphaseTable {
  const down = Math.min(1, L / M);
  const cutoff = cutoffFor(spec, L / M);
  // Downsampling stretches the kernel in input frames to keep the same transition at the output.
  // Half is a multiple of 8 so rows are a multiple of 16 taps (the SIMD loop takes 16 per step).
  const half = 8 * Math.ceil(spec.taps / 16 / down);
  const taps = 2 * half;
  const interpolated = L > MAX_EXACT_PHASES || L * taps > MAX_EXACT_COEFFS;
  // A kernel stretched for downsampling is smoother, so it needs proportionally fewer grid phases.
  const phases = interpolated ? Math.max(32, Math.ceil(spec.phases * down)) : L;
  const rows = interpolated ? phases + 1 : phases;
  const coeffs = new Float32Array(rows * taps);
  const beta = kaiserBeta(spec.attenuation);
  const i0Beta = besselI0(beta);
  const row = new Float64Array(taps);
  // Row `phases − r` is row `r` reversed (the kernel is even: d ↦ −d swaps frac and 1 − frac),
  // so only the first half of the rows is designed and the rest are mirrored copies.
  for (let r = 0; r < rows; r++) {
    const mirror = phases - r;
    if (r > 0 && mirror < r) {
      for (let j = 0; j < taps; j++) coeffs[r * taps + j] = coeffs[mirror * taps + taps - 1 - j]!;
      continue;
    }
    const frac = r / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const d = j - half + 1 - frac; // input frame minus output time, in input frames
      const x = d / half;
      const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - x * x))) / i0Beta;
      const arg = Math.PI * cutoff * d;
      const s = arg === 0 ? cutoff : (cutoff * Math.sin(arg)) / arg;
      row[j] = s * w;
      sum += row[j]!;
    }
    for (let j = 0; j < taps; j++) coeffs[r * taps + j] = row[j]! / sum;
  }
  return { taps, half, phases, interpolated, cutoff, coeffs };
}

/**
 * Stereo dot product for the JavaScript path: the row at `r` with both history planes from `s`,
 * written to `o0[o]` and `o1[o]`. Unrolled by 4 with two accumulators per channel (`taps` is a
 * multiple of 8). The summation order is fixed, which is what makes chunking irrelevant.
 * @internal
 */
export function dot2(
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

/**
 * One-plane dot product of the row at `r` with history from `s`; same order as {@link dot2}.
 * @internal
 */
export function dot1(c: Float32Array, r: number, taps: number, b: Float32Array, s: number): number {
  let a = 0;
  let e = 0;
  const end = r + taps;
  for (; r < end; r += 4, s += 4) {
    a += c[r]! * b[s]! + c[r + 1]! * b[s + 1]!;
    e += c[r + 2]! * b[s + 2]! + c[r + 3]! * b[s + 3]!;
  }
  return a + e;
}

/**
 * Dot product with a row interpolated between rows `r0` and `r0 + taps` at fraction `f` (the
 * interpolated table): `Σ x·k0 + f · Σ x·(k1 − k0)`.
 * @internal
 */
export function dotLerp(c: Float32Array, r0: number, taps: number, b: Float32Array, s: number, f: number): number {
  let a = 0;
  let d = 0;
  const r1 = r0 + taps;
  for (let j = 0; j < taps; j++) {
    const x = b[s + j]!;
    const k0 = c[r0 + j]!;
    a += k0 * x;
    d += (c[r1 + j]! - k0) * x;
  }
  return a + f * d;
}
