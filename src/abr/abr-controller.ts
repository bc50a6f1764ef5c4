/**
 * The ABR controller (reference crate `kithara-abr`, `AbrController` and its decision flow).
 *
 * `decide` walks the reference's flow, in order:
 *   1. manual mode                                  → 'manual' (the pinned variant)
 *   2. first decision                               → 'initial' (startVariant, else from the
 *                                                     estimate, else from startEstimateBps)
 *   3. less than minSwitchIntervalSec since a switch → 'min-interval', except an urgent down-switch
 *   4. no estimate                                  → 'no-estimate' (keep current)
 *   5. candidate = highest variant with bandwidth ≤ estimate / safetyFactor (else the lowest)
 *   6. candidate above current: buffer < minBufferForUpSwitchSec → 'buffer-too-low';
 *      estimate < candidate × upHysteresis → 'optimal'; else → 'up'
 *   7. candidate below current: buffer ≤ urgentDownSwitchBufferSec → 'urgent-down';
 *      estimate ≤ current × downHysteresis → 'down', unless `segmentSec` is set and the buffer
 *      covers the next segment's download at the current variant with a segment and the urgent
 *      threshold to spare → 'buffer-covers' (a browser addition: a dip the buffer rides out keeps
 *      the quality, as hls.js does); else → 'optimal'
 *   8. same bandwidth → 'optimal'
 *
 * A decision that changes the variant is committed: it becomes `current` and restarts the interval.
 */
import { realClock, type Clock } from '../platform/clock.js';
import { assert } from '../platform/errors.js';
import { isIndex, resolveAbrOptions, type AbrOptions, type ResolvedAbrOptions } from './abr-options.js';
import { ThroughputEstimator, type BandwidthEstimator, type ThroughputSample } from './throughput-estimator.js';

/** One variant as the controller sees it. */
export interface AbrVariant {
  /** The variant's index in the master playlist. */
  index: number;
  /** Bits per second: AVERAGE-BANDWIDTH when the playlist has it, else BANDWIDTH. */
  bandwidth: number;
}

/** Why a decision was made. */
export type AbrReason =
  | 'initial'
  | 'manual'
  | 'up'
  | 'down'
  | 'urgent-down'
  | 'min-interval'
  | 'no-estimate'
  | 'buffer-too-low'
  | 'buffer-covers'
  | 'optimal';

/** The result of {@link AbrController.decide}. */
export interface AbrDecision {
  /** Variant index to load next. */
  target: number;
  /** Why. */
  reason: AbrReason;
  /** `true` when `target` differs from the previous variant, and on the first decision. */
  changed: boolean;
}

/** Injected dependencies of {@link AbrController}. */
export interface AbrControllerDeps {
  /** Clock for the minimum switch interval. Defaults to the real clock. */
  clock?: Clock;
  /** Estimation strategy; may be shared between resources. Defaults to a new {@link ThroughputEstimator}. */
  estimator?: BandwidthEstimator;
}

/** Adaptive bitrate controller for one HLS resource. */
export class AbrController {
  /** The resolved options (defaults filled in). */
  readonly options: Readonly<ResolvedAbrOptions>;
  /** The throughput estimator fed by {@link addSample}. */
  readonly estimator: BandwidthEstimator;
  private readonly clock: Clock;
  private variants: AbrVariant[] = [];
  private modeValue: 'auto' | number;
  private currentIndex: number | undefined;
  private lastSwitchAt: number | undefined;

  /**
   * @param variants the playlist's variants (any order; at least one).
   * @param options user options; see {@link ABR_DEFAULTS} for the defaults.
   */
  constructor(variants: readonly AbrVariant[], options: AbrOptions = {}, deps: AbrControllerDeps = {}) {
    this.options = resolveAbrOptions(options);
    this.clock = deps.clock ?? realClock;
    const o = this.options;
    this.estimator = deps.estimator ?? new ThroughputEstimator({ fastHalfLifeSec: o.fastHalfLifeSec, slowHalfLifeSec: o.slowHalfLifeSec, minSampleBytes: o.minSampleBytes });
    this.setVariants(variants);
    this.modeValue = 'auto';
    if (this.options.mode !== 'auto') this.checkIndex(this.options.mode, 'options.abr.mode');
    this.modeValue = this.options.mode;
    const start = this.options.startVariant;
    if (start !== 'auto') this.checkIndex(start, 'options.abr.startVariant');
  }

  /** The variant of the last decision, `undefined` before the first. */
  get current(): number | undefined {
    return this.currentIndex;
  }

  /** `'auto'`, or the pinned variant index. */
  get mode(): 'auto' | number {
    return this.modeValue;
  }

  /** Pins a variant (manual) or returns to `'auto'`. Takes effect at the next {@link decide}. */
  setMode(mode: 'auto' | number): void {
    if (mode !== 'auto') this.checkIndex(mode, 'mode');
    this.modeValue = mode;
  }

  /**
   * Replaces the variant list (e.g. after a playlist reload). If the current variant is gone, the
   * next decision is an initial one again.
   */
  setVariants(variants: readonly AbrVariant[]): void {
    if (variants.length === 0) throw new TypeError('variants must hold at least one variant.');
    const seen = new Set<number>();
    for (const v of variants) {
      if (!isIndex(v.index) || seen.has(v.index)) {
        throw new TypeError(`variants must have distinct integer indexes from 0; got ${String(v.index)}.`);
      }
      if (typeof v.bandwidth !== 'number' || !Number.isFinite(v.bandwidth) || v.bandwidth <= 0) {
        throw new TypeError(`variant ${v.index} must have a bandwidth above 0; got ${String(v.bandwidth)}.`);
      }
      seen.add(v.index);
    }
    // Ascending bandwidth; equal bandwidths keep playlist order.
    this.variants = variants.map((v) => ({ index: v.index, bandwidth: v.bandwidth }))
      .sort((a, b) => a.bandwidth - b.bandwidth || a.index - b.index);
    if (this.currentIndex !== undefined && !seen.has(this.currentIndex)) {
      this.currentIndex = undefined;
      this.lastSwitchAt = undefined;
    }
    if (this.modeValue !== 'auto' && !seen.has(this.modeValue)) this.modeValue = 'auto';
  }

  /** Feeds a finished download to the estimator. Returns `true` when it was used. */
  addSample(sample: ThroughputSample): boolean {
    return this.estimator.addSample(sample);
  }

  /** The estimator's current estimate in bits per second, or `undefined`. */
  estimateBps(): number | undefined {
    return this.estimator.estimateBps();
  }

  /**
   * Chooses the variant for the next segment and commits it.
   * @param bufferSec seconds of media downloaded ahead of the playback position.
   * @param now the time, in the clock's ms. Defaults to `clock.now()`.
   */
  decide(bufferSec: number, now: number = this.clock.now()): AbrDecision {
    const o = this.options;
    const buffer = Number.isFinite(bufferSec) ? Math.max(0, bufferSec) : 0;

    if (this.modeValue !== 'auto') return this.commit(this.modeValue, 'manual', now);

    const current = this.currentIndex === undefined ? undefined : this.byIndex(this.currentIndex);
    const estimate = this.estimator.estimateBps();
    if (current === undefined) {
      if (o.startVariant !== 'auto' && this.hasIndex(o.startVariant)) return this.commit(o.startVariant, 'initial', now);
      const first = this.select(estimate ?? o.startEstimateBps);
      return this.commit(first.index, 'initial', now);
    }

    const sinceSwitch = this.lastSwitchAt === undefined ? Infinity : now - this.lastSwitchAt;
    if (sinceSwitch < o.minSwitchIntervalSec * 1000) {
      if (estimate !== undefined && buffer <= o.urgentDownSwitchBufferSec) {
        const candidate = this.select(estimate);
        if (candidate.bandwidth < current.bandwidth) return this.commit(candidate.index, 'urgent-down', now);
      }
      return this.keep('min-interval');
    }
    if (estimate === undefined) return this.keep('no-estimate');

    const candidate = this.select(estimate);
    if (candidate.bandwidth > current.bandwidth) {
      if (buffer < o.minBufferForUpSwitchSec) return this.keep('buffer-too-low');
      if (estimate < candidate.bandwidth * o.upHysteresis) return this.keep('optimal');
      return this.commit(candidate.index, 'up', now);
    }
    if (candidate.bandwidth < current.bandwidth) {
      if (buffer <= o.urgentDownSwitchBufferSec) return this.commit(candidate.index, 'urgent-down', now);
      if (estimate <= current.bandwidth * o.downHysteresis) {
        // A dip the buffer rides out: the next segment at the current variant arrives with more
        // than the urgent threshold plus a segment still buffered, so quality need not drop yet.
        const seg = this.segmentSec;
        if (seg > 0 && buffer - (seg * current.bandwidth) / estimate > o.urgentDownSwitchBufferSec + seg) return this.keep('buffer-covers');
        return this.commit(candidate.index, 'down', now);
      }
    }
    return this.keep('optimal');
  }

  /**
   * Typical segment duration in seconds (HLS target duration). When set, a non-urgent down-switch
   * waits while the buffer covers fetching the next segment at the current variant with a segment
   * and the urgent threshold to spare. 0 (the default) disables that check.
   */
  segmentSec = 0;

  /** Highest-bandwidth variant within `estimate / safetyFactor`, else the lowest. */
  private select(estimate: number): AbrVariant {
    const budget = estimate / this.options.safetyFactor;
    let best = this.lowest();
    for (const v of this.variants) {
      if (v.bandwidth <= budget && v.bandwidth > best.bandwidth) best = v;
    }
    return best;
  }

  private lowest(): AbrVariant {
    const first = this.variants[0];
    assert(first !== undefined, 'no variants');
    return first;
  }

  private byIndex(index: number): AbrVariant | undefined {
    return this.variants.find((v) => v.index === index);
  }

  private hasIndex(index: number): boolean {
    return this.byIndex(index) !== undefined;
  }

  private checkIndex(index: number, name: string): void {
    if (!isIndex(index) || !this.hasIndex(index)) {
      const indexes = this.variants.map((v) => v.index).sort((a, b) => a - b).join(', ');
      throw new RangeError(`${name} must be 'auto' or one of the variant indexes ${indexes}; got ${String(index)}.`);
    }
  }

  private keep(reason: AbrReason): AbrDecision {
    const target = this.currentIndex;
    assert(target !== undefined, 'keep without a current variant');
    return { target, reason, changed: false };
  }

  private commit(target: number, reason: AbrReason, now: number): AbrDecision {
    const changed = target !== this.currentIndex;
    if (changed) {
      this.currentIndex = target;
      this.lastSwitchAt = now;
    }
    return { target, reason, changed };
  }
}
