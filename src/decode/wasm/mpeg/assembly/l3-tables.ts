// Layer III tables: scalefactor band partitions per sampling frequency (ISO/IEC 11172-3 Table
// 3-B.8, ISO/IEC 13818-3 Table B.2 and MPEG-2.5), pretab, and the scalefactor lengths.

/** Long-block band widths, 22 per rate index (44.1, 48, 32, 22.05, 24, 16, 11.025, 12, 8 kHz). */
const LONG_WIDTHS: StaticArray<u8> = [
  4, 4, 4, 4, 4, 4, 6, 6, 8, 8, 10, 12, 16, 20, 24, 28, 34, 42, 50, 54, 76, 158,
  4, 4, 4, 4, 4, 4, 6, 6, 6, 8, 10, 12, 16, 18, 22, 28, 34, 40, 46, 54, 54, 192,
  4, 4, 4, 4, 4, 4, 6, 6, 8, 10, 12, 16, 20, 24, 30, 38, 46, 56, 68, 84, 102, 26,
  6, 6, 6, 6, 6, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 38, 46, 52, 60, 68, 58, 54,
  6, 6, 6, 6, 6, 6, 8, 10, 12, 14, 16, 18, 22, 26, 32, 38, 46, 52, 64, 70, 76, 36,
  6, 6, 6, 6, 6, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 38, 46, 52, 60, 68, 58, 54,
  6, 6, 6, 6, 6, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 38, 46, 52, 60, 68, 58, 54,
  6, 6, 6, 6, 6, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 38, 46, 52, 60, 68, 58, 54,
  12, 12, 12, 12, 12, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 76, 90, 2, 2, 2, 2, 2,
];
/** Short-block band widths, 13 per rate index. */
const SHORT_WIDTHS: StaticArray<u8> = [
  4, 4, 4, 4, 6, 8, 10, 12, 14, 18, 22, 30, 56,
  4, 4, 4, 4, 6, 6, 10, 12, 14, 16, 20, 26, 66,
  4, 4, 4, 4, 6, 8, 12, 16, 20, 26, 34, 42, 12,
  4, 4, 4, 6, 6, 8, 10, 14, 18, 26, 32, 42, 18,
  4, 4, 4, 6, 8, 10, 12, 14, 18, 24, 32, 44, 12,
  4, 4, 4, 6, 8, 10, 12, 14, 18, 24, 30, 40, 18,
  4, 4, 4, 6, 8, 10, 12, 14, 18, 24, 30, 40, 18,
  4, 4, 4, 6, 8, 10, 12, 14, 18, 24, 30, 40, 18,
  8, 8, 8, 12, 16, 20, 24, 28, 36, 2, 2, 2, 26,
];

/** Band starts of every rate index: long [r * 23 + b] (b = 0..22), short [r * 14 + b] (b = 0..13). */
const LONG_STARTS = new StaticArray<u16>(9 * 23);
const SHORT_STARTS = new StaticArray<u16>(9 * 14);

/** Pre-emphasis added to long-block scalefactors when preflag is set (Table 3-B.6). */
export const PRETAB: StaticArray<u8> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 2, 0];

/** MPEG-1 scalefactor lengths (slen1, slen2) by scalefac_compress. */
export const SLEN1: StaticArray<u8> = [0, 0, 0, 0, 3, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4];
export const SLEN2: StaticArray<u8> = [0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 2, 3];

/**
 * MPEG-2 scalefactor counts per partition (ISO/IEC 13818-3 Table B.3): 6 tables × (long, short,
 * mixed) × 4 partitions; short and mixed counts are of single scalefactors (3 per short band).
 */
export const LSF_COUNTS: StaticArray<u8> = [
  6, 5, 5, 5, 9, 9, 9, 9, 6, 9, 9, 9,
  6, 5, 7, 3, 9, 9, 12, 6, 6, 9, 12, 6,
  11, 10, 0, 0, 18, 18, 0, 0, 15, 18, 0, 0,
  7, 7, 7, 0, 12, 12, 12, 0, 6, 15, 12, 0,
  6, 6, 6, 3, 12, 9, 9, 6, 6, 12, 9, 6,
  8, 8, 5, 0, 15, 12, 9, 0, 6, 18, 9, 0,
];

/** Computes the band starts. */
export function initL3Tables(): void {
  for (let r = 0; r < 9; r++) {
    let at = 0;
    for (let b = 0; b < 22; b++) {
      unchecked((LONG_STARTS[r * 23 + b] = <u16>at));
      at += <i32>unchecked(LONG_WIDTHS[r * 22 + b]);
    }
    unchecked((LONG_STARTS[r * 23 + 22] = <u16>at));
    at = 0;
    for (let b = 0; b < 13; b++) {
      unchecked((SHORT_STARTS[r * 14 + b] = <u16>at));
      at += <i32>unchecked(SHORT_WIDTHS[r * 13 + b]);
    }
    unchecked((SHORT_STARTS[r * 14 + 13] = <u16>at));
  }
}

/** Start line of long band `b` (0..22) at rate index `r`. */
// @ts-ignore: decorator
@inline export function longStart(r: i32, b: i32): i32 {
  return <i32>unchecked(LONG_STARTS[r * 23 + b]);
}

/** Start (in frequency lines of one window) of short band `b` (0..13) at rate index `r`. */
// @ts-ignore: decorator
@inline export function shortStart(r: i32, b: i32): i32 {
  return <i32>unchecked(SHORT_STARTS[r * 14 + b]);
}
