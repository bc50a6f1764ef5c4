/**
 * Hands out Float32Array planes as views into large shared blocks, so a decoder or converter
 * that emits thousands of small planes per second allocates one backing store per block instead
 * of one per plane (each `new Float32Array(n)` is an allocation, a zero fill and later GC work).
 *
 * A block is handed out once per use: when it is used up, the next plane starts a new block and
 * the old one lives as long as some view of it does. So a view stays valid and private to its
 * taker, exactly like a fresh array, until its taker gives it back with {@link releasePlanes};
 * only its `buffer` is shared (never transfer it). A block all of whose planes were given back is
 * used again.
 */

/** Floats per block, by default: 256 KiB, about 1.4 s of stereo at 48 kHz. */
export const PLANE_ARENA_BLOCK = 65536;

/** What an arena knows of one of its blocks: floats handed out and floats given back. */
interface BlockState {
  readonly arena: PlaneArena;
  readonly block: Float32Array;
  handed: number;
  released: number;
  /** The arena has moved on to a newer block. */
  retired: boolean;
}

/** Blocks handed out, by backing buffer (so a released plane finds its block). */
const blockStates = new WeakMap<ArrayBufferLike, BlockState>();

/** Used-up blocks an arena keeps for reuse, at most. */
const MAX_FREE_BLOCKS = 4;

/**
 * Gives planes back to the arena they came from, for a consumer that has read them and holds
 * no other view of them (the engine, once it has interleaved a block into a read result; a
 * converter, once its resampler has copied the input). A block whose every plane came back is
 * reused for later planes instead of a fresh allocation, whose pages the system must fault in
 * and zero on first touch (about 2 µs per 4 KiB here: a sixth of a bulk read's time went to
 * it). Planes not taken from an arena are ignored, and a plane that is never given back only
 * keeps its block from being reused. A plane must be given back at most once, and no view of
 * it may be used afterwards.
 */
export function releasePlanes(planes: readonly Float32Array[]): void {
  for (const p of planes) {
    const state = blockStates.get(p.buffer);
    if (state === undefined || p.length === 0) continue;
    state.released += p.length;
    if (state.retired && state.released >= state.handed) state.arena.reclaim(state);
  }
}

/** A bump allocator of Float32Array planes (see the module notes and {@link releasePlanes}). */
export class PlaneArena {
  private block: Float32Array = new Float32Array(0);
  private state: BlockState | undefined;
  private used = 0;
  /** Blocks whose planes all came back, zeroed again when taken. */
  private readonly free: Float32Array[] = [];

  /** @param blockFloats - floats per block; planes over a quarter of it get arrays of their own. */
  constructor(private readonly blockFloats = PLANE_ARENA_BLOCK) {}

  /** A plane of `n` floats, zeroed (a region of a block is handed out once per use of the block). */
  take(n: number): Float32Array {
    if (n * 4 > this.blockFloats) return new Float32Array(n);
    if (this.used + n > this.block.length) this.next();
    const plane = this.block.subarray(this.used, this.used + n);
    this.used += n;
    // (Before the first block, a zero-length plane is a view of the empty array: nothing to count.)
    if (this.state !== undefined) this.state.handed += n;
    return plane;
  }

  /** `count` planes of `n` floats each. */
  planes(count: number, n: number): Float32Array[] {
    const out: Float32Array[] = [];
    for (let i = 0; i < count; i++) out.push(this.take(n));
    return out;
  }

  /** Blocks kept for reuse now (tests). */
  get freeBlocks(): number {
    return this.free.length;
  }

  /**
   * Takes back a retired block whose planes all came back.
   * @internal (called by {@link releasePlanes})
   */
  reclaim(state: BlockState): void {
    if (blockStates.get(state.block.buffer) !== state) return;
    blockStates.delete(state.block.buffer);
    if (this.free.length < MAX_FREE_BLOCKS) this.free.push(state.block);
  }

  /** Retires the current block and starts the next: a reclaimed one (zeroed) or a new one. */
  private next(): void {
    const old = this.state;
    if (old !== undefined) {
      old.retired = true;
      if (old.released >= old.handed) this.reclaim(old);
    }
    const reused = this.free.pop();
    if (reused !== undefined) reused.fill(0);
    this.block = reused ?? new Float32Array(this.blockFloats);
    this.state = { arena: this, block: this.block, handed: 0, released: 0, retired: false };
    blockStates.set(this.block.buffer, this.state);
    this.used = 0;
  }
}
