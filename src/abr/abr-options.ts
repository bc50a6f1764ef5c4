/**
 * ABR defaults, in one place, and the check that turns user {@link AbrOptions} into resolved ones.
 *
 * The reference (`kithara-abr`) waits 30 s between switches and wants 10 s of buffer before an
 * up-switch, tuned for long native sessions. In a browser, audio HLS segments are 2–6 s long and
 * test or preview streams often last well under a minute, so those numbers would mean the player
 * never adapts. The browser defaults below are scaled to segment lengths instead; the ratios
 * (safety factor and both hysteresis bands) keep the reference's values.
 */
import type { AbrOptions } from '../player/types.js';
import { ESTIMATOR_DEFAULTS } from './throughput-estimator.js';

export type { AbrOptions };

/** Defaults of {@link AbrOptions}, in one place. */
export const ABR_DEFAULTS = {
  /** Defaults to `'auto'`: adapt to the network. */
  mode: 'auto' as 'auto' | number,
  /**
   * Defaults to 1.25: a variant is a candidate when its bandwidth is at most 80 % of the estimate,
   * leaving room for estimation error and request overhead (the reference's value).
   */
  safetyFactor: 1.25,
  /**
   * Defaults to 1.3: switching up also needs an estimate of at least 1.3 × the candidate's
   * bandwidth (the reference's value).
   */
  upHysteresis: 1.3,
  /**
   * Defaults to 0.8: with enough buffer, a down-switch needs the estimate to fall to 0.8 × the
   * current bandwidth (the reference's value). Between 0.8 × and 1.25 × the current variant stays.
   */
  downHysteresis: 0.8,
  /**
   * Defaults to 6 s (reference: 10 s): one typical 6 s segment, or three 2 s segments, of media in
   * hand while the first, larger segment of the higher variant downloads. 10 s would block every
   * up-switch on short streams.
   */
  minBufferForUpSwitchSec: 6,
  /**
   * Defaults to 3 s (reference: 5 s): when the estimate already says the current variant does not
   * fit and less than 3 s are buffered, the next segment at the current rate would likely stall
   * playback, so the controller switches down at once, even inside the minimum switch interval.
   */
  urgentDownSwitchBufferSec: 3,
  /**
   * Defaults to 4 s (reference: 30 s): about one segment. The slow 10 s average and the hysteresis
   * bands already damp oscillation; the interval only prevents back-to-back flips, and the down-switch
   * that matters is urgent and ignores it.
   */
  minSwitchIntervalSec: 4,
  /**
   * Defaults to `'auto'`: the first decision picks from the estimate when one exists (an estimator
   * shared across resources), else the lowest-bandwidth variant, which starts fastest and yields the
   * first throughput sample soonest.
   */
  startVariant: 'auto' as 'auto' | number,
  /**
   * Defaults to 500 000 bit/s (hls.js's default estimate) for the first decision when nothing has
   * been measured. The reference starts on the lowest variant; in a browser that means the 30 s
   * look-ahead fills with the lowest quality before the first measured up-switch is heard. Kithara
   * plays a segment as it arrives, so a higher start costs little time to first audio.
   */
  startEstimateBps: 500_000,
  /** Defaults to 2 s (the reference's value): the fast average follows a drop within a couple of segments. */
  fastHalfLifeSec: ESTIMATOR_DEFAULTS.fastHalfLifeSec,
  /** Defaults to 10 s (the reference's value): an improvement must last before it counts. */
  slowHalfLifeSec: ESTIMATOR_DEFAULTS.slowHalfLifeSec,
  /** Defaults to 16000 bytes (the reference's noise floor). */
  minSampleBytes: ESTIMATOR_DEFAULTS.minSampleBytes,
  /**
   * Defaults to 30 s: enough to ride out a long dip (the ABR trace's 20 s at 150 kbit/s), while a
   * seek or an up-switch wastes at most that much download.
   */
  lookAheadSec: 30,
  /**
   * Defaults to 8 s (two typical segments): an up-switch with more queued re-fetches the segments
   * playback has not started, so the better quality is heard within seconds, not after 30.
   */
  upCatchUpSec: 8,
  /** Defaults to 8 ms: long enough that the join of two encodes never clicks, short enough to be inaudible. */
  switchCrossfadeMs: 8,
} as const;

/** {@link AbrOptions} with every field filled in. */
export type ResolvedAbrOptions = { -readonly [K in keyof AbrOptions]-?: NonNullable<AbrOptions[K]> };

/** Checks `options` (house wording) and fills in {@link ABR_DEFAULTS}. Throws `TypeError` on bad values. */
export function resolveAbrOptions(options: AbrOptions = {}): ResolvedAbrOptions {
  return {
    mode: choice('mode', options.mode, ABR_DEFAULTS.mode),
    safetyFactor: num('safetyFactor', options.safetyFactor, ABR_DEFAULTS.safetyFactor, 0.5, 10),
    upHysteresis: num('upHysteresis', options.upHysteresis, ABR_DEFAULTS.upHysteresis, 0.5, 10),
    downHysteresis: num('downHysteresis', options.downHysteresis, ABR_DEFAULTS.downHysteresis, 0, 1),
    minBufferForUpSwitchSec: num('minBufferForUpSwitchSec', options.minBufferForUpSwitchSec, ABR_DEFAULTS.minBufferForUpSwitchSec, 0, 3600),
    urgentDownSwitchBufferSec: num('urgentDownSwitchBufferSec', options.urgentDownSwitchBufferSec, ABR_DEFAULTS.urgentDownSwitchBufferSec, 0, 3600),
    minSwitchIntervalSec: num('minSwitchIntervalSec', options.minSwitchIntervalSec, ABR_DEFAULTS.minSwitchIntervalSec, 0, 3600),
    startVariant: choice('startVariant', options.startVariant, ABR_DEFAULTS.startVariant),
    startEstimateBps: num('startEstimateBps', options.startEstimateBps, ABR_DEFAULTS.startEstimateBps, 0, 1e12),
    fastHalfLifeSec: num('fastHalfLifeSec', options.fastHalfLifeSec, ABR_DEFAULTS.fastHalfLifeSec, 0.1, 600),
    slowHalfLifeSec: num('slowHalfLifeSec', options.slowHalfLifeSec, ABR_DEFAULTS.slowHalfLifeSec, 0.1, 600),
    minSampleBytes: num('minSampleBytes', options.minSampleBytes, ABR_DEFAULTS.minSampleBytes, 0, 1e9),
    lookAheadSec: num('lookAheadSec', options.lookAheadSec, ABR_DEFAULTS.lookAheadSec, 1, 3600),
    upCatchUpSec: num('upCatchUpSec', options.upCatchUpSec, ABR_DEFAULTS.upCatchUpSec, 0, 3600),
    switchCrossfadeMs: num('switchCrossfadeMs', options.switchCrossfadeMs, ABR_DEFAULTS.switchCrossfadeMs, 0, 100),
  };
}

function num(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`options.abr.${name}, when provided, must be a number from ${min} to ${max}.`);
  }
  return value;
}

function choice(name: string, value: unknown, fallback: 'auto' | number): 'auto' | number {
  if (value === undefined) return fallback;
  if (value === 'auto' || isIndex(value)) return value;
  throw new TypeError(`options.abr.${name}, when provided, must be 'auto' or a variant index (an integer from 0).`);
}

/** `true` for a non-negative safe integer. @internal */
export function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
