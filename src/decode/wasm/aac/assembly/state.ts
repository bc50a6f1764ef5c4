// Decoder-wide state shared by the modules: the stream configuration, the first error of the
// current access unit, and feature counters (read by the tests to prove coverage).

import { swbLong, swbShort } from './tables';

/** Error codes returned (negated) by `decodeFrame`. */
export const ERR_TRUNCATED: i32 = 1;
export const ERR_SYNTAX: i32 = 2;
export const ERR_UNSUPPORTED: i32 = 3;
export const ERR_CHANNELS: i32 = 4;
export const ERR_NOT_CONFIGURED: i32 = 5;
export const ERR_TOO_LARGE: i32 = 6;

/** The first error of this access unit (0 = none) and a detail number for diagnostics. */
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

/** Clears the error before an access unit. */
export function clearError(): void {
  errorCode = 0;
  errorDetail = 0;
}

// Feature counters, indices shared with the TypeScript wrapper (AAC_STAT_NAMES there).
export const STAT_FRAMES: i32 = 0;
export const STAT_SCE: i32 = 1;
export const STAT_CPE: i32 = 2;
export const STAT_LFE: i32 = 3;
export const STAT_LONG: i32 = 4;
export const STAT_START: i32 = 5;
export const STAT_SHORT: i32 = 6;
export const STAT_STOP: i32 = 7;
export const STAT_KBD: i32 = 8;
export const STAT_COMMON_WINDOW: i32 = 9;
export const STAT_MS_BANDS: i32 = 10;
export const STAT_IS_BANDS: i32 = 11;
export const STAT_PNS_BANDS: i32 = 12;
export const STAT_TNS_FILTERS: i32 = 13;
export const STAT_PULSE: i32 = 14;
export const STAT_ESCAPES: i32 = 15;
export const STAT_GROUPED: i32 = 16;
export const STAT_FIL: i32 = 17;
export const STAT_DSE: i32 = 18;
export const STAT_PCE: i32 = 19;
export const STAT_SBR: i32 = 20;
export const STAT_SHAPE_SWITCH: i32 = 21;
export const STAT_COUNT: i32 = 22;

/** The counters. */
export const stats = new StaticArray<i32>(STAT_COUNT);

// @ts-ignore: decorator
@inline export function count(i: i32, n: i32 = 1): void {
  unchecked((stats[i] += n));
}

/** Sampling frequency index of the stream. */
export let sfi: i32 = 4;
/** Scalefactor band offsets and band counts of the stream's rate. */
export let swbL: StaticArray<u16> = swbLong(4);
export let swbS: StaticArray<u16> = swbShort(4);
export let numSwbL: i32 = 49;
export let numSwbS: i32 = 14;

/** Selects the band tables of a sampling frequency index (0..12). */
export function setRate(index: i32): void {
  sfi = index;
  swbL = swbLong(index);
  swbS = swbShort(index);
  numSwbL = swbL.length - 1;
  numSwbS = swbS.length - 1;
}
