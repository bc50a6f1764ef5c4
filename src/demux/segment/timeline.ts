/**
 * MPEG-2 90 kHz timestamps: 33-bit wrap-around and conversion to frames. Stateful only in the
 * reference point used to unwrap.
 */

/** Ticks per second of MPEG-2 PTS/DTS. */
export const PTS_CLOCK = 90_000;

/** 2^33: PTS values wrap here (about 26.5 hours). */
const WRAP = 2 ** 33;

/**
 * Unwraps 33-bit timestamps: each value is moved by a multiple of 2^33 to lie within half a wrap
 * (13.25 hours) of the previous value unwrapped, so a stream that crosses the wrap keeps growing.
 */
export class PtsUnwrapper {
  private ref: number | undefined;

  /** Returns the unwrapped value of the 33-bit timestamp `raw` and makes it the new reference. */
  unwrap(raw: number): number {
    let v = raw;
    if (this.ref !== undefined) {
      const k = Math.round((this.ref - raw) / WRAP);
      v = raw + k * WRAP;
    }
    this.ref = v;
    return v;
  }
}

/** Frames at `sampleRate` of a 90 kHz timestamp, rounded to the nearest frame. */
export function ptsToFrames(pts: number, sampleRate: number): number {
  return Math.round((pts * sampleRate) / PTS_CLOCK);
}
