// LSB-first bit reader (Vorbis I §2) over the input buffer. One reader, module-global state:
// the decoder handles one packet at a time. Reads past the end return zero bits (the buffer
// has zero padding) and make `overrun()` true; callers check it where the specification's
// end-of-packet rules apply.

const PADDING: i32 = 64;

/** The input buffer (JS writes a packet at `inputAddress()`); grows for large setup headers. */
let input = new StaticArray<u8>(16384 + PADDING);
let base: usize = changetype<usize>(input);

/** Current bit position. */
export let bitPos: i32 = 0;
/** Bits in the current packet. */
export let bitEnd: i32 = 0;

/** Makes room for a packet of `bytes` bytes and returns where to write it. */
export function reserveInput(bytes: i32): usize {
  if (bytes + PADDING > input.length) {
    input = new StaticArray<u8>(bytes + PADDING);
    base = changetype<usize>(input);
  }
  return base;
}

/** Starts reading a packet of `bytes` bytes (already written), zeroing the padding after it. */
export function beginBits(bytes: i32): void {
  memory.fill(base + <usize>bytes, 0, <usize>PADDING);
  bitPos = 0;
  bitEnd = bytes << 3;
}

/** The next `n` bits (0..32) without consuming them. */
// @ts-ignore: decorator
@inline export function peekBits(n: i32): u32 {
  const p = bitPos;
  const w = load<u64>(base + <usize>(p >>> 3)) >> <u64>(p & 7);
  return <u32>(w & ((<u64>1 << <u64>n) - 1));
}

/** Reads `n` bits (0..32), least significant first. */
// @ts-ignore: decorator
@inline export function readBits(n: i32): u32 {
  const v = peekBits(n);
  bitPos += n;
  return v;
}

/** Reads one bit. */
// @ts-ignore: decorator
@inline export function readBit(): u32 {
  const p = bitPos;
  bitPos = p + 1;
  return (<u32>load<u8>(base + <usize>(p >>> 3)) >>> <u32>(p & 7)) & 1;
}

/** Whether more bits were read than the packet has. */
// @ts-ignore: decorator
@inline export function overrun(): bool {
  return bitPos > bitEnd;
}

