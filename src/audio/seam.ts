/**
 * The seam of a format switch (an HLS variant change that needs a new decoder): the old
 * stream's last few milliseconds are held back, the new stream is decoded from a little
 * earlier, dropped up to the start of the held audio, then the two overlap with a raised-cosine
 * crossfade. The timeline stays unbroken: the new stream's frame at output time `t` replaces
 * the old stream's frame at `t`, so nothing is skipped or repeated and no click is left at the
 * join even when the two encodes differ in rate, channels or codec.
 *
 * Ownership: one seam belongs to one pipeline and lives from the switch until the fade is done.
 */
import type { PlanarBlock } from './pcm-queue.js';

/** Length of the crossfade at a variant switch, in seconds. */
export const SEAM_FADE_SEC = 0.008;
/**
 * How much earlier than the fade the new stream's output starts, in seconds: the new
 * resampler's history starts empty, and its first half-filter of output is dropped here.
 */
export const SEAM_WARMUP_SEC = 0.01;

/** Joins the new stream's output to the held end of the old one. */
export class Seam {
  /** Output time (s) of the next frame of the new stream, once known. */
  private pos: number | undefined;
  /** Held frames already mixed. */
  private mixed = 0;

  /**
   * @param fadeStart  Output time (s) of the first held frame: where the fade begins.
   * @param held       The old stream's last frames, from `fadeStart` on (may be empty).
   * @param outRate    Output sample rate.
   */
  constructor(
    readonly fadeStart: number,
    private readonly held: PlanarBlock,
    private readonly outRate: number,
  ) {}

  /** True once the fade is complete: later blocks pass unchanged. */
  get done(): boolean {
    return this.pos !== undefined && this.pos >= this.fadeStart - 0.5 / this.outRate && this.mixed >= this.held.frames;
  }

  /**
   * Takes one converted block of the new stream; `time` is the output time of its first frame
   * (only the first block's is used; later blocks follow on). Returns what to queue, or null.
   */
  accept(block: PlanarBlock, time: number): PlanarBlock | null {
    if (this.pos === undefined) this.pos = time;
    let from = 0;
    // Drop the new stream's frames before the fade.
    const early = Math.round((this.fadeStart - this.pos) * this.outRate);
    if (early > 0) from = Math.min(early, block.frames);
    this.pos += from / this.outRate;
    if (from >= block.frames) return null;
    const frames = block.frames - from;
    const planes = block.planes.map((p) => p.slice(from, from + frames));
    const n = Math.min(frames, this.held.frames - this.mixed);
    const total = this.held.frames;
    for (let ch = 0; ch < planes.length; ch++) {
      const out = planes[ch] as Float32Array;
      const old = this.held.planes[Math.min(ch, this.held.planes.length - 1)] as Float32Array | undefined;
      if (old === undefined) continue;
      for (let i = 0; i < n; i++) {
        const k = this.mixed + i;
        const w = 0.5 - 0.5 * Math.cos((Math.PI * (k + 0.5)) / total);
        out[i] = (old[k] as number) * (1 - w) + (out[i] as number) * w;
      }
    }
    this.mixed += n;
    this.pos += frames / this.outRate;
    return { planes, frames };
  }
}
