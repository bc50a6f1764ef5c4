/**
 * Network throughput estimation for ABR (reference crate `kithara-abr`, `ThroughputEstimator`).
 *
 * Two exponentially weighted moving averages of the measured bit rate, one fast (2 s half-life) and
 * one slow (10 s half-life). Each sample is weighted by how long its download took, so one long
 * download counts as much as many short ones covering the same time. The estimate is the smaller of
 * the two: it falls quickly when the network degrades and rises only once the improvement has lasted.
 *
 * Samples served from the cache say nothing about the network and never feed the estimator. The
 * reference bumps its estimate to 100 Mbit/s on cache hits to allow immediate up-switches; that is
 * deliberately not ported: a hidden bump would later look like measured throughput and push the
 * controller to a variant the network cannot carry once the cache runs out.
 */

/** Where the bytes of a sample came from. */
export type SampleSource = 'network' | 'cache';

/** One finished download, as measured by the caller. */
export interface ThroughputSample {
  /** Bytes received. */
  bytes: number;
  /** Time from sending the request to the last byte, in ms. */
  durationMs: number;
  /** `'cache'` for bytes served from the local cache: such samples are ignored. */
  source: SampleSource;
}

/** A pluggable estimation strategy (reference trait `Estimator`). */
export interface BandwidthEstimator {
  /** Feeds one sample. Returns `true` when it was used, `false` when it was ignored. */
  addSample(sample: ThroughputSample): boolean;
  /** Current estimate in bits per second, or `undefined` before enough data. */
  estimateBps(): number | undefined;
  /** Forgets every sample. */
  reset(): void;
}

/** Tuning of {@link ThroughputEstimator}. */
export interface ThroughputEstimatorOptions {
  /** Half-life of the fast average, in seconds of sample duration. Defaults to 2. */
  fastHalfLifeSec?: number;
  /** Half-life of the slow average, in seconds of sample duration. Defaults to 10. */
  slowHalfLifeSec?: number;
  /** Samples smaller than this many bytes are noise (latency dominates) and are ignored. Defaults to 16000. */
  minSampleBytes?: number;
}

/** Defaults of {@link ThroughputEstimatorOptions}. */
export const ESTIMATOR_DEFAULTS = {
  /** Defaults to 2 s: follows a drop within a couple of segments. */
  fastHalfLifeSec: 2,
  /** Defaults to 10 s: an improvement must last before it counts. */
  slowHalfLifeSec: 10,
  /** Defaults to 16000 bytes, the reference's noise floor. */
  minSampleBytes: 16_000,
} as const;

/**
 * One EWMA whose weight is the sample duration in seconds, with zero-bias correction: the average
 * starts at 0, so while little weight has been seen it is divided by `1 - alpha^totalWeight`, which
 * makes the first sample's estimate equal that sample instead of a fraction of it.
 * @internal
 */
export class Ewma {
  private readonly ln2Rate: number;
  private raw = 0;
  private totalWeight = 0;

  /** @param halfLifeSec weight after which an old value counts half. */
  constructor(halfLifeSec: number) {
    this.ln2Rate = Math.log(0.5) / halfLifeSec;
  }

  /** Adds `value` with `weight` (seconds). */
  add(weight: number, value: number): void {
    const alpha = Math.exp(this.ln2Rate * weight);
    this.raw = alpha * this.raw + (1 - alpha) * value;
    this.totalWeight += weight;
  }

  /** The bias-corrected average, or `undefined` before any weight. */
  value(): number | undefined {
    if (this.totalWeight <= 0) return undefined;
    const zeroFactor = 1 - Math.exp(this.ln2Rate * this.totalWeight);
    return this.raw / zeroFactor;
  }

  /** Forgets everything. */
  reset(): void {
    this.raw = 0;
    this.totalWeight = 0;
  }
}

/**
 * Dual-EWMA throughput estimator. The estimate exists once one network sample of at least
 * `minSampleBytes` has been accepted.
 */
export class ThroughputEstimator implements BandwidthEstimator {
  private readonly fast: Ewma;
  private readonly slow: Ewma;
  private readonly minSampleBytes: number;
  private accepted = 0;

  constructor(options: ThroughputEstimatorOptions = {}) {
    const fastHalfLife = positive('fastHalfLifeSec', options.fastHalfLifeSec, ESTIMATOR_DEFAULTS.fastHalfLifeSec);
    const slowHalfLife = positive('slowHalfLifeSec', options.slowHalfLifeSec, ESTIMATOR_DEFAULTS.slowHalfLifeSec);
    const minBytes = options.minSampleBytes ?? ESTIMATOR_DEFAULTS.minSampleBytes;
    if (typeof minBytes !== 'number' || !Number.isFinite(minBytes) || minBytes < 0) {
      throw new TypeError('options.minSampleBytes, when provided, must be a number from 0 upwards.');
    }
    this.fast = new Ewma(fastHalfLife);
    this.slow = new Ewma(slowHalfLife);
    this.minSampleBytes = minBytes;
  }

  /**
   * Feeds one finished download. Ignored (returns `false`): cache samples, samples under
   * `minSampleBytes`, and samples without a positive finite duration.
   */
  addSample(sample: ThroughputSample): boolean {
    if (sample.source === 'cache') return false;
    if (!(sample.bytes >= this.minSampleBytes) || sample.bytes <= 0) return false;
    if (!(sample.durationMs > 0) || !Number.isFinite(sample.durationMs)) return false;
    const seconds = sample.durationMs / 1000;
    const bps = (sample.bytes * 8) / seconds;
    this.fast.add(seconds, bps);
    this.slow.add(seconds, bps);
    this.accepted += 1;
    return true;
  }

  /** `min(fast, slow)` in bits per second, or `undefined` before the first accepted sample. */
  estimateBps(): number | undefined {
    const fast = this.fast.value();
    const slow = this.slow.value();
    if (fast === undefined || slow === undefined) return undefined;
    return Math.min(fast, slow);
  }

  /** The fast average alone, in bits per second (for stats and tests). */
  get fastBps(): number | undefined {
    return this.fast.value();
  }

  /** The slow average alone, in bits per second (for stats and tests). */
  get slowBps(): number | undefined {
    return this.slow.value();
  }

  /** Number of samples accepted since construction or the last {@link reset}. */
  get sampleCount(): number {
    return this.accepted;
  }

  /** Forgets every sample: the estimate is `undefined` again. */
  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.accepted = 0;
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`options.${name}, when provided, must be a number greater than 0.`);
  }
  return value;
}
