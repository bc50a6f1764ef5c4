// MSB-first bit reader. One reader, module-global state: it reads either the frame in `input`
// (header, CRC, side information, layer I/II data) or the layer III main data assembled in the
// bit reservoir. Reads past the end see zero padding; callers compare `bitPos` with their limit.

/** Largest frame accepted, in bytes (free-format layer II at 640 kbit/s and 32 kHz is 2880). */
export const MAX_INPUT: i32 = 8192;
/** Zero bytes kept after the readable area, so a 32-bit load never leaves it. */
export const PADDING: i32 = 8;

/** The frame being decoded (JS writes it at `inputPtr()`). */
export const input = new StaticArray<u8>(MAX_INPUT + PADDING);

let base: usize = changetype<usize>(input);
/** Current bit position, counted from the start of the buffer being read. */
export let bitPos: i32 = 0;

/** Starts reading the buffer at `ptr`, at bit `startBit`. */
export function beginBits(ptr: usize, startBit: i32): void {
  base = ptr;
  bitPos = startBit;
}

/** The next `n` bits (1..25) without consuming them. */
// @ts-ignore: decorator
@inline export function peekBits(n: i32): u32 {
  const p = bitPos;
  const w = bswap<u32>(load<u32>(base + <usize>(p >>> 3)));
  return (w << <u32>(p & 7)) >>> <u32>(32 - n);
}

/** Reads `n` bits (0..25). */
// @ts-ignore: decorator
@inline export function readBits(n: i32): u32 {
  if (n == 0) return 0;
  const v = peekBits(n);
  bitPos += n;
  return v;
}

/** Reads one bit. */
// @ts-ignore: decorator
@inline export function readBit(): u32 {
  const p = bitPos;
  bitPos = p + 1;
  return (<u32>load<u8>(base + <usize>(p >>> 3)) >>> <u32>(7 - (p & 7))) & 1;
}

/** Consumes `n` bits. */
// @ts-ignore: decorator
@inline export function skipBits(n: i32): void {
  bitPos += n;
}

/** Moves the read position to bit `p`. */
// @ts-ignore: decorator
@inline export function seekBits(p: i32): void {
  bitPos = p;
}
