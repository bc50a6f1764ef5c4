/**
 * Converts decoded planar PCM to the output format: channel map, then resample.
 * Channels are mapped before resampling when that means fewer channels to resample.
 * One converter per (input rate, input channels); the pipeline makes a new one on change.
 */
import { mapChannels } from './channel-map.js';
import { Resampler, type ResamplerQuality } from './resampler.js';
import type { PlanarBlock } from './pcm-queue.js';
import { PlaneArena, releasePlanes } from '../decode/plane-arena.js';

/** Channel map + resampler for one input format. */
export class PcmConverter {
  private readonly resampler: Resampler | undefined;
  /** Channels going through the resampler. */
  private readonly midChannels: number;
  /** Output planes are views into shared blocks (see PlaneArena). */
  private readonly arena = new PlaneArena();

  constructor(
    readonly inRate: number,
    readonly inChannels: number,
    readonly outRate: number,
    readonly outChannels: number,
    quality: ResamplerQuality,
  ) {
    this.midChannels = Math.min(inChannels, outChannels);
    this.resampler = inRate === outRate ? undefined : new Resampler({ inRate, outRate, channels: this.midChannels, quality });
  }

  /** Converts `frames` frames of `planes`. */
  process(planes: readonly Float32Array[], frames: number): PlanarBlock {
    const pre = this.midChannels === this.inChannels ? planes : this.map(planes, frames, this.midChannels);
    let mid: readonly Float32Array[] = pre;
    let n = frames;
    if (this.resampler !== undefined) {
      n = this.resampler.outputFramesFor(frames);
      const out = this.arena.planes(this.midChannels, n);
      this.resampler.process(pre, frames, out);
      mid = out;
      // The resampler copied its input into its history: the decoded planes (and a mapped copy)
      // are used up, and their memory can serve later planes.
      releasePlanes(planes);
      if (pre !== planes) releasePlanes(pre);
    }
    const post = this.midChannels === this.outChannels ? mid : this.map(mid, n, this.outChannels);
    return { planes: post === planes ? post.map((p) => p.subarray(0, n)) : (post as Float32Array[]), frames: n };
  }

  /** Emits the resampler's tail at the end of the stream. */
  flush(): PlanarBlock {
    if (this.resampler === undefined) return { planes: [], frames: 0 };
    const n = this.resampler.flushFrames();
    const out = this.arena.planes(this.midChannels, n);
    this.resampler.flush(out);
    const post = this.midChannels === this.outChannels ? out : this.map(out, n, this.outChannels);
    return { planes: post, frames: n };
  }

  /** Forgets history (after a seek). */
  reset(): void {
    this.resampler?.reset();
  }

  private map(planes: readonly Float32Array[], frames: number, channels: number): Float32Array[] {
    const out = this.arena.planes(channels, frames);
    mapChannels(planes, frames, channels, out);
    return out;
  }
}
