/**
 * WebCodecs AudioDecoder behind the {@link Decoder} interface.
 *
 * Timing: each EncodedAudioChunk carries its packet's start frame as a microsecond timestamp;
 * the output's frame position is a running counter started after each reset (decoders emit
 * output in order, and a running counter is exact where timestamps round). Where the counter
 * starts depends on the codec (see {@link startRule}), measured on Chromium:
 * - Opus with an OpusHead description: the decoder drops the pre-skip itself, after every
 *   reset, so the first output starts `preSkip` frames after the first packet.
 * - Vorbis: the first packet after a reset only primes the overlap and yields nothing, so the
 *   first output starts at the second packet.
 * Output is converted to f32-planar with `AudioData.copyTo`, which every WebCodecs
 * implementation must support.
 */
import { KitharaError } from '../platform/errors.js';
import { mark } from '../platform/trace.js';
import type { EncodedPacket, TrackInfo } from '../demux/types.js';
import type { DecodedChunk, Decoder } from './types.js';
import { PlaneArena } from './plane-arena.js';

/**
 * Packets allowed in flight before `ready()` waits, by default. Shallow keeps latency low: the
 * caller yields to the event loop (where output callbacks arrive) after a few packets, so the
 * first audio goes out at once. Bulk reading passes a deeper queue (see DecoderOptions).
 */
export const WEBCODECS_DEFAULT_QUEUE = 8;

/** Codecs whose packets can be joined into one EncodedAudioChunk (see DecoderOptions.batch). */
function canBatch(track: TrackInfo): boolean {
  // Raw AAC access units (an AudioSpecificConfig description) end with an END element, so the
  // platform decoder finds the boundaries; measured on Chromium: one output per access unit.
  // MP3 is refused there ("invalid packet length"), and other codecs are framed by the container.
  return track.codec === 'aac' && track.description !== undefined;
}

/** Where the first output after a reset starts: after `skipPackets` packets, plus `offset` frames. */
interface StartRule {
  skipPackets: number;
  offset: number;
}

/** The start rule of a codec on WebCodecs (see the file header). */
export function startRule(track: TrackInfo): StartRule {
  if (track.codec === 'opus' && track.description !== undefined) return { skipPackets: 0, offset: track.delayFrames };
  if (track.codec === 'vorbis') return { skipPackets: 1, offset: 0 };
  return { skipPackets: 0, offset: 0 };
}

/** The AudioDecoderConfig for a track. */
export function webCodecsConfig(track: TrackInfo): AudioDecoderConfig {
  const config: AudioDecoderConfig = {
    codec: track.codecString,
    sampleRate: track.sampleRate,
    numberOfChannels: track.channels,
  };
  if (track.description !== undefined) config.description = track.description;
  return config;
}

/** Answers of `isConfigSupported`, by config: asking costs a trip to the media thread per open. */
const supportCache = new Map<string, Promise<boolean>>();

/** Whether this browser's WebCodecs can decode the track. */
export function webCodecsSupports(track: TrackInfo): Promise<boolean> {
  if (typeof AudioDecoder === 'undefined') return Promise.resolve(false);
  const config = webCodecsConfig(track);
  const d = track.description;
  const key = `${config.codec}|${config.sampleRate}|${config.numberOfChannels}|${d === undefined ? '' : Array.from(d).join(',')}`;
  let answer = supportCache.get(key);
  if (answer === undefined) {
    answer = AudioDecoder.isConfigSupported(config).then(
      (res) => res.supported === true,
      () => false,
    );
    supportCache.set(key, answer);
  }
  return answer;
}

/** A Decoder over the platform's AudioDecoder. */
export class WebCodecsDecoder implements Decoder {
  readonly kind = 'webcodecs' as const;
  readonly name: string;
  private readonly decoder: AudioDecoder;
  private readonly config: AudioDecoderConfig;
  private output: DecodedChunk[] = [];
  private waiters: (() => void)[] = [];
  private nextFrame: number | undefined;
  private failure: KitharaError | undefined;
  /** Packets fed and outputs seen since the last reset: their difference bounds work in flight. */
  private fed = 0;
  private outs = 0;
  /** Start frames of the first packets after a reset (as many as the start rule needs). */
  private firstFrames: number[] = [];
  private readonly rule: StartRule;
  /** Packets joined per platform call, and the ones waiting to be joined. */
  private readonly batch: number;
  private batched: EncodedPacket[] = [];
  /** The pending safety timer of {@link ready}, if any. */
  private safety: ReturnType<typeof setTimeout> | undefined;
  /** Output planes are views into shared blocks (see PlaneArena). */
  private readonly arena = new PlaneArena();

  constructor(
    private readonly track: TrackInfo,
    private readonly highWater = WEBCODECS_DEFAULT_QUEUE,
    batch = 1,
  ) {
    this.batch = canBatch(track) ? Math.max(1, Math.floor(batch)) : 1;
    this.config = webCodecsConfig(track);
    this.rule = startRule(track);
    this.name = `WebCodecs ${track.codecString}`;
    this.decoder = new AudioDecoder({
      output: (data) => this.onOutput(data),
      error: (e) => this.onError(e),
    });
    this.decoder.addEventListener('dequeue', () => this.wake());
    this.decoder.configure(this.config);
  }

  /**
   * Work in flight: the platform queue, or packets fed whose output has not come yet
   * (output callbacks are tasks, so a caller feeding from microtasks must wait for them).
   */
  get queueSize(): number {
    if (this.decoder.state !== 'configured') return 0;
    return Math.max(this.decoder.decodeQueueSize, this.fed - this.outs);
  }

  get error(): KitharaError | undefined {
    return this.failure;
  }

  decode(packet: EncodedPacket): void {
    if (this.failure !== undefined || this.decoder.state !== 'configured') return;
    if (this.firstFrames.length <= this.rule.skipPackets) this.firstFrames.push(packet.frame);
    this.fed += 1;
    if (this.batch === 1) {
      this.submit(packet.data, packet.frame, packet.frames, packet.key);
      return;
    }
    this.batched.push(packet);
    if (this.batched.length >= this.batch) this.submitBatch();
  }

  /** Sends the joined packets as one chunk. */
  private submitBatch(): void {
    const group = this.batched;
    if (group.length === 0) return;
    this.batched = [];
    const first = group[0] as EncodedPacket;
    if (group.length === 1) {
      this.submit(first.data, first.frame, first.frames, first.key);
      return;
    }
    let bytes = 0;
    let frames = 0;
    for (const p of group) {
      bytes += p.data.byteLength;
      frames += p.frames;
    }
    const data = new Uint8Array(bytes);
    let at = 0;
    for (const p of group) {
      data.set(p.data, at);
      at += p.data.byteLength;
    }
    this.submit(data, first.frame, frames, first.key);
  }

  private submit(data: Uint8Array, frame: number, frames: number, key: boolean): void {
    try {
      this.decoder.decode(
        new EncodedAudioChunk({
          type: key ? 'key' : 'delta',
          timestamp: Math.round((frame * 1e6) / this.track.sampleRate),
          duration: Math.round((frames * 1e6) / this.track.sampleRate),
          data,
        }),
      );
    } catch (e) {
      this.onError(e);
    }
  }

  ready(): Promise<void> {
    if (this.failure !== undefined || this.output.length > 0 || this.queueSize < this.highWater) return Promise.resolve();
    // Packets still being joined go out once nothing else is in flight (or nothing would come).
    if (this.fed - this.outs - this.batched.length <= 0) this.submitBatch();
    // Some codecs hold packets back (no output for a header packet); one short timer at a time
    // keeps a decoder that withholds output from stalling the caller. Output normally comes first.
    if (this.safety === undefined) {
      this.safety = setTimeout(() => {
        this.safety = undefined;
        this.submitBatch();
        this.wake();
      }, 20);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  takeOutput(): DecodedChunk[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  async flush(): Promise<void> {
    if (this.failure !== undefined || this.decoder.state !== 'configured') return;
    this.submitBatch();
    try {
      await this.decoder.flush();
    } catch (e) {
      // A flush aborted by reset() is not an error.
      if ((e as { name?: string }).name !== 'AbortError') this.onError(e);
    }
  }

  reset(): void {
    this.output = [];
    this.batched = [];
    this.nextFrame = undefined;
    this.fed = 0;
    this.outs = 0;
    this.firstFrames = [];
    if (this.decoder.state === 'closed' || this.failure !== undefined) return;
    this.decoder.reset();
    this.decoder.configure(this.config);
    this.wake();
  }

  close(): void {
    if (this.safety !== undefined) clearTimeout(this.safety);
    this.safety = undefined;
    if (this.decoder.state !== 'closed') this.decoder.close();
    this.wake();
  }

  private onOutput(data: AudioData): void {
    if (this.outs < 4) mark(`webcodecs:output ${this.outs}`);
    try {
      if (this.failure !== undefined) return;
      const frames = data.numberOfFrames;
      const planes: Float32Array[] = [];
      for (let ch = 0; ch < data.numberOfChannels; ch++) {
        const plane = this.arena.take(frames);
        data.copyTo(plane, { planeIndex: ch, format: 'f32-planar' });
        planes.push(plane);
      }
      this.outs += 1;
      const frame = this.nextFrame ?? this.firstOutputFrame(data.sampleRate);
      this.nextFrame = frame + frames;
      this.output.push({ frame, frames, sampleRate: data.sampleRate, planes });
    } finally {
      data.close();
      this.wake();
    }
  }

  /** Frame (at the output's rate) where the first output after a reset starts. */
  private firstOutputFrame(outRate: number): number {
    const i = Math.min(this.rule.skipPackets, this.firstFrames.length - 1);
    const packetFrame = (this.firstFrames[i] ?? 0) + this.rule.offset;
    return Math.round((packetFrame * outRate) / this.track.sampleRate);
  }

  private onError(e: unknown): void {
    if (this.failure !== undefined) return;
    const message = e instanceof Error ? e.message : String(e);
    this.failure = new KitharaError('decode', `The ${this.track.codecString} decoder failed: ${message}`, { cause: e });
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
