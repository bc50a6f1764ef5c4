/**
 * The producer of the shared-memory ring. Runs in the engine worker.
 *
 * CONTRACT (STYLE.md rule 7; the layout and the flush protocol are in spsc-ring.ts)
 * - Role: the single producer. It writes `WRITE_INDEX`, the flush fields, the end fields and
 *   `WANT_FRAMES`, and nothing else. Only `Atomics.load` / `Atomics.store`, plus
 *   `Atomics.waitAsync` on `READ_INDEX` while waiting for space. Never `Atomics.wait`: the worker
 *   must stay free to run fetches and spawn nothing-blocking work.
 * - `write` allocates nothing (plain index loops, views made at construction).
 * - Stale values: `free()` and `available()` are snapshots; the reader only ever makes `free()`
 *   larger behind the writer's back, so a `write` of at most `free()` frames always fits.
 */
import { assert } from '../platform/errors.js';
import { realClock } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import { throwIfAborted } from '../platform/abort.js';
import { Ctl, ringViews } from './spsc-ring.js';

/**
 * The producer API both output paths share: {@link RingWriter} (SharedArrayBuffer) and
 * {@link PortRingWriter} (MessagePort fallback). The audio layer codes against this.
 */
export interface PcmWriter {
  /** Planar channels. */
  readonly channels: number;
  /** Frames the path holds at most (written but not yet played). */
  readonly capacity: number;
  /** Epoch of the frames being written (the argument of the last `flush`, initially 0). */
  readonly epoch: number;
  /**
   * Copies up to `frames` frames from `planes[c][offset ..]` (one array per channel) and returns
   * how many fit. Never blocks; returns 0 when full.
   */
  write(planes: readonly Float32Array[], frames: number, offset?: number): number;
  /** Frames `write` would accept now (a snapshot; it only grows behind your back). */
  free(): number;
  /** Frames written and not yet played (a snapshot). */
  available(): number;
  /** Resolves once `free() >= min(frames, capacity)`; rejects with `aborted` when `signal` aborts. */
  waitForSpace(frames: number, signal?: AbortSignal): Promise<void>;
  /** Drops every frame written so far, unheard, and starts `epoch`. */
  flush(epoch: number): void;
  /** Marks the current epoch complete: the reader reports `ended` after its last frame. */
  setEnded(): void;
  /** Makes written frames visible to the reader now (the port path batches; the ring needs nothing). */
  commit(): void;
}

/** Options of {@link RingWriter}. */
export interface RingWriterOptions {
  /** Frames per second the reader consumes; sizes the timer fallback's period. Defaults to 48000. */
  sampleRate?: number;
  /** Timer source for the fallback wait. Defaults to the real clock. */
  clock?: Clock;
  /**
   * How `waitForSpace` waits: `'auto'` uses `Atomics.waitAsync` when the platform has it, else a
   * timer; `'timer'` always uses the timer. Defaults to `'auto'`.
   */
  waitMode?: 'auto' | 'timer';
}

/** Defaults of {@link RingWriterOptions} and of the wait. */
export const RING_WRITER_DEFAULTS = {
  /** Defaults to 48000 frames per second. */
  sampleRate: 48000,
  /** Defaults to `'auto'`. */
  waitMode: 'auto' as 'auto' | 'timer',
  /** The timer fallback never sleeps less than this, in ms. */
  minTimerMs: 2,
  /** Nor more than this, in ms (a paused reader frees nothing; this bounds the polling rate). */
  maxTimerMs: 100,
  /** Safety re-check interval of `Atomics.waitAsync`, in ms (far below the ring's length, so a missed wake-up can never drain it); a correct reader wakes us sooner. */
  waitAsyncTimeoutMs: 50,
};

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
type WaitAsyncFn = (ta: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult;

/** Writes planar PCM into a ring made by `createRing`. */
export class RingWriter implements PcmWriter {
  /** Planar channels in the ring. */
  readonly channels: number;
  /** Capacity in frames (a power of two). */
  readonly capacity: number;
  private readonly ctl: Int32Array;
  private readonly planes: Float32Array[];
  private readonly mask: number;
  private readonly sampleRate: number;
  private readonly clock: Clock;
  private readonly waitAsync: WaitAsyncFn | undefined;
  /** Local copies of the writer-owned fields. */
  private writeIndex: number;
  private flushSeq: number;
  private currentEpoch: number;
  private ended = false;

  constructor(sab: SharedArrayBuffer, options: RingWriterOptions = {}) {
    const v = ringViews(sab);
    this.channels = v.channels;
    this.capacity = v.capacity;
    this.ctl = v.ctl;
    this.planes = v.planes;
    this.mask = v.capacity - 1;
    this.sampleRate = options.sampleRate ?? RING_WRITER_DEFAULTS.sampleRate;
    assert(this.sampleRate > 0, 'RingWriter: options.sampleRate, when provided, must be > 0');
    this.clock = options.clock ?? realClock;
    const mode = options.waitMode ?? RING_WRITER_DEFAULTS.waitMode;
    const native = (Atomics as unknown as { waitAsync?: WaitAsyncFn }).waitAsync;
    this.waitAsync = mode === 'auto' && typeof native === 'function' ? native : undefined;
    this.writeIndex = Atomics.load(this.ctl, Ctl.WRITE_INDEX);
    this.flushSeq = Atomics.load(this.ctl, Ctl.FLUSH_SEQ);
    this.currentEpoch = Atomics.load(this.ctl, Ctl.FLUSH_EPOCH);
  }

  /** Epoch of the frames being written. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Frames written and not yet consumed or dropped by the reader. */
  available(): number {
    return (this.writeIndex - Atomics.load(this.ctl, Ctl.READ_INDEX)) | 0;
  }

  /** Frames `write` would accept now. */
  free(): number {
    return this.capacity - this.available();
  }

  /** Copies up to `frames` frames from `planes[c][offset ..]`; returns how many fit. */
  write(planes: readonly Float32Array[], frames: number, offset = 0): number {
    assert(!this.ended, 'RingWriter.write after setEnded (flush first)');
    assert(planes.length >= this.channels, 'RingWriter.write: one plane per channel is required');
    const space = this.free();
    const n = frames < space ? frames : space;
    if (n <= 0) return 0;
    const cap = this.capacity;
    const pos = this.writeIndex & this.mask;
    const first = n < cap - pos ? n : cap - pos;
    const rest = n - first;
    for (let c = 0; c < this.channels; c++) {
      const src = planes[c] as Float32Array;
      const dst = this.planes[c] as Float32Array;
      assert(src.length >= offset + n, 'RingWriter.write: a plane is shorter than offset + frames');
      for (let i = 0; i < first; i++) dst[pos + i] = src[offset + i] as number;
      const from = offset + first;
      for (let i = 0; i < rest; i++) dst[i] = src[from + i] as number;
    }
    this.writeIndex = (this.writeIndex + n) | 0;
    Atomics.store(this.ctl, Ctl.WRITE_INDEX, this.writeIndex);
    return n;
  }

  /** Publishes a flush: every frame written so far is dropped unheard; `epoch` starts. */
  flush(epoch: number): void {
    const ctl = this.ctl;
    Atomics.store(ctl, Ctl.FLUSH_SEQ, (this.flushSeq + 1) | 0);
    Atomics.store(ctl, Ctl.FLUSH_INDEX, this.writeIndex);
    Atomics.store(ctl, Ctl.FLUSH_EPOCH, epoch | 0);
    this.flushSeq = (this.flushSeq + 2) | 0;
    Atomics.store(ctl, Ctl.FLUSH_SEQ, this.flushSeq);
    this.currentEpoch = epoch | 0;
    this.ended = false;
  }

  /** Marks the current epoch complete after the last frame written. */
  setEnded(): void {
    Atomics.store(this.ctl, Ctl.END_INDEX, this.writeIndex);
    Atomics.store(this.ctl, Ctl.END_TAG, this.flushSeq);
    this.ended = true;
  }

  /** Nothing to do: every `write` is visible to the reader at once. */
  commit(): void {}

  /**
   * Resolves once `free() >= min(frames, capacity)`. Uses `Atomics.waitAsync` on `READ_INDEX`
   * (the reader notifies when `WANT_FRAMES` is met); without it, sleeps on the clock for the time
   * the reader needs to free the missing frames at `sampleRate`, clamped to
   * [`minTimerMs`, `maxTimerMs`]. That sleep is the one timer this layer uses.
   */
  async waitForSpace(frames: number, signal?: AbortSignal): Promise<void> {
    const need = Math.min(Math.max(0, Math.ceil(frames)), this.capacity);
    for (;;) {
      throwIfAborted(signal);
      const free = this.free();
      if (free >= need) return;
      if (this.waitAsync !== undefined) await this.waitNotified(this.waitAsync, need, signal);
      else await this.clock.sleep(this.timerPeriod(need - free), signal);
    }
  }

  /** Milliseconds the reader needs to free `missing` frames, clamped. @internal */
  timerPeriod(missing: number): number {
    const ms = (missing / this.sampleRate) * 1000;
    return Math.min(RING_WRITER_DEFAULTS.maxTimerMs, Math.max(RING_WRITER_DEFAULTS.minTimerMs, ms));
  }

  private async waitNotified(waitAsync: WaitAsyncFn, need: number, signal: AbortSignal | undefined): Promise<void> {
    const ctl = this.ctl;
    // Announce first, then re-check: a reader that stores READ_INDEX after our load sees WANT_FRAMES.
    Atomics.store(ctl, Ctl.WANT_FRAMES, need);
    const seen = Atomics.load(ctl, Ctl.READ_INDEX);
    if (this.capacity - ((this.writeIndex - seen) | 0) >= need) {
      Atomics.store(ctl, Ctl.WANT_FRAMES, 0);
      return;
    }
    const result = waitAsync(ctl, Ctl.READ_INDEX, seen, RING_WRITER_DEFAULTS.waitAsyncTimeoutMs);
    if (result.async) {
      // Abort wakes our own waiter: only this writer ever waits on READ_INDEX.
      const onAbort = (): void => void Atomics.notify(ctl, Ctl.READ_INDEX);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await result.value;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }
    Atomics.store(ctl, Ctl.WANT_FRAMES, 0);
  }
}
