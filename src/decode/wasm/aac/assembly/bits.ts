// MSB-first bit reader over the static input buffer. One reader, module-global state: the
// decoder handles one access unit at a time. Reads past the end return zero bits; callers
// check `overrun()` at least once per scalefactor band, and the buffer has enough zero padding
// that no read between two checks can leave it.

/** Largest access unit accepted, in bytes (8 channels × 6144 bits is 6144 bytes; room to spare). */
export const MAX_INPUT: i32 = 65536;
const PADDING: i32 = 4096;

/** The access unit being decoded (JS writes it at `inputPtr()`). */
export const input = new StaticArray<u8>(MAX_INPUT + PADDING);
const base: usize = changetype<usize>(input);

/** Current bit position. */
export let bitPos: i32 = 0;
/** Bits in the current access unit. */
export let bitEnd: i32 = 0;

/** Starts reading an access unit of `bytes` bytes, zeroing the padding after it. */
export function beginBits(bytes: i32): void {
  memory.fill(base + <usize>bytes, 0, <usize>PADDING);
  bitPos = 0;
  bitEnd = bytes << 3;
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

/** Moves to the next byte boundary. */
export function byteAlign(): void {
  bitPos = (bitPos + 7) & ~7;
}

/** Whether more bits were read than the access unit has. */
// @ts-ignore: decorator
@inline export function overrun(): bool {
  return bitPos > bitEnd;
}

/** Bits left (negative after an overrun). */
// @ts-ignore: decorator
@inline export function bitsLeft(): i32 {
  return bitEnd - bitPos;
}
