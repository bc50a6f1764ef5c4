/**
 * Hands out Float32Array planes as views into large shared blocks, so a decoder or converter
 * that emits thousands of small planes per second allocates one backing store per block instead
 * of one per plane (each `new Float32Array(n)` is an allocation, a zero fill and later GC work).
 *
 * A block is never written twice: when it is used up, the next plane starts a new block and the
 * old one lives as long as some view of it does. So a view stays valid and private to its
 * taker, exactly like a fresh array; only its `buffer` is shared (never transfer it).
 */

/** Floats per block, by default: 256 KiB, about 1.4 s of stereo at 48 kHz. */
export const PLANE_ARENA_BLOCK = 65536;

/** A bump allocator of Float32Array planes (see the module notes). */
export class PlaneArena {
  private block: Float32Array = new Float32Array(0);
  private used = 0;

  /** @param blockFloats - floats per block; planes over a quarter of it get arrays of their own. */
  constructor(private readonly blockFloats = PLANE_ARENA_BLOCK) {}

  /** A plane of `n` floats, zeroed (a region of a block is handed out once). */
  take(n: number): Float32Array {
    if (n * 4 > this.blockFloats) return new Float32Array(n);
    if (this.used + n > this.block.length) {
      this.block = new Float32Array(this.blockFloats);
      this.used = 0;
    }
    const plane = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return plane;
  }

  /** `count` planes of `n` floats each. */
  planes(count: number, n: number): Float32Array[] {
    const out: Float32Array[] = [];
    for (let i = 0; i < count; i++) out.push(this.take(n));
    return out;
  }
}
