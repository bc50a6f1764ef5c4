// Decoder-wide state shared by the modules: error codes, the first error of the current call,
// feature counters (read by the tests to prove which coding tools a stream used), and the math
// functions imported from the host (used only while building tables at setup time).

/** Error codes returned (negated) by the exported functions. */
export const ERR_TRUNCATED: i32 = 1;
export const ERR_MALFORMED: i32 = 2;
export const ERR_UNSUPPORTED: i32 = 3;
export const ERR_NOT_AUDIO: i32 = 4;
export const ERR_NOT_CONFIGURED: i32 = 5;
export const ERR_BAD_PACKET: i32 = 6;

/** The first error of this call (0 = none) and a detail number for diagnostics. */
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

/** Clears the error before a call. */
export function clearError(): void {
  errorCode = 0;
  errorDetail = 0;
}

// Feature counters, indices shared with the TypeScript wrapper (VORBIS_STAT_NAMES there).
export const STAT_PACKETS: i32 = 0;
export const STAT_LONG: i32 = 1;
export const STAT_SHORT: i32 = 2;
export const STAT_TRANSITIONS: i32 = 3;
export const STAT_FLOOR0: i32 = 4;
export const STAT_FLOOR1: i32 = 5;
export const STAT_FLOOR_UNUSED: i32 = 6;
export const STAT_RESIDUE0: i32 = 7;
export const STAT_RESIDUE1: i32 = 8;
export const STAT_RESIDUE2: i32 = 9;
export const STAT_COUPLED: i32 = 10;
export const STAT_END_OF_PACKET: i32 = 11;
export const STAT_COUNT: i32 = 12;

/** The counters. */
export const stats = new StaticArray<i32>(STAT_COUNT);

// @ts-ignore: decorator
@inline export function count(i: i32): void {
  unchecked((stats[i] += 1));
}

// Host math, called only while tables are built (keeps libm out of the module).
// @ts-ignore: decorator
@external('env', 'cos') export declare function hostCos(x: f64): f64;
// @ts-ignore: decorator
@external('env', 'sin') export declare function hostSin(x: f64): f64;
// @ts-ignore: decorator
@external('env', 'exp') export declare function hostExp(x: f64): f64;

/** ilog (Vorbis I §9.2.1): the position of the highest set bit, 0 for 0 and negatives. */
// @ts-ignore: decorator
@inline export function ilog(x: i32): i32 {
  return x <= 0 ? 0 : 32 - clz<i32>(x);
}
