/**
 * `<kithara-player>`: a custom element around {@link Player} that behaves like `<audio>`.
 *
 * Ownership: the element owns one Player at a time (created on first connect or first `play()`,
 * destroyed a microtask after disconnect unless the element was re-inserted) and its shadow DOM.
 * All playback state lives in the Player; the element only keeps what it must apply when the
 * Player does not exist yet (volume, muted, a pending seek).
 *
 * SSR: importing this module never touches `customElements` or requires a DOM. Register the
 * element with {@link defineKitharaPlayer}.
 */
import { Player } from '../player/player.js';
import type { CacheChoice, DecoderChoice, PlayerEventMap, PlayerOptions } from '../player/types.js';
import type { KitharaError } from '../platform/errors.js';
import { PlayerControls, type ControlsState } from './controls.js';
import { cloneEvent, FORWARDED_EVENTS, rangesOf, statusLine } from './media-helpers.js';

export { FORWARDED_EVENTS, statusLine };

/** Element defaults. */
export const ELEMENT_DEFAULTS = {
  /** How often the status line polls `player.stats`, in ms. Defaults to 250 (4 Hz). */
  statusIntervalMs: 250,
} as const;

const DECODERS: readonly DecoderChoice[] = ['auto', 'webcodecs', 'wasm'];
const CACHES: readonly CacheChoice[] = ['auto', 'opfs', 'indexeddb', 'memory', 'none'];

// Extending `HTMLElement` at module load would throw where there is no DOM (Node, SSR).
const Base: typeof HTMLElement =
  typeof HTMLElement === 'undefined' ? (class {} as unknown as typeof HTMLElement) : HTMLElement;

/**
 * The `<kithara-player>` element.
 *
 * Attributes: `src`, `autoplay`, `loop`, `muted` (initial), `controls`, `volume` (initial, 0..1),
 * `decoder` (`auto|webcodecs|wasm`), `cache` (`auto|opfs|indexeddb|memory|none`). `decoder` and
 * `cache` are Player options: changing them recreates the Player and reloads `src`.
 *
 * Events: every Player event is re-dispatched from the element under the same name; `error` is an
 * `ErrorEvent` whose `error` is the `KitharaError`.
 */
export class KitharaPlayerElement extends Base {
  /** Attributes whose changes the element reacts to. */
  static get observedAttributes(): string[] {
    return ['src', 'autoplay', 'loop', 'controls', 'muted', 'volume', 'decoder', 'cache'];
  }

  #player: Player | null = null;
  #listeners: AbortController | null = null;
  #controls: PlayerControls | null = null;
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  #loadedSrc = '';
  #volume = 1;
  #muted = false;
  #pendingSeek: number | null = null;
  #waiting = false;
  #error: KitharaError | null = null;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }

  // ----- lifecycle -------------------------------------------------------------------------

  /** @internal */
  connectedCallback(): void {
    this.#ensurePlayer();
    this.#syncControls();
  }

  /** @internal */
  disconnectedCallback(): void {
    // A move (remove + insert in the same task) must not tear playback down.
    queueMicrotask(() => {
      if (!this.isConnected) this.#destroyPlayer();
    });
  }

  /** @internal */
  attributeChangedCallback(name: string, oldValue: string | null, value: string | null): void {
    if (oldValue === value) return;
    switch (name) {
      case 'src':
        if (this.#player) this.#loadSrc();
        break;
      case 'autoplay':
        if (this.#player) this.#player.autoplay = value !== null;
        break;
      case 'loop':
        if (this.#player) this.#player.loop = value !== null;
        break;
      case 'controls':
        this.#syncControls();
        break;
      case 'muted':
        this.muted = value !== null;
        break;
      case 'volume': {
        const v = value === null ? 1 : Number(value);
        if (Number.isFinite(v)) this.volume = Math.max(0, Math.min(1, v));
        break;
      }
      case 'decoder':
      case 'cache':
        if (this.#player) {
          this.#destroyPlayer();
          if (this.isConnected) this.#ensurePlayer();
        }
        break;
    }
  }

  // ----- HTMLMediaElement-like surface -----------------------------------------------------

  /** The underlying Player, or `null` before the first connect / `play()` and after disconnect. */
  get player(): Player | null {
    return this.#player;
  }

  /** The media URL, resolved against the document (reflects the `src` attribute). */
  get src(): string {
    const raw = this.getAttribute('src');
    if (!raw) return '';
    try {
      return new URL(raw, this.ownerDocument.baseURI).href;
    } catch {
      return raw;
    }
  }
  set src(value: string) {
    this.setAttribute('src', value);
  }

  /** Reflects `autoplay`: play as soon as `src` is loaded (the Player's `autoplay`). */
  get autoplay(): boolean {
    return this.hasAttribute('autoplay');
  }
  set autoplay(value: boolean) {
    this.toggleAttribute('autoplay', Boolean(value));
  }

  /** Reflects `loop`: restart at the end instead of firing `ended` (the Player's `loop`). */
  get loop(): boolean {
    return this.hasAttribute('loop');
  }
  set loop(value: boolean) {
    this.toggleAttribute('loop', Boolean(value));
  }

  /** Reflects `controls`: show the shadow-DOM control bar. */
  get controls(): boolean {
    return this.hasAttribute('controls');
  }
  set controls(value: boolean) {
    this.toggleAttribute('controls', Boolean(value));
  }

  /** Reflects `decoder`. Defaults to 'auto'. */
  get decoder(): DecoderChoice {
    const v = this.getAttribute('decoder') as DecoderChoice | null;
    return v && DECODERS.includes(v) ? v : 'auto';
  }
  set decoder(value: DecoderChoice) {
    this.setAttribute('decoder', value);
  }

  /** Reflects `cache`. Defaults to 'auto'. */
  get cache(): CacheChoice {
    const v = this.getAttribute('cache') as CacheChoice | null;
    return v && CACHES.includes(v) ? v : 'auto';
  }
  set cache(value: CacheChoice) {
    this.setAttribute('cache', value);
  }

  /** Muted state (the `muted` attribute sets the initial value, as on `<audio>`). */
  get muted(): boolean {
    return this.#player ? this.#player.muted : this.#muted;
  }
  set muted(value: boolean) {
    this.#muted = Boolean(value);
    if (this.#player) this.#player.muted = this.#muted;
    else this.#render();
  }

  /** Volume 0..1 (the `volume` attribute sets the initial value). */
  get volume(): number {
    return this.#player ? this.#player.volume : this.#volume;
  }
  set volume(value: number) {
    if (!(value >= 0 && value <= 1)) {
      throw new DOMException(`The volume provided (${value}) is outside the range [0, 1].`, 'IndexSizeError');
    }
    this.#volume = value;
    if (this.#player) this.#player.volume = value;
    else this.#render();
  }

  /** Playback position in seconds; setting it seeks (kept until the Player exists). */
  get currentTime(): number {
    return this.#player?.currentTime ?? this.#pendingSeek ?? 0;
  }
  set currentTime(value: number) {
    if (!Number.isFinite(value)) throw new TypeError('currentTime, when provided, must be a finite number.');
    if (this.#player) this.#player.currentTime = value;
    else this.#pendingSeek = value;
  }

  /** Duration in seconds; NaN until known. */
  get duration(): number {
    return this.#player?.duration ?? NaN;
  }
  /** True unless playing or about to play. */
  get paused(): boolean {
    return this.#player?.paused ?? true;
  }
  /** True once playback reached the end. */
  get ended(): boolean {
    return this.#player?.ended ?? false;
  }
  /** True while a seek is in progress. */
  get seeking(): boolean {
    return this.#player?.seeking ?? false;
  }
  /** `HTMLMediaElement.readyState` semantics; 0 without a Player. */
  get readyState(): number {
    return this.#player?.readyState ?? 0;
  }
  /** Buffered ranges (TimeRanges-like), or `null` without a Player. */
  get buffered(): Player['buffered'] | null {
    return this.#player?.buffered ?? null;
  }
  /** The last error, cleared by a new load. */
  get error(): KitharaError | null {
    return this.#error;
  }

  /** Starts or resumes playback, creating the Player if needed. Rejects with a `KitharaError`. */
  play(): Promise<void> {
    const player = this.#ensurePlayer();
    return player.play();
  }

  /** Pauses playback. */
  pause(): void {
    this.#player?.pause();
  }

  /** Reloads `src` from the start. */
  load(): void {
    this.#ensurePlayer();
    this.#loadSrc(true);
  }

  // ----- Player wiring ---------------------------------------------------------------------

  #ensurePlayer(): Player {
    if (this.#player) return this.#player;
    const options: PlayerOptions = {
      decoder: this.decoder,
      cache: this.cache,
      volume: this.#volume,
      muted: this.#muted,
    };
    const player = new Player(options);
    player.autoplay = this.autoplay;
    player.loop = this.loop;
    this.#player = player;
    const listeners = new AbortController();
    this.#listeners = listeners;
    for (const type of FORWARDED_EVENTS) {
      player.addEventListener(type, (e) => this.#onPlayerEvent(e), { signal: listeners.signal });
    }
    this.#loadedSrc = '';
    this.#loadSrc();
    if (this.#pendingSeek !== null) {
      player.currentTime = this.#pendingSeek; // the Player waits for metadata itself
      this.#pendingSeek = null;
    }
    this.#syncControls();
    return player;
  }

  #destroyPlayer(): void {
    const player = this.#player;
    if (!player) return;
    this.#listeners?.abort();
    this.#listeners = null;
    this.#volume = player.volume; // a recreated Player starts where this one was
    this.#muted = player.muted;
    this.#player = null;
    this.#loadedSrc = '';
    this.#waiting = false;
    this.#stopStatus();
    player.destroy().catch(() => undefined);
    this.#render();
  }

  /** Hands `src` to the Player when it changed (or always, with `force`). */
  #loadSrc(force = false): void {
    const player = this.#player;
    const src = this.src;
    if (!player || !src || (!force && src === this.#loadedSrc)) return;
    this.#loadedSrc = src;
    this.#error = null;
    player.load(src).catch(() => undefined); // failures arrive as `error` events
  }

  #onPlayerEvent(e: Event): void {
    const player = this.#player;
    if (!player) return;
    switch (e.type) {
      case 'waiting':
        this.#waiting = true;
        break;
      case 'playing':
      case 'pause':
      case 'seeked':
        this.#waiting = false;
        break;
      case 'error':
        this.#error = (e as PlayerEventMap['error']).error ?? null;
        this.#waiting = false;
        break;
    }
    this.#render();
    this.dispatchEvent(cloneEvent(e));
  }

  // ----- controls --------------------------------------------------------------------------

  #syncControls(): void {
    if (this.controls && !this.#controls && this.shadowRoot) {
      this.#controls = new PlayerControls(this.shadowRoot, {
        togglePlay: () => {
          if (this.paused) this.play().catch(() => undefined);
          else this.pause();
        },
        seekTo: (t) => {
          this.currentTime = t;
        },
        setVolume: (v) => {
          this.volume = Math.max(0, Math.min(1, v));
          if (v > 0 && this.muted) this.muted = false;
        },
        toggleMute: () => {
          this.muted = !this.muted;
        },
      });
    }
    if (this.controls && this.#player && this.isConnected) this.#startStatus();
    else this.#stopStatus();
    this.#render();
  }

  #render(): void {
    if (!this.#controls || !this.controls) return;
    const state: ControlsState = {
      paused: this.paused,
      currentTime: this.currentTime,
      duration: this.duration,
      buffered: rangesOf(this.buffered),
      volume: this.volume,
      muted: this.muted,
      waiting: this.#waiting,
    };
    this.#controls.update(state);
  }

  #startStatus(): void {
    if (this.#statusTimer !== undefined) return;
    const tick = (): void => {
      const player = this.#player;
      if (!player || !this.#controls) return;
      this.#controls.setStatus(this.#error ? `error: ${this.#error.code}: ${this.#error.message}` : statusLine(player.stats));
      this.#render();
    };
    tick();
    this.#statusTimer = setInterval(tick, ELEMENT_DEFAULTS.statusIntervalMs);
  }

  #stopStatus(): void {
    if (this.#statusTimer === undefined) return;
    clearInterval(this.#statusTimer);
    this.#statusTimer = undefined;
  }
}

/**
 * Registers {@link KitharaPlayerElement} as `name` when a `customElements` registry exists and
 * the name is still free. Returns true when this call defined it. Safe to call in Node.
 */
export function defineKitharaPlayer(name = 'kithara-player'): boolean {
  const registry = (globalThis as { customElements?: CustomElementRegistry }).customElements;
  if (!registry || registry.get(name)) return false;
  try {
    registry.define(name, KitharaPlayerElement);
  } catch {
    // A constructor can be registered under one name only; a second name gets a subclass.
    registry.define(name, class extends KitharaPlayerElement {});
  }
  return true;
}
