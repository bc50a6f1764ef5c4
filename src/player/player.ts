/**
 * `Player`: an EventTarget that behaves like an HTMLMediaElement, backed by the engine
 * worker (decode) and an AudioWorklet (output). The main thread holds only this facade,
 * the AudioContext and the nodes: nothing heavy runs here.
 *
 * State owned here: src, paused, seeking, volume, muted, the seek base time. The engine owns
 * decoding; the worklet owns the frames-played counter, read through the OutputBridge.
 */
import { mark } from '../platform/trace.js';
import { KitharaError } from '../platform/errors.js';
import type { EngineEvent, OpenResult } from '../engine/protocol.js';
import { PLAYER_DEFAULTS, checkChoice, checkNetOptions, checkNumber } from './defaults.js';
import { getEngine, siblingUrl, type EngineClient } from './engine-client.js';
import { OUTPUT_CHANNELS, OutputBridge } from './output-bridge.js';
import { KitharaTimeRanges } from './time-ranges.js';
import type { OutputNotice } from '../ring/protocol.js';
import type { FormatInfo, PlayerEventMap, PlayerOptions, PlayerStats, VariantInfo } from './types.js';

/** HTMLMediaElement.readyState values. */
const HAVE_NOTHING = 0;
const HAVE_METADATA = 1;
const HAVE_ENOUGH_DATA = 4;

interface Session {
  id: number;
  info: OpenResult;
}

/** Plays a progressive file (HLS comes later), like an `<audio>` element. */
export class Player extends EventTarget {
  /** The AudioContext the player renders in. */
  readonly audioContext: BaseAudioContext;
  /** The player's output node (a GainNode carrying volume and mute). */
  readonly output: GainNode;
  private readonly options: PlayerOptions;
  private readonly ownsContext: boolean;
  private readonly engine: EngineClient;
  private readonly bridge: OutputBridge;
  private session: Session | undefined;
  private loading: Promise<void> | undefined;
  private loadToken = 0;
  private srcValue = '';
  private blobValue: Blob | undefined;
  private durationValue = NaN;
  private pausedValue = true;
  private endedValue = false;
  private seekingValue = false;
  private readyStateValue = HAVE_NOTHING;
  private volumeValue: number;
  private mutedValue: boolean;
  private formatValue: FormatInfo | null = null;
  private progress = { loaded: 0, total: NaN, ranges: [] as [number, number][] };
  private variantsValue: VariantInfo[] = [];
  private variantValue = -1;
  private throughputBps = NaN;
  /** Media time at which the current epoch's audio starts. */
  private baseTime = 0;
  private epoch = 0;
  private decodeEnded = false;
  private waiting = false;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private destroyed = false;
  /** Whether looping at the end. */
  loop: boolean;
  /** Whether to play as soon as a source is loaded. */
  autoplay: boolean;

  constructor(options: PlayerOptions = {}) {
    super();
    checkChoice('decoder', options.decoder, ['auto', 'webcodecs', 'wasm']);
    checkChoice('cache', options.cache, ['auto', 'opfs', 'indexeddb', 'memory', 'none']);
    checkChoice('resamplerQuality', options.resamplerQuality, ['fast', 'normal', 'good', 'high']);
    checkNumber('volume', options.volume, 0, 1);
    checkNumber('bufferAheadSec', options.bufferAheadSec, 0.05, 30);
    checkNumber('cacheMaxBytes', options.cacheMaxBytes, 0, Number.MAX_SAFE_INTEGER);
    checkNetOptions(options.net);
    this.options = options;
    this.ownsContext = options.audioContext === undefined;
    this.audioContext = options.audioContext ?? new AudioContext({ latencyHint: 'interactive' });
    this.output = this.audioContext.createGain();
    this.volumeValue = options.volume ?? PLAYER_DEFAULTS.volume;
    this.mutedValue = options.muted ?? PLAYER_DEFAULTS.muted;
    this.loop = options.loop ?? PLAYER_DEFAULTS.loop;
    this.autoplay = options.autoplay ?? PLAYER_DEFAULTS.autoplay;
    this.applyGain();
    const destination = options.destination === undefined ? this.audioContext.destination : options.destination;
    if (destination !== null) this.output.connect(destination);
    this.engine = getEngine(options.workerUrl);
    // The engine designs the resampler tables for this output rate while the page is idle.
    // With the player's shape it also warms up the engine's start path (engine/warm-up.ts).
    void this.engine.api
      .prepare(this.audioContext.sampleRate, options.resamplerQuality ?? PLAYER_DEFAULTS.resamplerQuality, {
        outChannels: OUTPUT_CHANNELS,
        decoder: options.decoder ?? PLAYER_DEFAULTS.decoder,
        cache: options.cache ?? PLAYER_DEFAULTS.cache,
      })
      .catch(() => undefined);
    // The ring exists and the worklet module starts loading now, so load() + play() later
    // wait for neither.
    const workletUrl = this.options.workletUrl ?? siblingUrl('kithara.worklet.js');
    const bufferSec = this.options.bufferAheadSec ?? PLAYER_DEFAULTS.bufferAheadSec;
    this.bridge = new OutputBridge(this.audioContext, this.output, String(workletUrl), bufferSec, {
      onEnded: (n) => this.onOutputEnded(n),
      onStarted: (n) => this.onOutputStarted(n),
      onUnderrun: (n) => this.onOutputUnderrun(n),
    });
    this.bridge.ready.catch(() => undefined);
  }

  // ---- source -------------------------------------------------------------------------

  /** The current source URL ('' when none, or a blob: description for Blob sources). */
  get src(): string {
    return this.srcValue;
  }

  set src(value: string) {
    void this.load(value).catch(() => undefined);
  }

  /**
   * Loads a URL or a Blob/File (no argument: reloads the current source). Resolves when metadata
   * is known; rejects with a KitharaError (also dispatched as an `error` event).
   */
  load(src?: string | Blob): Promise<void> {
    if (src !== undefined) {
      if (typeof src === 'string') {
        this.srcValue = src;
        this.blobValue = undefined;
      } else {
        this.blobValue = src;
        this.srcValue = src instanceof File ? `file:${src.name}` : 'blob:';
      }
    }
    const token = ++this.loadToken;
    const loading = this.doLoad(token);
    this.loading = loading;
    return loading;
  }

  private async doLoad(token: number): Promise<void> {
    await this.closeSession();
    this.resetMediaState();
    const source: string | Blob | undefined = this.blobValue ?? (this.srcValue === '' ? undefined : this.srcValue);
    if (source === undefined) return;
    this.emit('loadstart');
    mark('player:load');
    try {
      const bridge = this.bridge;
      const id = this.engine.nextId();
      const epochBase = this.epoch + 1;
      this.epoch = epochBase;
      const output = bridge.target(epochBase);
      const info = await this.engine.api.open(
        id,
        this.engine.transfer({
          src: source,
          baseUrl: globalThis.location?.href ?? '',
          outRate: this.audioContext.sampleRate,
          outChannels: bridge.channels,
          decoder: this.options.decoder ?? PLAYER_DEFAULTS.decoder,
          quality: this.options.resamplerQuality ?? PLAYER_DEFAULTS.resamplerQuality,
          net: this.options.net ?? {},
          cache: this.options.cache ?? PLAYER_DEFAULTS.cache,
          cacheMaxBytes: this.options.cacheMaxBytes ?? PLAYER_DEFAULTS.cacheMaxBytes,
          abr: this.options.abr ?? {},
          output: output.target,
        }, output.transfer),
        this.engine.proxy((e) => this.onEngineEvent(id, e)),
        this.options.keyLoader === undefined ? undefined : this.engine.keyProxy(this.options.keyLoader),
      );
      mark('player:opened');
      await bridge.ready;
      if (token !== this.loadToken) {
        void this.engine.api.close(id);
        return;
      }
      this.session = { id, info };
      this.durationValue = info.duration;
      this.formatValue = info.format;
      this.readyStateValue = HAVE_METADATA;
      this.emit('durationchange');
      this.emit('loadedmetadata');
      this.emitDetail('formatchange', info.format);
      this.readyStateValue = HAVE_ENOUGH_DATA;
      this.emit('loadeddata');
      this.emit('canplay');
      this.emit('canplaythrough');
      if (this.autoplay && this.pausedValue) void this.play().catch(() => undefined);
      if (!this.pausedValue) this.startOutput();
    } catch (e) {
      if (token !== this.loadToken) return;
      const err = KitharaError.from(e, 'network');
      this.fail(err);
      throw err;
    }
  }

  // ---- transport ------------------------------------------------------------------------

  /**
   * Starts playback. Resolves once the source is loaded and output is started (the `playing` event
   * marks the first audible frame); rejects with the load's KitharaError, or with a `parse` one
   * when there is no source.
   */
  async play(): Promise<void> {
    if (this.destroyed) throw new KitharaError('aborted', 'The player was destroyed.');
    if (this.loading === undefined) throw new KitharaError('unsupported', 'Player.play() was called with no source: set src or call load() first.');
    if (this.endedValue) await this.seekTo(0);
    const wasPaused = this.pausedValue;
    this.pausedValue = false;
    if (wasPaused) this.emit('play');
    if (this.audioContext instanceof AudioContext && this.audioContext.state !== 'running') {
      void this.audioContext.resume();
    }
    await this.loading;
    if (this.pausedValue) return;
    this.startOutput();
  }

  /** Pauses playback. */
  pause(): void {
    if (this.pausedValue) return;
    this.pausedValue = true;
    this.bridge.setPlaying(false);
    this.stopTicker();
    this.emit('timeupdate');
    this.emit('pause');
  }

  private startOutput(): void {
    if (this.session === undefined) return;
    mark('player:start-output');
    this.bridge.setPlaying(true);
    this.startTicker();
  }

  // ---- time -----------------------------------------------------------------------------

  /** Playback position in seconds. Setting it seeks. */
  get currentTime(): number {
    if (this.seekingValue || this.endedValue) return this.baseTime;
    const played = this.bridge.framesPlayedInEpoch(this.epoch) / this.audioContext.sampleRate;
    const t = this.baseTime + played;
    return Number.isFinite(this.durationValue) ? Math.min(t, this.durationValue) : t;
  }

  set currentTime(value: number) {
    void this.seekTo(value).catch(() => undefined);
  }

  private async seekTo(value: number): Promise<void> {
    const session = this.session;
    if (!Number.isFinite(value)) throw new TypeError('currentTime must be a finite number.');
    const target = Math.max(0, Number.isFinite(this.durationValue) ? Math.min(value, this.durationValue) : value);
    this.baseTime = target;
    this.endedValue = false;
    this.decodeEnded = false;
    this.seekingValue = true;
    this.emit('seeking');
    this.emit('timeupdate');
    if (session === undefined) {
      if (this.loading !== undefined) await this.loading;
      if (this.session === undefined) return;
      return this.seekTo(target);
    }
    try {
      const epoch = await this.engine.api.seek(session.id, target);
      if (this.session !== session) return;
      this.epoch = Math.max(this.epoch, epoch);
    } catch (e) {
      this.fail(KitharaError.from(e, 'decode'));
    }
  }

  /** Duration in seconds (NaN until known). */
  get duration(): number {
    return this.durationValue;
  }

  /** True unless playing or about to play (starts true; true again after `pause()`, `ended` or an error). */
  get paused(): boolean {
    return this.pausedValue;
  }

  /** True once the last frame was output; cleared by a seek or `play()` (which restarts at 0). */
  get ended(): boolean {
    return this.endedValue;
  }

  /** True from a `currentTime` assignment until the new position's audio is in the output ring (`seeked`). */
  get seeking(): boolean {
    return this.seekingValue;
  }

  /** HTMLMediaElement readyState (0 nothing, 1 metadata, 4 enough data). */
  get readyState(): number {
    return this.readyStateValue;
  }

  /**
   * The byte ranges held, mapped linearly to seconds (exact for constant bitrates, approximate
   * otherwise); empty until both the size and the duration are known.
   */
  get buffered(): TimeRanges {
    const { total, ranges } = this.progress;
    const d = this.durationValue;
    if (!Number.isFinite(total) || total <= 0 || !Number.isFinite(d)) return new KitharaTimeRanges();
    return new KitharaTimeRanges(ranges.map(([a, b]) => [(a / total) * d, (b / total) * d] as [number, number]));
  }

  // ---- volume ---------------------------------------------------------------------------

  /** Output gain 0..1 (applied on `output`). Setting a value outside 0..1 throws an IndexSizeError DOMException. */
  get volume(): number {
    return this.volumeValue;
  }

  set volume(value: number) {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new DOMException(`The volume provided (${value}) is outside the range [0, 1].`, 'IndexSizeError');
    }
    if (value === this.volumeValue) return;
    this.volumeValue = value;
    this.applyGain();
    this.emit('volumechange');
  }

  /** Whether `output` is silenced; `volume` is kept. */
  get muted(): boolean {
    return this.mutedValue;
  }

  set muted(value: boolean) {
    if (value === this.mutedValue) return;
    this.mutedValue = value;
    this.applyGain();
    this.emit('volumechange');
  }

  private applyGain(): void {
    this.output.gain.value = this.mutedValue ? 0 : this.volumeValue;
  }

  // ---- HLS variants ---------------------------------------------------------------------

  /** HLS variants (empty for progressive sources). */
  get variants(): VariantInfo[] {
    return this.variantsValue.slice();
  }

  /**
   * The variant being downloaded (-1 for progressive sources). Set an index to pin that variant,
   * or `'auto'` to adapt: the change applies at the next segment boundary after the one playing
   * (audio already downloaded past it is fetched again from the new variant), and it carries over
   * to the next `src`.
   */
  get variant(): number {
    return this.variantValue;
  }

  set variant(value: number | 'auto') {
    if (value !== 'auto' && (!Number.isInteger(value) || value < 0)) {
      throw new TypeError("variant must be a variant index or 'auto'.");
    }
    if (value !== 'auto' && this.variantsValue.length > 0 && value >= this.variantsValue.length) {
      throw new TypeError(`variant must be 'auto' or an index from 0 to ${this.variantsValue.length - 1}.`);
    }
    this.options.abr = { ...this.options.abr, mode: value };
    const session = this.session;
    if (session !== undefined && this.variantsValue.length > 0) this.engine.api.setVariant(session.id, value).catch(() => undefined);
  }

  // ---- stats ----------------------------------------------------------------------------

  /** A cheap snapshot of what the player is doing. */
  get stats(): PlayerStats {
    const bridge = this.bridge;
    return {
      format: this.formatValue,
      bufferedAheadSec: bridge.bufferedFrames() / this.audioContext.sampleRate,
      underruns: bridge.underruns(),
      bytesLoaded: this.progress.loaded,
      bytesTotal: this.progress.total,
      variant: this.variantValue,
      throughputBps: this.throughputBps,
      outputMode: bridge.mode,
      outputSampleRate: this.audioContext.sampleRate,
    };
  }

  /** Stops everything and releases the worker session, nodes and (if owned) the context. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.loadToken += 1;
    this.stopTicker();
    await this.closeSession();
    this.bridge.dispose();
    this.output.disconnect();
    if (this.ownsContext && this.audioContext instanceof AudioContext) await this.audioContext.close();
  }

  // ---- internals ------------------------------------------------------------------------

  private onEngineEvent(id: number, e: EngineEvent): void {
    if (this.session !== undefined && this.session.id !== id) return;
    switch (e.type) {
      case 'progress':
        this.progress = { loaded: e.loaded, total: e.total, ranges: e.ranges };
        this.emit('progress');
        break;
      case 'durationchange':
        this.durationValue = e.duration;
        this.emit('durationchange');
        break;
      case 'formatchange':
        this.formatValue = e.format;
        this.emitDetail('formatchange', e.format);
        break;
      case 'seeked':
        if (e.epoch < this.epoch) break;
        this.epoch = e.epoch;
        if (!this.seekingValue) break;
        this.seekingValue = false;
        this.emit('timeupdate');
        this.emit('seeked');
        break;
      case 'decodeended':
        if (e.epoch === this.epoch) this.decodeEnded = true;
        break;
      case 'variants':
        this.variantsValue = e.variants;
        this.emitDetail('variants', e.variants);
        break;
      case 'variantchange':
        this.variantValue = e.detail.to;
        this.emitDetail('variantchange', e.detail);
        break;
      case 'stats':
        this.throughputBps = e.throughputBps;
        this.variantValue = e.variant;
        break;
      case 'error':
        this.fail(KitharaError.fromJSON(e.error));
        break;
    }
  }

  private onOutputStarted(notice: OutputNotice): void {
    if (this.pausedValue || notice.epoch !== this.epoch) return;
    this.waiting = false;
    this.emit('playing');
  }

  private onOutputUnderrun(notice: OutputNotice): void {
    if (this.pausedValue || this.seekingValue || this.decodeEnded || notice.epoch !== this.epoch || this.waiting) return;
    this.waiting = true;
    this.emit('waiting');
  }

  private onOutputEnded(notice: OutputNotice): void {
    if (notice.epoch !== this.epoch || !this.decodeEnded || this.pausedValue || this.seekingValue) return;
    if (this.loop) {
      void this.seekTo(0);
      return;
    }
    const end = Number.isFinite(this.durationValue) ? this.durationValue : this.currentTime;
    this.endedValue = true;
    this.baseTime = end;
    if (!Number.isFinite(this.durationValue)) {
      // A stream with no length in its container: its duration is known now.
      this.durationValue = end;
      this.emit('durationchange');
    }
    this.pausedValue = true;
    this.bridge.setPlaying(false);
    this.stopTicker();
    this.emit('timeupdate');
    this.emit('pause');
    this.emit('ended');
  }

  private startTicker(): void {
    if (this.ticker !== undefined) return;
    this.ticker = setInterval(() => this.tick(), PLAYER_DEFAULTS.timeupdateIntervalMs);
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Periodic, like HTMLMediaElement's timeupdate (which fires every 15–250 ms). */
  private tick(): void {
    if (this.pausedValue) return;
    this.emit('timeupdate');
  }

  private fail(err: KitharaError): void {
    this.stopTicker();
    this.bridge.setPlaying(false);
    this.pausedValue = true;
    const event = new ErrorEvent('error', { error: err, message: err.message });
    this.dispatchEvent(event);
  }

  private resetMediaState(): void {
    this.durationValue = NaN;
    this.endedValue = false;
    this.seekingValue = false;
    this.readyStateValue = HAVE_NOTHING;
    this.baseTime = 0;
    this.decodeEnded = false;
    this.formatValue = null;
    this.progress = { loaded: 0, total: NaN, ranges: [] };
    this.variantsValue = [];
    this.variantValue = -1;
    this.throughputBps = NaN;
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session === undefined) return;
    this.bridge.setPlaying(false);
    await this.engine.api.close(session.id).catch(() => undefined);
  }

  private emit(type: keyof PlayerEventMap | 'loadeddata' | 'canplaythrough'): void {
    this.dispatchEvent(new Event(type));
  }

  private emitDetail<T>(type: keyof PlayerEventMap, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** Typed addEventListener overloads. */
export interface Player {
  addEventListener<K extends keyof PlayerEventMap>(type: K, listener: (this: Player, ev: PlayerEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PlayerEventMap>(type: K, listener: (this: Player, ev: PlayerEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
