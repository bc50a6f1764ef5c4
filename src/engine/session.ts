/**
 * One open resource in the engine worker: source → demuxer → pipeline, and for players a
 * pump that keeps the output ring filled. `close` closes the pipeline, the source and the sink,
 * which aborts every fetch, decode and wait the session started.
 */
import { KitharaError } from '../platform/errors.js';
import { realClock } from '../platform/clock.js';
import { mark } from '../platform/trace.js';
import { ByteReader } from '../stream/byte-reader.js';
import { openDemuxer } from '../demux/detect.js';
import { formats } from '../demux/registry.js';
import { DefaultDecoderFactory } from '../decode/factory.js';
import { releasePlanes } from '../decode/plane-arena.js';
import { AudioPipeline, type PcmBlock } from '../audio/pipeline.js';
import { interleave } from '../audio/channel-map.js';
import { prepareResampler } from '../audio/resampler.js';
import type { KeyLoader } from '../player/types.js';
import type { EngineEvent, OpenRequest, OpenResult, ReadResult } from './protocol.js';
import { createSink, type PcmSink } from './sinks.js';
import { namesPlaylist, openSource, type OpenedSource } from './sources.js';
import { resolveRetryPolicy } from '../net/net-options.js';
import type { Demuxer } from '../demux/types.js';
import type { FormatInfo } from '../player/types.js';

/** Minimum interval between two progress events, in ms. */
const PROGRESS_INTERVAL_MS = 100;
/** Packets joined per platform decode call for PCM readers (see DecoderOptions.batch). */
const BULK_DECODE_BATCH = 16;
/** Decoder queue depth for Resource sessions (bulk reading). */
const BULK_DECODE_QUEUE = 64;
/** Frames the pump moves per pipeline read. */
const PUMP_BLOCK = 2048;
/** Handed-back `read` buffers a session keeps (one block is consumed while the next is made). */
const MAX_SPARE_BUFFERS = 2;

/** Loads the WASM decoder suite (one chunk per codec) when first needed. */
const wasmProvider = () => import('../decode/wasm/provider.js').then((m) => m.wasmDecoderProvider);
/** Players: WebCodecs first. */
const decoderFactory = new DefaultDecoderFactory(wasmProvider);
/** PCM readers (Resource): the WASM decoder first where it reads faster (MPEG audio). */
const bulkDecoderFactory = new DefaultDecoderFactory(wasmProvider, true);

/** A session: one source being decoded. */
export class Session {
  private sink: PcmSink | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  /** The block being prepared ahead of the next `read` (Resource sessions). */
  private ahead: { maxFrames: number; epoch: number; result: Promise<ReadResult | null> } | undefined;
  /** Buffers of earlier `read` results handed back by the caller, filled again by {@link gather}. */
  private readonly spare: ArrayBuffer[] = [];
  private announcedEpoch = -1;
  /** Output epochs are `epochBase + pipeline.epoch`, so they keep rising across sessions of one player. */
  private epochBase = 0;
  /** Aborted by every seek and by close: wakes a pump waiting for ring space. */
  private waitAbort = new AbortController();

  private constructor(
    private readonly source: OpenedSource,
    private readonly pipeline: AudioPipeline,
    private readonly emit: (e: EngineEvent) => void,
    readonly info: OpenResult,
  ) {}

  /** Opens `request.src` and, for players, starts filling the output. */
  static async open(request: OpenRequest, emit: (e: EngineEvent) => void, keyLoader?: KeyLoader): Promise<Session> {
    // A playlist URL: load the HLS code while the playlist itself downloads (one round trip less).
    mark('session:open');
    if (namesPlaylist(request.src)) void loadHls().catch(() => undefined);
    let lastProgress = -Infinity;
    const onProgress = (loaded: number, total: number, ranges: [number, number][], final: boolean): void => {
      const now = realClock.now();
      if (!final && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      emit({ type: 'progress', loaded, total, ranges });
    };
    // Until the session exists, a fatal source error rejects open() instead of being an event.
    let live = false;
    const source = await openSource(request, onProgress, (err: KitharaError) => {
      if (live) emit({ type: 'error', error: err.toJSON() });
    });
    mark('session:source-ready');
    return Session.openOn(source, request, emit, keyLoader, () => (live = true));
  }

  /**
   * Opens a session on an opened source (closed here if that fails); `onLive` is called once
   * the session exists. The engine's warm-up opens sessions on its own sources this way.
   */
  static async openOn(source: OpenedSource, request: OpenRequest, emit: (e: EngineEvent) => void, keyLoader: KeyLoader | undefined, onLive: () => void): Promise<Session> {
    try {
      const demuxer = await openAnyDemuxer(source, request, emit, keyLoader);
      mark('session:demuxer-open');
      let pipeline: AudioPipeline | undefined;
      pipeline = await AudioPipeline.create(demuxer, request.output === undefined ? bulkDecoderFactory : decoderFactory, {
        outRate: request.outRate,
        outChannels: request.outChannels,
        quality: request.quality,
        decoder: request.decoder,
        // Players want the first audio at once; PCM readers want throughput.
        decodeQueue: request.output === undefined ? BULK_DECODE_QUEUE : undefined,
        feedAhead: request.output === undefined,
        decodeBatch: request.output === undefined ? BULK_DECODE_BATCH : 1,
        // Checked by the HLS demuxer's ABR controller (opened above); only HLS switches fade.
        ...(request.abr.switchCrossfadeMs !== undefined && { seamFadeSec: request.abr.switchCrossfadeMs / 1000 }),
        // An HLS variant switch that needed a new decoder: say what is decoded now.
        onFormatChange: () => {
          if (pipeline !== undefined) emit({ type: 'formatchange', format: formatInfo(pipeline) });
        },
      });
      mark('session:pipeline-ready');
      // PCM readers: design the resampler's filter now, not in the first read.
      if (request.output === undefined) prepareResampler(pipeline.track.sampleRate, pipeline.outRate, request.quality);
      const info: OpenResult = {
        duration: pipeline.duration,
        format: formatInfo(pipeline),
        outChannels: pipeline.outChannels,
        outRate: pipeline.outRate,
      };
      const session = new Session(source, pipeline, emit, info);
      onLive();
      if (request.output !== undefined) {
        session.epochBase = request.output.epochBase;
        session.sink = createSink(request.output, request.outRate);
        session.sink.flush(session.epochBase);
        void session.pump();
      }
      return session;
    } catch (e) {
      source.close();
      throw KitharaError.from(e, 'parse');
    }
  }

  /** HLS: pins a variant or returns to `'auto'` (no effect on other sources). */
  setVariant(mode: number | 'auto'): void {
    const demuxer = this.pipeline.demuxer as { setVariant?: (m: number | 'auto') => void };
    demuxer.setVariant?.(mode);
  }

  /** Seeks; resolves with the new epoch once repositioned. */
  async seek(seconds: number): Promise<number> {
    mark('session:seek');
    const seeking = this.pipeline.seek(seconds);
    const epoch = this.epochBase + this.pipeline.epoch;
    this.sink?.flush(epoch);
    this.waitAbort.abort();
    this.waitAbort = new AbortController();
    this.wake?.();
    await seeking;
    return epoch;
  }

  /**
   * Reads interleaved PCM (Resource sessions): fills up to `maxFrames` from as many pipeline
   * blocks as it takes, so one round trip to the main thread carries a whole block. The next
   * block is prepared while the caller consumes this one (read-ahead), so the worker never
   * idles during the round trip; a seek in between discards it.
   */
  async read(maxFrames: number, recycle?: ArrayBuffer): Promise<ReadResult | null> {
    if (recycle !== undefined && recycle.byteLength > 0 && this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(recycle);
    const asked = this.pipeline.epoch;
    const pending = this.ahead;
    this.ahead = undefined;
    let result: ReadResult | null;
    if (pending !== undefined && pending.maxFrames === maxFrames && pending.epoch === asked) {
      result = await pending.result;
    } else {
      if (pending !== undefined) await pending.result.catch(() => undefined);
      result = await this.gather(maxFrames);
    }
    // After a seek that came in meanwhile this result is stale (the caller drops it by its
    // epoch) and must not start a read-ahead: the caller's next read starts at the target.
    if (result !== null && !this.closed && result.epoch === asked && this.pipeline.epoch === asked) {
      const ahead = { maxFrames, epoch: asked, result: this.gather(maxFrames) };
      ahead.result.catch(() => undefined);
      this.ahead = ahead;
    }
    return result;
  }

  /** Gathers up to `maxFrames` frames of one epoch into one interleaved block. */
  private async gather(maxFrames: number): Promise<ReadResult | null> {
    const blocks: PcmBlock[] = [];
    let frames = 0;
    const asked = this.pipeline.epoch;
    // Stop gathering as soon as a seek is asked for: the blocks after it belong to the next read.
    while (frames < maxFrames && this.pipeline.epoch === asked) {
      const block = await this.pipeline.read(maxFrames - frames, true);
      if (block === null) break;
      if (blocks.length > 0 && block.epoch !== (blocks[0] as PcmBlock).epoch) break;
      blocks.push(block);
      frames += block.frames;
    }
    const first = blocks[0];
    if (first === undefined) return null;
    const ch = first.planes.length;
    const interleaved = this.output(frames * ch);
    let at = 0;
    for (const b of blocks) {
      interleave(b.planes, b.frames, interleaved, at * ch);
      at += b.frames;
      // Nothing else holds a block the pipeline handed out: its planes' memory can be reused.
      releasePlanes(b.planes);
    }
    return { interleaved, frames, epoch: first.epoch, time: first.time };
  }

  /** `floats` floats for a `read` result: a view of a spare buffer big enough, else a new array. */
  private output(floats: number): Float32Array {
    const i = this.spare.findIndex((b) => b.byteLength >= floats * 4);
    if (i < 0) return new Float32Array(floats);
    const [buffer] = this.spare.splice(i, 1) as [ArrayBuffer];
    return new Float32Array(buffer, 0, floats);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waitAbort.abort();
    this.wake?.();
    this.pipeline.close();
    this.source.close();
    this.sink?.dispose();
  }

  /** Keeps the output ring full, one block at a time, until closed. */
  private async pump(): Promise<void> {
    const sink = this.sink;
    if (sink === undefined) return;
    try {
      while (!this.closed) {
        const epoch = this.pipeline.epoch;
        const block = await this.pipeline.read(PUMP_BLOCK);
        if (this.closed) return;
        if (block !== null && this.announcedEpoch !== block.epoch) mark(`session:first-block epoch ${block.epoch}`);
        if (block === null) {
          if (epoch !== this.pipeline.epoch) continue;
          if (this.announcedEpoch !== epoch) this.announceSeeked(epoch, this.pipeline.position);
          sink.commit();
          sink.setEnded();
          this.emit({ type: 'decodeended', epoch: this.epochBase + epoch });
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            if (epoch !== this.pipeline.epoch || this.closed) resolve();
          });
          this.wake = undefined;
          continue;
        }
        if (block.epoch !== this.pipeline.epoch) continue;
        await this.write(sink, block);
      }
    } catch (e) {
      if (this.closed) return;
      const err = KitharaError.from(e, 'decode');
      if (err.code !== 'aborted') this.emit({ type: 'error', error: err.toJSON() });
    }
  }

  private async write(sink: PcmSink, block: PcmBlock): Promise<void> {
    let offset = 0;
    while (offset < block.frames) {
      if (block.epoch !== this.pipeline.epoch || this.closed) return;
      const n = sink.write(block.planes, block.frames - offset, offset);
      if (n > 0 && this.announcedEpoch !== block.epoch) mark(`session:first-write epoch ${block.epoch}`);
      if (n > 0 && this.announcedEpoch !== block.epoch) this.announceSeeked(block.epoch, block.time);
      offset += n;
      if (offset < block.frames) {
        const signal = this.waitAbort.signal;
        try {
          await sink.waitForSpace(Math.min(block.frames - offset, 1024), signal);
        } catch (e) {
          if (signal.aborted || this.closed) return;
          throw e;
        }
      }
    }
    sink.commit();
  }

  private announceSeeked(epoch: number, time: number): void {
    this.announcedEpoch = epoch;
    this.emit({ type: 'seeked', epoch: this.epochBase + epoch, time });
  }
}

/** `true` when the bytes start an HLS playlist. */
/** The HLS chunk, loaded once per worker (see `Session.open`: a `.m3u8` URL starts it early). */
let hlsModule: Promise<typeof import('./hls/hls-demuxer.js')> | undefined;
function loadHls(): Promise<typeof import('./hls/hls-demuxer.js')> {
  hlsModule ??= import('./hls/hls-demuxer.js');
  hlsModule.catch(() => (hlsModule = undefined));
  return hlsModule;
}

function looksLikePlaylist(head: Uint8Array): boolean {
  return new TextDecoder().decode(head.subarray(0, 16)).replace(/^\uFEFF/, '').startsWith('#EXTM3U');
}

/** HLS when the first bytes are a playlist, else a container demuxer over the bytes. */
async function openAnyDemuxer(source: OpenedSource, request: OpenRequest, emit: (e: EngineEvent) => void, keyLoader?: KeyLoader): Promise<Demuxer> {
  const head = await source.byteSource.read(0, 16, undefined, 7);
  mark('demux:head');
  if (looksLikePlaylist(head) && source.net !== undefined && source.url !== undefined) {
    const length = source.byteSource.length;
    const bytes = await source.byteSource.read(0, length ?? 4 * 1024 * 1024);
    // HLS (playlists, mux.js, AES, ABR) loads only when a page plays HLS.
    const { HlsDemuxer } = await loadHls();
    return HlsDemuxer.open(source.url, new TextDecoder().decode(bytes), {
      net: source.net,
      ...(source.hlsCache !== undefined && { cache: source.hlsCache }),
      retry: resolveRetryPolicy(request.net.retry),
      abr: request.abr,
      ...(keyLoader !== undefined && { keyLoader }),
      events: {
        onVariants: (variants) => emit({ type: 'variants', variants }),
        onStats: (throughputBps, variant) => emit({ type: 'stats', throughputBps, variant }),
        onVariantChange: (from, to, reason) => emit({ type: 'variantchange', detail: { from, to, reason } }),
      },
    });
  }
  return openDemuxer(new ByteReader(source.byteSource), source.hints, formats);
}

function formatInfo(pipeline: AudioPipeline): FormatInfo {
  const f = pipeline.format;
  return {
    container: f.track.container,
    codec: f.track.codec,
    codecString: f.track.codecString,
    sampleRate: f.track.sampleRate,
    channels: f.track.channels,
    decoder: f.decoderKind,
    decoderName: f.decoderName,
  };
}
