/** A FIFO of planar PCM blocks, read in pieces of any size. Owned by one pipeline. */

/** Planar PCM with a frame count. */
export interface PlanarBlock {
  planes: Float32Array[];
  frames: number;
}

/** FIFO of planar blocks that hands out up to N frames at a time. */
export class PcmQueue {
  private blocks: PlanarBlock[] = [];
  private head = 0; // frames already taken from blocks[0]
  private total = 0;

  get frames(): number {
    return this.total;
  }

  push(block: PlanarBlock): void {
    if (block.frames <= 0) return;
    this.blocks.push(block);
    this.total += block.frames;
  }

  /**
   * Takes up to `max` frames as one block: a view when it lies in the first block, else a copy
   * gathered across blocks. With `partial`, never copies: at most the rest of the first block.
   */
  take(max: number, partial = false): PlanarBlock | null {
    const first = this.blocks[0];
    if (first === undefined || max <= 0) return null;
    const avail = first.frames - this.head;
    if (avail >= max || this.blocks.length === 1 || partial) {
      const n = Math.min(avail, max);
      const planes = first.planes.map((p) => p.subarray(this.head, this.head + n));
      this.head += n;
      this.total -= n;
      if (this.head >= first.frames) {
        this.blocks.shift();
        this.head = 0;
      }
      return { planes, frames: n };
    }
    // Gather across blocks.
    const n = Math.min(max, this.total);
    const planes = first.planes.map(() => new Float32Array(n));
    let filled = 0;
    while (filled < n) {
      const b = this.blocks[0];
      if (b === undefined) break;
      const k = Math.min(b.frames - this.head, n - filled);
      for (let ch = 0; ch < planes.length; ch++) {
        (planes[ch] as Float32Array).set((b.planes[ch] as Float32Array).subarray(this.head, this.head + k), filled);
      }
      filled += k;
      this.head += k;
      if (this.head >= b.frames) {
        this.blocks.shift();
        this.head = 0;
      }
    }
    this.total -= filled;
    return { planes, frames: filled };
  }

  /** Removes and returns (as a copy) the last `n` frames, or fewer when fewer are held. */
  takeTail(n: number): PlanarBlock {
    const count = Math.max(0, Math.min(n, this.total));
    const first = this.blocks[0];
    const planes = (first?.planes ?? []).map(() => new Float32Array(count));
    let left = count;
    while (left > 0) {
      const b = this.blocks[this.blocks.length - 1] as PlanarBlock;
      const avail = b.frames - (this.blocks.length === 1 ? this.head : 0);
      const k = Math.min(avail, left);
      const at = left - k;
      for (let ch = 0; ch < planes.length; ch++) {
        (planes[ch] as Float32Array).set((b.planes[ch] as Float32Array).subarray(b.frames - k, b.frames), at);
      }
      left -= k;
      if (k === avail) {
        this.blocks.pop();
        if (this.blocks.length === 0) this.head = 0;
      } else {
        this.blocks[this.blocks.length - 1] = { planes: b.planes.map((p) => p.subarray(0, b.frames - k)), frames: b.frames - k };
      }
    }
    this.total -= count;
    return { planes, frames: count };
  }

  clear(): void {
    this.blocks = [];
    this.head = 0;
    this.total = 0;
  }
}
