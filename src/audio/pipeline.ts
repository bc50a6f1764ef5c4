/**
 * The audio pipeline of one resource (reference: kithara-audio): demuxer → decoder →
 * trim (encoder delay, seek target, padding) → channel map → resampler → PCM queue.
 *
 * Ownership: the pipeline owns its decoder, resampler and queue. Calls are serialized
 * through one promise chain, so `seek` can be called at any time; it bumps `epoch` at once,
 * and every block carries the epoch it was produced in, so consumers drop stale audio.
 *
 * Timeline: see demux/types.ts. `startFrame`/`endFrame` are decoder-output frames at the
 * track's rate; a decoder that outputs at another rate (HE-AAC's SBR doubles it) is scaled.
 */
import { mark } from '../platform/trace.js';
import { KitharaError } from '../platform/errors.js';
import { nextTask } from '../platform/tasks.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../demux/types.js';
import type { DecodedChunk, Decoder, DecoderFactory, DecoderPreference } from '../decode/types.js';
import { PcmQueue, type PlanarBlock } from './pcm-queue.js';
import { PcmConverter } from './pcm-converter.js';
import { Seam, SEAM_FADE_SEC, SEAM_WARMUP_SEC } from './seam.js';
import type { ResamplerQuality } from './resampler.js';

/** Packets fed ahead when `feedAhead` is on and no `decodeQueue` is given. */
const FEED_AHEAD_DEFAULT_DEPTH = 16;

/**
 * Packets a player's pipeline keeps in the decoder before it waits for output, over a demuxer
 * that tells when a packet is at hand ({@link PacketSignal}). Its decoder is made with a queue
 * depth of 1, so `ready()` means "output is waiting"; this bound is the pipeline's own.
 */
const SIGNALLED_IN_FLIGHT = 8;

/**
 * What a demuxer may offer (HLS does) so that a player's pipeline never sits on decoded audio
 * while the next packet is still on the network: with it, the pipeline collects the decoder's
 * output while it waits for the packet, instead of only after the packet arrived.
 */
interface PacketSignal {
  /** Packets `next()` hands out at once. */
  readonly packetsReady: number;
  /** Resolves once `next()` would return at once (a packet, the end or an error). */
  packetReady(): Promise<void>;
}

/** The demuxer's {@link PacketSignal}, for pipelines that feed one packet at a time (players). */
function packetSignal(demuxer: Demuxer, options: PipelineOptions): PacketSignal | undefined {
  if (options.feedAhead === true || options.decodeQueue !== undefined) return undefined;
  const d = demuxer as Demuxer & Partial<PacketSignal>;
  return typeof d.packetReady === 'function' && typeof d.packetsReady === 'number' ? (d as Demuxer & PacketSignal) : undefined;
}

/** The options a pipeline's decoders are made with. */
function decoderOptions(options: PipelineOptions, signal: PacketSignal | undefined): { queueDepth: number | undefined; batch: number | undefined } {
  return { queueDepth: options.decodeQueue ?? (signal !== undefined ? 1 : undefined), batch: options.decodeBatch };
}

/** Options of an {@link AudioPipeline}. */
export interface PipelineOptions {
  /** Output sample rate. */
  outRate: number;
  /** Output channels; defaults to the track's. */
  outChannels?: number;
  quality: ResamplerQuality;
  decoder: DecoderPreference;
  /** Packets kept in flight in the decoder (see DecoderOptions.queueDepth). */
  decodeQueue?: number;
  /**
   * Bulk readers: top the decoder up to `decodeQueue` packets before converting what it has
   * output, so the platform decoder works on its own thread while this one resamples. A packet
   * still on its way from the network then holds up output already decoded, so players (which
   * want every decoded frame at once) leave this off. Defaults to false.
   */
  feedAhead?: boolean;
  /** Packets joined per platform decode call (see DecoderOptions.batch). Defaults to 1. */
  decodeBatch?: number;
  /** Called after the decoder changed for a new format (an HLS variant switch). */
  onFormatChange?: () => void;
  /** Crossfade (s) at a format switch (see seam.ts). Defaults to SEAM_FADE_SEC (8 ms). */
  seamFadeSec?: number;
}

/** A block of output PCM. */
export interface PcmBlock extends PlanarBlock {
  /** The seek epoch that produced it. */
  epoch: number;
  /** Presentation time of the first frame, in seconds. */
  time: number;
}

/** Describes what is being decoded. */
export interface PipelineFormat {
  track: TrackInfo;
  decoderKind: string;
  decoderName: string;
}

/** One resource's decode pipeline. */
export class AudioPipeline {
  /** The latest seek epoch asked for (bumped synchronously by `seek`). */
  epoch = 0;
  /**
   * The epoch of the position decoding is at: set when a seek's repositioning actually runs.
   * Blocks carry this, so a read queued before a seek can never pass old audio as new.
   */
  private positionEpoch = 0;
  readonly outRate: number;
  readonly outChannels: number;
  private readonly queue = new PcmQueue();
  private chain: Promise<unknown> = Promise.resolve();
  private startFrame: number;
  private endFrame: number;
  private demuxDone = false;
  private flushed = false;
  private ended = false;
  private converter: PcmConverter | undefined;
  /** Presentation time (s) of the next frame `read` returns. */
  private nextTime = 0;
  private closed = false;
  /** The track being decoded now (changes at a format fence). */
  private current: TrackInfo;
  /** No packet decoded since open or the last seek (a fence then needs no seam). */
  private fresh = true;
  /** The join of the old and new stream after a format switch, until its fade is done. */
  private seam: Seam | undefined;
  /** Output time (s) of the next frame the current converter emits, while a seam is active. */
  private seamTime: number | undefined;
  /** The current decoder has produced output (a failure then is not a platform refusal). */
  private decodedOutput = false;
  /** The WASM fallback was taken once already (it is not taken twice). */
  private fellBack = false;
  /** Frames held back from readers while a switch may still come (the crossfade's material). */
  private readonly holdBack: number;
  /** Crossfade length at a format switch, in output frames. */
  private readonly seamFade: number;
  /** The demuxer's packet signal (players over HLS), see {@link PacketSignal}. */
  private readonly signal: PacketSignal | undefined;

  private constructor(
    readonly demuxer: Demuxer,
    private decoder: Decoder,
    private readonly factory: DecoderFactory,
    private readonly options: PipelineOptions,
  ) {
    const track = demuxer.track;
    this.current = track;
    this.outRate = options.outRate;
    this.outChannels = options.outChannels ?? track.channels;
    this.startFrame = track.delayFrames;
    this.endFrame = track.totalFrames === undefined ? Infinity : track.delayFrames + track.totalFrames;
    this.seamFade = Math.round((options.seamFadeSec ?? SEAM_FADE_SEC) * this.outRate);
    this.holdBack = demuxer.switchable === true ? this.seamFade : 0;
    this.signal = packetSignal(demuxer, options);
  }

  /** Builds the pipeline and its decoder. */
  static async create(demuxer: Demuxer, factory: DecoderFactory, options: PipelineOptions): Promise<AudioPipeline> {
    const decoder = await factory.create(demuxer.track, options.decoder, decoderOptions(options, packetSignal(demuxer, options)));
    return new AudioPipeline(demuxer, decoder, factory, options);
  }

  /** The track being decoded now (an HLS variant switch changes it). */
  get track(): TrackInfo {
    return this.current;
  }

  get format(): PipelineFormat {
    return { track: this.track, decoderKind: this.decoder.kind, decoderName: this.decoder.name };
  }

  /** Duration in seconds, NaN when unknown. */
  get duration(): number {
    const t = this.track.totalFrames;
    return t === undefined ? NaN : t / this.track.sampleRate;
  }

  /** Presentation time (s) of the next frame to be read. */
  get position(): number {
    return this.nextTime;
  }

  /** True once every frame has been read. */
  get isEnded(): boolean {
    return this.ended && this.queue.frames === 0;
  }

  /**
   * Reads up to `maxFrames` output frames. Resolves `null` at the end of the stream.
   * The block's `epoch` tells which seek it belongs to. With `partial`, the block is a view of
   * what one conversion produced (no copy to join blocks; fewer frames than asked is normal).
   */
  read(maxFrames: number, partial = false): Promise<PcmBlock | null> {
    return this.serialize(async () => {
      const epoch = this.positionEpoch;
      while (this.queue.frames <= this.reserve && !this.ended) await this.step();
      const block = this.queue.take(Math.min(maxFrames, this.queue.frames - this.reserve), partial);
      if (block === null) return null;
      const time = this.nextTime;
      this.nextTime += block.frames / this.outRate;
      return { ...block, epoch, time };
    });
  }

  /** Frames kept in the queue while a format switch may still need them for its crossfade. */
  private get reserve(): number {
    return this.demuxDone || this.ended ? 0 : this.holdBack;
  }

  /** Seeks to `seconds`. The epoch changes at once; later reads return audio from there. */
  seek(seconds: number): Promise<void> {
    this.epoch += 1;
    const epoch = this.epoch;
    return this.serialize(async () => {
      mark('pipeline:seek-start');
      this.positionEpoch = epoch;
      const track = this.track;
      const total = track.totalFrames ?? Infinity;
      const target = Math.max(0, Math.min(Math.round(seconds * track.sampleRate), total));
      this.startFrame = track.delayFrames + target;
      this.queue.clear();
      this.converter?.reset();
      this.decoder.reset();
      this.fresh = true;
      this.seam = undefined;
      this.seamTime = undefined;
      this.demuxDone = false;
      this.flushed = false;
      this.ended = false;
      this.nextTime = target / track.sampleRate;
      await this.demuxer.seek(Math.max(0, this.startFrame - track.prerollFrames));
      mark('pipeline:seek-done');
    });
  }

  close(): void {
    this.closed = true;
    this.decoder.close();
    this.demuxer.close?.();
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** One unit of work: feed the decoder, collect its output, or finish. */
  private async step(): Promise<void> {
    if (this.closed) throw new KitharaError('aborted', 'The resource was closed.');
    if (this.options.feedAhead === true) await this.feed();
    this.collect(this.decoder.takeOutput());
    if (this.queue.frames > this.reserve) return;
    if (this.decoder.error !== undefined) return this.failOrFallBack();
    if (!this.demuxDone) {
      const inFlight = this.decoder.queueSize;
      const signal = this.signal;
      if (inFlight > 0 && (signal === undefined || inFlight >= SIGNALLED_IN_FLIGHT)) {
        // Let the decoder catch up (resolves at once while it is below its high-water mark).
        await this.decoder.ready();
        // Bulk readers: the first output of a platform request wakes us, but Chromium's
        // AudioDecoder sends its next request only from a task after the request's last output.
        // Converting now (in this microtask) would leave its thread idle until we are done; one
        // task later the next request is under way, and decoding overlaps converting. Measured
        // (bench/ab-throughput.mjs): AAC Resource.read at 48 kHz 188× → 215× realtime.
        if (this.options.feedAhead === true && this.decoder.kind === 'webcodecs') await nextTask();
        this.collect(this.decoder.takeOutput());
        if (this.queue.frames > this.reserve) return;
      } else if (inFlight > 0 && signal !== undefined && signal.packetsReady === 0) {
        // The next packet is still on the network: take the decoder's output as it comes (after a
        // seek or at the start, that is the audio wanted now) rather than after the packet lands.
        const packetFirst = await Promise.race([this.decoder.ready().then(() => false), signal.packetReady().then(() => true)]);
        this.collect(this.decoder.takeOutput());
        // Output (or room) came first: come back for more. Else `next()` answers at once (a
        // packet, or the end or an error, which the pull below reports).
        if (this.queue.frames > this.reserve || !packetFirst) return;
      }
      const packet = await this.pull();
      if (packet !== null) {
        this.decode(packet);
        return;
      }
    }
    const decoder = this.decoder;
    if (!this.flushed) {
      this.flushed = true;
      await decoder.flush();
      if (decoder.error !== undefined) return this.failOrFallBack();
      this.collect(decoder.takeOutput());
      return;
    }
    const tail = this.converter?.flush();
    if (tail !== undefined && tail.frames > 0) this.queue.push(this.throughSeam(tail));
    this.ended = true;
  }

  /**
   * Feeds the decoder until it holds `decodeQueue` packets (at most that many per call, for
   * decoders that work synchronously and never report a queue).
   */
  private async feed(): Promise<void> {
    const depth = this.options.decodeQueue ?? FEED_AHEAD_DEFAULT_DEPTH;
    for (let n = 0; n < depth && !this.demuxDone && this.decoder.error === undefined && this.decoder.queueSize < depth; n++) {
      const packet = await this.pull();
      if (packet === null) return;
      this.decode(packet);
    }
  }

  /**
   * A decoder failed. A platform decoder that fails before its first output (a profile the
   * platform announced but cannot decode, a configure that fails asynchronously) is replaced by
   * the WASM decoder when the choice is 'auto', and decoding restarts where it began; any other
   * failure is final.
   */
  private async failOrFallBack(): Promise<void> {
    const failed = this.decoder;
    const error = failed.error as KitharaError;
    if (failed.kind !== 'webcodecs' || this.options.decoder !== 'auto' || this.decodedOutput || this.fellBack) throw error;
    this.fellBack = true;
    failed.close();
    try {
      this.decoder = await this.factory.create(this.current, 'wasm', decoderOptions(this.options, this.signal));
    } catch {
      throw error;
    }
    // Nothing of the failed decoder reached the queue; what is there (an old variant's tail) stays.
    this.converter = undefined;
    this.demuxDone = false;
    this.flushed = false;
    await this.demuxer.seek(Math.max(0, this.startFrame - this.current.prerollFrames));
    this.options.onFormatChange?.();
  }

  /** The next packet to decode, or null at the end (then `demuxDone` is set). Handles format fences. */
  private async pull(): Promise<EncodedPacket | null> {
    const packet = await this.demuxer.next();
    if (packet !== null && packet.format !== undefined) await this.switchFormat(packet.format, packet.discontinuity === true ? packet.frame : undefined);
    if (packet === null || packet.frame >= this.endFrame) {
      this.demuxDone = true;
      return null;
    }
    return packet;
  }

  private decode(packet: EncodedPacket): void {
    if (this.fresh) mark('pipeline:first-packet');
    this.fresh = false;
    this.decoder.decode(packet);
  }

  /**
   * A format fence: drain the old decoder, hold back the last few milliseconds of its output,
   * and start a decoder for the new track a little before the seam (the demuxer restarted one
   * segment early); its output is joined to the held audio by a crossfade (see seam.ts). Right
   * after a seek there is nothing to join: only the trim points move to the new rate.
   */
  private async switchFormat(track: TrackInfo, cutFrame?: number): Promise<void> {
    const old = this.decoder;
    const oldTrack = this.current;
    if (!this.fresh) {
      await old.flush();
      if (old.error !== undefined) throw old.error;
      this.collect(old.takeOutput());
      const tail = this.converter?.flush();
      if (tail !== undefined && tail.frames > 0) this.queue.push(this.throughSeam(tail));
    }
    this.converter = undefined;
    old.close();
    this.decoder = await this.factory.create(track, this.options.decoder, decoderOptions(this.options, this.signal));
    this.decodedOutput = false;
    this.current = track;
    this.endFrame = track.totalFrames === undefined ? Infinity : track.delayFrames + track.totalFrames;
    if (this.fresh) {
      const t = (this.startFrame - oldTrack.delayFrames) / oldTrack.sampleRate;
      this.startFrame = track.delayFrames + Math.max(0, Math.round(t * track.sampleRate));
    } else {
      let fade = this.seamFade;
      if (cutFrame !== undefined) {
        // A discontinuity: a new encode starts at `cutFrame + delay`. Drop what the old one left
        // past that point (its padding), and join without a fade (the encodes share no audio).
        const cut = (cutFrame + track.delayFrames - this.current.delayFrames) / track.sampleRate;
        const end = this.nextTime + this.queue.frames / this.outRate;
        if (end > cut) this.queue.takeTail(Math.round((end - cut) * this.outRate));
        fade = 0;
      }
      const held = this.queue.takeTail(fade);
      const fadeStart = this.nextTime + this.queue.frames / this.outRate;
      this.seam = new Seam(fadeStart, held, this.outRate);
      this.seamTime = undefined;
      this.startFrame = track.delayFrames + Math.max(0, Math.floor((fadeStart - SEAM_WARMUP_SEC) * track.sampleRate));
    }
    this.options.onFormatChange?.();
  }

  /** Passes converted output through the seam while one is active. */
  private throughSeam(block: PlanarBlock, time?: number): PlanarBlock {
    const seam = this.seam;
    if (seam === undefined) return block;
    if (this.seamTime === undefined) this.seamTime = time ?? seam.fadeStart;
    const out = seam.accept(block, this.seamTime);
    this.seamTime += block.frames / this.outRate;
    if (seam.done) this.seam = undefined;
    return out ?? { planes: block.planes.map((p) => p.subarray(0, 0)), frames: 0 };
  }

  /** Trims decoded chunks to [startFrame, endFrame) and converts them to the output format. */
  private collect(chunks: DecodedChunk[]): void {
    if (chunks.length > 0) this.decodedOutput = true;
    const trackRate = this.track.sampleRate;
    for (const chunk of chunks) {
      const scale = chunk.sampleRate / trackRate;
      const start = Math.round(this.startFrame * scale);
      const end = this.endFrame === Infinity ? Infinity : Math.round(this.endFrame * scale);
      const a = Math.max(chunk.frame, start);
      const b = Math.min(chunk.frame + chunk.frames, end);
      if (chunk.frame >= end) this.demuxDone = true;
      if (b <= a) continue;
      const planes = a === chunk.frame && b === chunk.frame + chunk.frames
        ? chunk.planes
        : chunk.planes.map((p) => p.subarray(a - chunk.frame, b - chunk.frame));
      if (this.converter === undefined || this.converter.inRate !== chunk.sampleRate || this.converter.inChannels !== planes.length) {
        const tail = this.converter?.flush();
        if (tail !== undefined && tail.frames > 0) this.queue.push(this.throughSeam(tail));
        this.converter = new PcmConverter(chunk.sampleRate, planes.length, this.outRate, this.outChannels, this.options.quality);
      }
      const out = this.converter.process(planes, b - a);
      const time = a / chunk.sampleRate - this.current.delayFrames / trackRate;
      const kept = this.seam === undefined ? out : this.throughSeam(out, time);
      if (kept.frames > 0) this.queue.push(kept);
    }
  }
}
