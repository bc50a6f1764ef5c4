/**
 * A compact index of the byte offsets of consecutive frames, filled as frames are read in
 * order from the first one. Used by the frame-sequential demuxers (MP3, ADTS) so that a
 * seek into the already-scanned region is exact. Four bytes per frame (offsets relative to
 * the first frame); indexing stops silently past 4 GiB.
 */

const INITIAL_CAPACITY = 1024;
const MAX_RELATIVE = 0xffffffff;

/** Offsets of frames 0..count-1. */
export class FrameIndex {
  private offsets = new Uint32Array(INITIAL_CAPACITY);
  private n = 0;
  private full = false;

  /** @param base Byte offset of frame 0. */
  constructor(readonly base: number) {}

  /** Frames indexed so far. */
  get count(): number {
    return this.n;
  }

  /** Appends frame `count` at byte `offset`. */
  push(offset: number): void {
    const rel = offset - this.base;
    if (this.full || rel < 0 || rel > MAX_RELATIVE) {
      this.full = true;
      return;
    }
    if (this.n === this.offsets.length) {
      const grown = new Uint32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.n++] = rel;
  }

  /** Byte offset of frame `i` (`0 <= i < count`). */
  at(i: number): number {
    return this.base + (this.offsets[i] as number);
  }
}
