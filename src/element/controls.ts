/**
 * The shadow-DOM control bar of `<kithara-player>`: play/pause, a seek bar that shows the
 * buffered ranges, time / duration, mute, volume and a one-line status.
 *
 * Ownership: this view owns only its DOM nodes. It never holds the Player; it reads state the
 * element passes to {@link PlayerControls.update} and reports the user's intent through
 * {@link ControlsActions}. It never calls `customElements` and never touches the light DOM.
 */
import { CONTROLS_CSS } from './controls-style.js';

/** Seconds the arrow keys move the playhead when the seek bar has focus. */
export const SEEK_STEP_SEC = 5;

/** What the user asked the control bar to do. */
export interface ControlsActions {
  /** Play when paused, pause when playing. */
  togglePlay(): void;
  /** Seek to an absolute time in seconds. */
  seekTo(seconds: number): void;
  /** Set volume, 0..1. */
  setVolume(volume: number): void;
  /** Flip `muted`. */
  toggleMute(): void;
}

/** A snapshot of the playback state the control bar shows. */
export interface ControlsState {
  paused: boolean;
  /** Seconds. */
  currentTime: number;
  /** Seconds; NaN when unknown, Infinity for live streams. */
  duration: number;
  /** Buffered time ranges, `[start, end]` in seconds. */
  buffered: ReadonlyArray<readonly [number, number]>;
  /** 0..1. */
  volume: number;
  muted: boolean;
  /** True while playback waits for data. */
  waiting: boolean;
}

const ICON_PLAY = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14l11-7z"/></svg>';
const ICON_PAUSE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 5h4v14H6zm8 0h4v14h-4z"/></svg>';
const ICON_VOLUME =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';
const ICON_MUTED =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 9v6h4l5 5V4L7 9H3zm18.3 6.3-1.4 1.4L17 13.8l-2.9 2.9-1.4-1.4 2.9-2.9-2.9-2.9 1.4-1.4 2.9 2.9 2.9-2.9 1.4 1.4-2.9 2.9z"/></svg>';

const TEMPLATE = `
<style>${CONTROLS_CSS}</style>
<div class="panel" part="controls" role="group" aria-label="Audio player">
  <div class="bar">
    <button class="play" part="play-button" type="button" aria-label="Play">${ICON_PLAY}</button>
    <div class="seek-wrap">
      <div class="track"></div>
      <div class="buffered" part="buffered"></div>
      <div class="played" part="played"></div>
      <input class="seek" part="seek" type="range" min="0" max="0" step="any" value="0"
        aria-label="Seek" aria-valuetext="0:00">
    </div>
    <span class="time" part="time" aria-hidden="true">0:00 / --:--</span>
    <button class="mute" part="mute-button" type="button" aria-label="Mute" aria-pressed="false">${ICON_VOLUME}</button>
    <input class="volume" part="volume" type="range" min="0" max="1" step="0.01" value="1" aria-label="Volume">
  </div>
  <div class="status" part="status">idle</div>
</div>`;

/** Formats seconds as `m:ss` or `h:mm:ss`; `--:--` when unknown, `live` for Infinity. */
export function formatTime(seconds: number): string {
  if (seconds === Infinity) return 'live';
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * CSS background for the buffered layer of the seek bar: one opaque stop pair per range,
 * transparent elsewhere. Pure, so the element can be tested without a layout engine.
 */
export function bufferedGradient(ranges: ControlsState['buffered'], duration: number): string {
  if (!(duration > 0) || !Number.isFinite(duration) || ranges.length === 0) return 'none';
  const stops: string[] = [];
  for (const [start, end] of ranges) {
    const a = Math.max(0, Math.min(100, (start / duration) * 100)).toFixed(2);
    const b = Math.max(0, Math.min(100, (end / duration) * 100)).toFixed(2);
    stops.push(`transparent ${a}%`, `var(--kithara-buffered) ${a}%`, `var(--kithara-buffered) ${b}%`, `transparent ${b}%`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** The control bar inside a shadow root. */
export class PlayerControls {
  readonly #panel: HTMLElement;
  readonly #play: HTMLButtonElement;
  readonly #seek: HTMLInputElement;
  readonly #buffered: HTMLElement;
  readonly #played: HTMLElement;
  readonly #time: HTMLElement;
  readonly #mute: HTMLButtonElement;
  readonly #volume: HTMLInputElement;
  readonly #status: HTMLElement;
  readonly #actions: ControlsActions;
  #dragging = false;
  #last: ControlsState | null = null;

  /** Renders the bar into `root` and wires its inputs to `actions`. */
  constructor(root: ShadowRoot, actions: ControlsActions) {
    this.#actions = actions;
    root.innerHTML = TEMPLATE;
    const q = <T extends Element>(sel: string): T => {
      const el = root.querySelector<T>(sel);
      if (!el) throw new Error(`kithara-player: missing ${sel} in the control template`);
      return el;
    };
    this.#panel = q('.panel');
    this.#play = q('button.play');
    this.#seek = q('input.seek');
    this.#buffered = q('.buffered');
    this.#played = q('.played');
    this.#time = q('.time');
    this.#mute = q('button.mute');
    this.#volume = q('input.volume');
    this.#status = q('.status');

    this.#play.addEventListener('click', () => actions.togglePlay());
    this.#mute.addEventListener('click', () => actions.toggleMute());
    this.#volume.addEventListener('input', () => actions.setVolume(Number(this.#volume.value)));
    this.#seek.addEventListener('input', () => {
      this.#dragging = true;
      this.#showTime(Number(this.#seek.value));
    });
    this.#seek.addEventListener('change', () => {
      this.#dragging = false;
      actions.seekTo(Number(this.#seek.value));
    });
    this.#seek.addEventListener('keydown', (e) => this.#onSeekKey(e));
    this.#panel.addEventListener('keydown', (e) => {
      // Space toggles playback anywhere in the bar except on buttons, where it clicks them.
      if ((e.key === ' ' || e.code === 'Space') && !(e.target instanceof HTMLButtonElement)) {
        e.preventDefault();
        actions.togglePlay();
      }
    });
  }

  /** Shows `state`. Cheap when nothing changed; safe to call on every media event. */
  update(state: ControlsState): void {
    const last = this.#last;
    this.#last = state;
    if (!last || last.paused !== state.paused) {
      this.#play.innerHTML = state.paused ? ICON_PLAY : ICON_PAUSE;
      this.#play.setAttribute('aria-label', state.paused ? 'Play' : 'Pause');
    }
    if (!last || last.waiting !== state.waiting) this.#panel.classList.toggle('waiting', state.waiting);
    if (!last || last.muted !== state.muted || (last.volume === 0) !== (state.volume === 0)) {
      const silent = state.muted || state.volume === 0;
      this.#mute.innerHTML = silent ? ICON_MUTED : ICON_VOLUME;
      this.#mute.setAttribute('aria-label', state.muted ? 'Unmute' : 'Mute');
      this.#mute.setAttribute('aria-pressed', String(state.muted));
    }
    if (!last || last.volume !== state.volume) this.#volume.value = String(state.volume);

    const seekable = state.duration > 0 && Number.isFinite(state.duration);
    this.#seek.disabled = !seekable;
    this.#seek.max = seekable ? String(state.duration) : '0';
    if (!this.#dragging) {
      this.#seek.value = String(seekable ? Math.min(state.currentTime, state.duration) : 0);
      this.#showTime(state.currentTime);
    }
    this.#buffered.style.background = bufferedGradient(state.buffered, state.duration);
  }

  /** Sets the one-line status text (codec, decoder, buffer). */
  setStatus(text: string): void {
    if (this.#status.textContent !== text) this.#status.textContent = text;
  }

  #showTime(t: number): void {
    const duration = this.#last?.duration ?? NaN;
    const pct = duration > 0 && Number.isFinite(duration) ? Math.min(100, (t / duration) * 100) : 0;
    this.#played.style.width = `${pct}%`;
    this.#time.textContent = `${formatTime(t)} / ${formatTime(duration)}`;
    this.#seek.setAttribute('aria-valuetext', `${formatTime(t)} of ${formatTime(duration)}`);
  }

  #onSeekKey(e: KeyboardEvent): void {
    const state = this.#last;
    if (!state) return;
    let target: number | null = null;
    switch (e.key) {
      case 'ArrowLeft':
      case 'ArrowDown':
        target = state.currentTime - SEEK_STEP_SEC;
        break;
      case 'ArrowRight':
      case 'ArrowUp':
        target = state.currentTime + SEEK_STEP_SEC;
        break;
      case 'Home':
        target = 0;
        break;
      case 'End':
        target = state.duration;
        break;
      default:
        return;
    }
    e.preventDefault();
    if (!(state.duration > 0) || !Number.isFinite(state.duration)) return;
    this.#actions.seekTo(Math.max(0, Math.min(state.duration, target)));
  }
}
