/**
 * `Resource`: the PCM reader (the reference facade's Resource). Decoding and resampling
 * run in the engine worker; blocks come back as transferred buffers, and this facade
 * keeps the next block in flight while the caller consumes the current one.
 */
import { KitharaError } from '../platform/errors.js';
import type { EngineEvent, ReadResult } from '../engine/protocol.js';
import { PLAYER_DEFAULTS, checkChoice, checkNetOptions, checkNumber } from './defaults.js';
import { getEngine, type EngineClient } from './engine-client.js';
import type { FormatInfo, PlayerEventMap, ResourceOptions } from './types.js';

/** Frames requested from the worker per round trip: a round trip costs about a millisecond on a busy page, so large blocks (1.4 s at 48 kHz) keep bulk reading from waiting on it. */
const BLOCK_FRAMES = 65536;

/** Reads decoded, resampled PCM from a URL or Blob. */
export class Resource extends EventTarget {
  /** Output sample rate. */
  readonly sampleRate: number;
  /** Output channel count. */
  readonly channels: number;
  /** What is being decoded. */
  private formatValue: FormatInfo;
  private durationValue: number;
  private positionValue = 0;
  private pending: Promise<ReadResult | null> | undefined;
  private current: ReadResult | undefined;
  private offset = 0; // frames consumed from `current`
  private epoch = 0;
  private closed = false;
  private ended = false;

  private constructor(
    private readonly engine: EngineClient,
    private readonly id: number,
    info: { duration: number; format: FormatInfo; outChannels: number; outRate: number },
  ) {
    super();
    this.sampleRate = info.outRate;
    this.channels = info.outChannels;
    this.formatValue = info.format;
    this.durationValue = info.duration;
  }

  /** Opens a source. Rejects with a KitharaError (`http`, `parse`, `unsupported`, …). */
  static async open(src: string | Blob, options: ResourceOptions = {}): Promise<Resource> {
    checkChoice('decoder', options.decoder, ['auto', 'webcodecs', 'wasm']);
    checkChoice('cache', options.cache, ['auto', 'opfs', 'indexeddb', 'memory', 'none']);
    checkNumber('sampleRate', options.sampleRate, 3000, 768000);
    checkNumber('channels', options.channels, 1, 32);
    checkNetOptions(options.net);
    const engine = getEngine(options.workerUrl);
    const id = engine.nextId();
    let resource: Resource | undefined;
    const early: EngineEvent[] = [];
    const onEvent = (e: EngineEvent): void => {
      if (resource === undefined) early.push(e);
      else resource.onEngineEvent(e);
    };
    try {
      const info = await engine.api.open(
        id,
        {
          src,
          baseUrl: globalThis.location?.href ?? '',
          outRate: options.sampleRate ?? PLAYER_DEFAULTS.resourceSampleRate,
          outChannels: options.channels,
          decoder: options.decoder ?? PLAYER_DEFAULTS.decoder,
          quality: options.resamplerQuality ?? PLAYER_DEFAULTS.resamplerQuality,
          net: options.net ?? {},
          cache: options.cache ?? PLAYER_DEFAULTS.cache,
          cacheMaxBytes: options.cacheMaxBytes ?? PLAYER_DEFAULTS.cacheMaxBytes,
          abr: options.abr ?? {},
        },
        engine.proxy(onEvent),
        options.keyLoader === undefined ? undefined : engine.keyProxy(options.keyLoader),
      );
      resource = new Resource(engine, id, info);
      for (const e of early) resource.onEngineEvent(e);
      return resource;
    } catch (e) {
      void engine.api.close(id).catch(() => undefined);
      throw KitharaError.from(e, 'network');
    }
  }

  /** Duration in seconds, NaN when unknown. */
  /** What is being decoded now (updated on `formatchange`: an HLS variant switch, a decoder fallback). */
  get format(): FormatInfo {
    return this.formatValue;
  }

  get duration(): number {
    return this.durationValue;
  }

  /** Position in seconds of the next frame `read` returns. */
  get position(): number {
    return this.positionValue;
  }

  /**
   * Fills `out` with interleaved frames (`out.length / channels` at most). Resolves the
   * number of frames written; 0 means the end of the stream.
   */
  async read(out: Float32Array): Promise<number> {
    if (this.closed) throw new KitharaError('aborted', 'The resource is closed.');
    const ch = this.channels;
    const want = Math.floor(out.length / ch);
    let written = 0;
    while (written < want) {
      if (this.current === undefined || this.offset >= this.current.frames) {
        if (this.ended) break;
        const next = await this.fetchBlock();
        if (next === null) {
          this.ended = true;
          this.dispatchEvent(new Event('ended'));
          break;
        }
        if (next.epoch !== this.epoch) continue;
        const spent = this.current;
        this.current = next;
        this.offset = 0;
        this.positionValue = next.time;
        // Keep one block in flight while this one is consumed, and hand the used-up block's
        // buffer back for the engine to fill again.
        this.prefetch(spent?.interleaved.buffer as ArrayBuffer | undefined);
      }
      const cur = this.current;
      const n = Math.min(want - written, cur.frames - this.offset);
      out.set(cur.interleaved.subarray(this.offset * ch, (this.offset + n) * ch), written * ch);
      this.offset += n;
      written += n;
      this.positionValue += n / this.sampleRate;
    }
    return written;
  }

  /** Seeks to `seconds`; the next `read` returns audio from there. */
  async seek(seconds: number): Promise<void> {
    if (this.closed) throw new KitharaError('aborted', 'The resource is closed.');
    if (!Number.isFinite(seconds) || seconds < 0) throw new TypeError('seek() takes a finite, non-negative number of seconds.');
    this.dispatchEvent(new Event('seeking'));
    this.epoch = await this.engine.api.seek(this.id, seconds);
    this.current = undefined;
    this.pending = undefined;
    this.ended = false;
    const d = this.durationValue;
    this.positionValue = Number.isFinite(d) ? Math.min(seconds, d) : seconds;
    this.dispatchEvent(new Event('seeked'));
  }

  /** Releases everything the resource holds in the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.current = undefined;
    this.pending = undefined;
    await this.engine.api.close(this.id);
  }

  private prefetch(recycle?: ArrayBuffer): void {
    if (this.pending === undefined && !this.ended) {
      this.pending =
        recycle === undefined
          ? this.engine.api.read(this.id, BLOCK_FRAMES)
          : this.engine.api.read(this.id, BLOCK_FRAMES, this.engine.transfer(recycle, [recycle]));
      this.pending.catch(() => undefined);
    }
  }

  private async fetchBlock(): Promise<ReadResult | null> {
    this.prefetch();
    const pending = this.pending as Promise<ReadResult | null>;
    this.pending = undefined;
    try {
      return await pending;
    } catch (e) {
      const err = KitharaError.from(e, 'decode');
      this.dispatchEvent(new ErrorEvent('error', { error: err, message: err.message }));
      throw err;
    }
  }

  private onEngineEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'durationchange':
        this.durationValue = e.duration;
        this.dispatchEvent(new Event('durationchange'));
        break;
      case 'progress':
        this.dispatchEvent(new Event('progress'));
        break;
      case 'formatchange':
        this.formatValue = e.format;
        this.dispatchEvent(new CustomEvent('formatchange', { detail: e.format }));
        break;
      case 'variants':
        this.dispatchEvent(new CustomEvent('variants', { detail: e.variants }));
        break;
      case 'variantchange':
        this.dispatchEvent(new CustomEvent('variantchange', { detail: e.detail }));
        break;
      case 'error': {
        const err = KitharaError.fromJSON(e.error);
        this.dispatchEvent(new ErrorEvent('error', { error: err, message: err.message }));
        break;
      }
      default:
        break;
    }
  }
}

/** Typed addEventListener overloads. */
export interface Resource {
  addEventListener<K extends keyof PlayerEventMap>(type: K, listener: (this: Resource, ev: PlayerEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
