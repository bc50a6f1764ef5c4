// Decoder-wide state shared by the modules: the first error of the current frame and the
// feature counters (read by the tests to prove which coding tools a stream exercised).

/** Error codes returned (negated) by `decodeFrame`. */
export const ERR_TRUNCATED: i32 = 1;
export const ERR_SYNTAX: i32 = 2;
export const ERR_UNSUPPORTED: i32 = 3;
export const ERR_TOO_LARGE: i32 = 4;

/** The first error of this frame (0 = none) and a detail number for diagnostics. */
export let errorCode: i32 = 0;
export let errorDetail: i32 = 0;

/** Records an error (the first one wins). Always returns false, for `return fail(...)`. */
export function fail(code: i32, detail: i32): bool {
  if (errorCode == 0) {
    errorCode = code;
    errorDetail = detail;
  }
  return false;
}

/** Clears the error before a frame. */
export function clearError(): void {
  errorCode = 0;
  errorDetail = 0;
}

// Feature counters; the indices are shared with the TypeScript wrapper (MPEG_STAT_NAMES there).
export const STAT_FRAMES: i32 = 0;
export const STAT_LAYER1: i32 = 1;
export const STAT_LAYER2: i32 = 2;
export const STAT_LAYER3: i32 = 3;
export const STAT_MPEG1: i32 = 4;
export const STAT_MPEG2: i32 = 5;
export const STAT_MPEG25: i32 = 6;
export const STAT_CRC: i32 = 7;
export const STAT_FREE_FORMAT: i32 = 8;
export const STAT_MONO: i32 = 9;
export const STAT_STEREO: i32 = 10;
export const STAT_JOINT: i32 = 11;
export const STAT_DUAL: i32 = 12;
export const STAT_MS: i32 = 13;
export const STAT_INTENSITY: i32 = 14;
export const STAT_LONG: i32 = 15;
export const STAT_START: i32 = 16;
export const STAT_SHORT: i32 = 17;
export const STAT_MIXED: i32 = 18;
export const STAT_STOP: i32 = 19;
export const STAT_RESERVOIR_MISS: i32 = 20;
export const STAT_ESCAPES: i32 = 21;
export const STAT_SCFSI: i32 = 22;
export const STAT_PREFLAG: i32 = 23;
export const STAT_COUNT: i32 = 24;

/** The counters. */
export const stats = new StaticArray<i32>(STAT_COUNT);

// @ts-ignore: decorator
@inline export function count(i: i32, n: i32 = 1): void {
  unchecked((stats[i] += n));
}
