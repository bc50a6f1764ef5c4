/**
 * The shared half of every software decoder: a {@link Decoder} over a synchronous, one packet
 * at a time {@link PacketCodec} (a WASM module or a pure TypeScript codec).
 *
 * Codecs load asynchronously (WASM compiles and instantiates off the caller's path), so packets
 * queue until the codec is there; from then on each `decode` runs at once and the queue stays
 * empty. A codec whose `reset` is asynchronous (some WASM wrappers re-instantiate) queues again
 * until it has finished; a codec that is loading or resetting has decoded nothing since, so more
 * `reset()` calls meanwhile only clear the queue. Output is produced synchronously in `drain`, so
 * nothing decoded before a `reset()` or after a `close()` reaches `takeOutput`.
 *
 * Timeline: every packet's output starts at that packet's `frame`. The codecs here emit exactly
 * the packet's frames in step with their input (MP3 frames, Opus packets, FLAC/ALAC blocks;
 * Vorbis emits nothing for the first packet after a reset, which the demuxer times at 0 frames
 * for a stream start and the pipeline covers with preroll after a seek).
 */
import { KitharaError } from '../../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../demux/types.js';
import type { DecodedChunk, Decoder } from '../types.js';

/** Decoded PCM of one packet: planar Float32 at `sampleRate` (zero-length planes allowed). */
export interface PacketOutput {
  planes: Float32Array[];
  sampleRate: number;
}

/** One codec instance that decodes a packet at a time, synchronously. */
export interface PacketCodec {
  /** Decodes one packet. Throws (anything) when the packet is corrupt. */
  decode(packet: EncodedPacket): PacketOutput;
  /** Forgets all inter-packet state; the next packet is a key packet. */
  reset(): void | Promise<void>;
  /** Releases the codec's memory. */
  close(): void;
}

/**
 * Checks that a packet decoded to exactly the frames its container announced. The WASM codecs
 * conceal most damage (a packet with no sync word decodes to nothing, a garbled Opus TOC to
 * another duration); a count that differs means the packet was not what the container said,
 * and continuing would shift every later sample. Throws a `decode` error.
 */
export function expectFrames(planes: readonly Float32Array[], packet: EncodedPacket, codec: string): void {
  const frames = planes[0]?.length ?? 0;
  if (frames !== packet.frames) {
    throw new KitharaError('decode', `The ${codec} packet at frame ${packet.frame} decoded to ${frames} frames instead of ${packet.frames}: it is corrupt.`);
  }
}

/** Keeps at most the packet's announced frames (the rest would overlap the next packet). */
export function clampFrames(planes: Float32Array[], packet: EncodedPacket): Float32Array[] {
  const frames = planes[0]?.length ?? 0;
  return frames <= packet.frames ? planes : planes.map((p) => p.subarray(0, packet.frames));
}

/** Packets queued while the codec loads before `ready()` waits. */
export const SOFTWARE_DEFAULT_QUEUE = 8;

/** A {@link Decoder} over a {@link PacketCodec} that loads asynchronously. */
export class PacketDecoder implements Decoder {
  readonly kind = 'wasm' as const;
  private codec: PacketCodec | undefined;
  /** Loading or resetting: packets wait in the queue. */
  private busy = true;
  private closed = false;
  private queue: EncodedPacket[] = [];
  private output: DecodedChunk[] = [];
  private waiters: (() => void)[] = [];
  private failure: KitharaError | undefined;

  /**
   * @param name - what `name` reports, e.g. 'WASM mpg123 (MP3)'.
   * @param track - the track being decoded (for error messages).
   * @param load - creates the codec; a rejection becomes a `decode` error.
   * @param highWater - packets queued before `ready()` waits.
   */
  constructor(
    readonly name: string,
    private readonly track: TrackInfo,
    load: () => Promise<PacketCodec>,
    private readonly highWater = SOFTWARE_DEFAULT_QUEUE,
  ) {
    this.settle(load());
  }

  get queueSize(): number {
    return this.queue.length;
  }

  get error(): KitharaError | undefined {
    return this.failure;
  }

  decode(packet: EncodedPacket): void {
    if (this.failure !== undefined || this.closed) return;
    this.queue.push(packet);
    if (!this.busy) this.drain();
  }

  ready(): Promise<void> {
    if (this.failure !== undefined || this.closed || this.output.length > 0 || this.queue.length < this.highWater) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  takeOutput(): DecodedChunk[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 && this.failure === undefined && !this.closed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  reset(): void {
    this.queue = [];
    this.output = [];
    if (this.failure !== undefined || this.closed) return;
    if (this.codec !== undefined && !this.busy) {
      try {
        const done = this.codec.reset();
        if (done !== undefined) {
          this.busy = true;
          this.settle(done.then(() => this.codec as PacketCodec));
        }
      } catch (e) {
        this.fail(e);
      }
    }
    // A codec still loading or resetting starts clean anyway: its settle() drains the new queue.
    this.wake();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.output = [];
    if (this.codec !== undefined && !this.busy) this.release();
    this.wake();
  }

  /** Installs a loaded (or freshly reset) codec and decodes what queued meanwhile. */
  private settle(pending: Promise<PacketCodec>): void {
    pending.then(
      (codec) => {
        this.codec = codec;
        this.busy = false;
        if (this.closed) {
          this.release();
          return;
        }
        this.drain();
      },
      (e: unknown) => {
        this.busy = false;
        if (!this.closed) this.fail(e);
      },
    );
  }

  /** Decodes everything queued, in order. */
  private drain(): void {
    const codec = this.codec;
    if (codec === undefined) return;
    while (this.queue.length > 0 && this.failure === undefined) {
      const packet = this.queue.shift() as EncodedPacket;
      let out: PacketOutput;
      try {
        out = codec.decode(packet);
      } catch (e) {
        this.fail(e, packet);
        break;
      }
      const frames = out.planes[0]?.length ?? 0;
      if (frames > 0) this.output.push({ frame: packet.frame, frames, sampleRate: out.sampleRate, planes: out.planes });
    }
    this.wake();
  }

  private release(): void {
    try {
      this.codec?.close();
    } catch {
      // Freeing WASM memory twice or after a trap: nothing left to do.
    }
    this.codec = undefined;
  }

  private fail(e: unknown, packet?: EncodedPacket): void {
    if (this.failure !== undefined) return;
    if (e instanceof KitharaError && e.code === 'decode') {
      this.failure = e;
    } else {
      const message = e instanceof Error ? e.message : String(e);
      const where = packet === undefined ? '' : ` at frame ${packet.frame}`;
      this.failure = new KitharaError('decode', `The ${this.name} decoder failed on ${this.track.codecString}${where}: ${message}`, { cause: e });
    }
    this.queue = [];
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
