/**
 * The producer of the MessagePort fallback, with the same API as `RingWriter` ({@link PcmWriter}).
 * Runs in the engine worker; the consumer is `PortRingReader` in the worklet.
 *
 * CONTRACT
 * - Frames are copied into planar batch buffers of `batchFrames` frames (channel c at
 *   `[c * batchFrames, ...)`) and posted with the buffer transferred, not copied.
 * - Credits: the writer counts frames posted; the reader returns, per finished (or dropped) batch,
 *   a credit with the frame count and the buffer itself. In flight = posted - credited, and
 *   `in flight + the batch being filled <= capacity`: the same back-pressure as the ring.
 *   Buffers cycle between the two sides, so the steady state allocates no PCM buffers; at most
 *   `portSlotCount(capacity, batchFrames) + 1` are ever made.
 * - A partly filled batch is posted when the reader runs low (in flight below `lowWaterFrames`,
 *   checked after each `write` and each credit), on `commit()`, before `waitForSpace` waits, and
 *   before the `end` message.
 * - Flush: the partial batch is discarded and a `flush` message follows every batch already
 *   posted; port order guarantees the reader drops exactly those.
 * - Waiting is event-driven: `waitForSpace` resolves when a credit makes room. No timers.
 */
import { KitharaError, assert } from '../platform/errors.js';
import { throwIfAborted } from '../platform/abort.js';
import { portSlotCount } from './port-queue.js';
import type { PcmWriter } from './ring-writer.js';
import type { EndMessage, FlushMessage, MessagePortLike, PcmMessage, ReaderToWriter } from './protocol.js';

/** Options of {@link PortRingWriter}. */
export interface PortRingWriterOptions {
  /** Planar channels. */
  channels: number;
  /** Frames in flight at most (like the ring's capacity). */
  capacity: number;
  /** Frames per batch buffer. Defaults to 2048 (capped at `capacity`). */
  batchFrames?: number;
  /** Post a partial batch when fewer frames than this are in flight. Defaults to `batchFrames`. */
  lowWaterFrames?: number;
}

/** Defaults of {@link PortRingWriterOptions}. */
export const PORT_RING_DEFAULTS = {
  /** Defaults to 2048 frames (16 render quanta) per batch. */
  batchFrames: 2048,
};

/** Writes planar PCM to a worklet over a MessagePort, in transferred batches. */
export class PortRingWriter implements PcmWriter {
  /** Planar channels. */
  readonly channels: number;
  /** Frames in flight at most. */
  readonly capacity: number;
  /** Frames per batch buffer. */
  readonly batchFrames: number;
  private readonly lowWater: number;
  private readonly maxBuffers: number;
  private readonly pool: Float32Array[] = [];
  private allocated = 0;
  private current: Float32Array | null = null;
  private fill = 0;
  private inFlight = 0;
  private buffersOut = 0;
  private currentEpoch = 0;
  private ended = false;
  private endPending = false;
  private closed = false;
  private waiters: (() => void)[] = [];
  private readonly pcm: PcmMessage = { type: 'pcm', epoch: 0, frames: 0, data: new Float32Array(0) };
  private readonly transfer: Transferable[] = [];

  constructor(
    private readonly port: MessagePortLike,
    options: PortRingWriterOptions,
  ) {
    assert(Number.isInteger(options.channels) && options.channels >= 1, 'PortRingWriter: options.channels must be an integer >= 1');
    assert(Number.isInteger(options.capacity) && options.capacity >= 1, 'PortRingWriter: options.capacity must be an integer >= 1');
    this.channels = options.channels;
    this.capacity = options.capacity;
    this.batchFrames = Math.min(options.batchFrames ?? PORT_RING_DEFAULTS.batchFrames, options.capacity);
    assert(this.batchFrames >= 1, 'PortRingWriter: options.batchFrames, when provided, must be >= 1');
    this.lowWater = options.lowWaterFrames ?? this.batchFrames;
    this.maxBuffers = portSlotCount(this.capacity, this.batchFrames);
    port.onmessage = (ev: MessageEvent): void => this.handleMessage(ev.data as ReaderToWriter);
  }

  /** Epoch of the frames being written. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Batch buffers made so far (bounded; steady state reuses them). @internal */
  get allocatedBuffers(): number {
    return this.allocated;
  }

  /** Frames written and not yet credited back (posted or still in the partial batch). */
  available(): number {
    return this.inFlight + this.fill;
  }

  /** Frames `write` would accept now. */
  free(): number {
    const byCapacity = this.capacity - this.inFlight - this.fill;
    const posts = this.maxBuffers - this.buffersOut;
    const byBuffers = (this.current === null ? 0 : this.batchFrames - this.fill) + Math.max(0, posts) * this.batchFrames;
    return Math.max(0, Math.min(byCapacity, byBuffers));
  }

  /** Copies up to `frames` frames from `planes[c][offset ..]` into batches; returns how many fit. */
  write(planes: readonly Float32Array[], frames: number, offset = 0): number {
    assert(!this.ended, 'PortRingWriter.write after setEnded (flush first)');
    assert(planes.length >= this.channels, 'PortRingWriter.write: one plane per channel is required');
    let done = 0;
    while (done < frames) {
      if (this.current !== null && this.fill === this.batchFrames && !this.post()) break;
      if (this.current === null && !this.acquire()) break;
      const room = Math.min(this.batchFrames - this.fill, frames - done, this.capacity - this.inFlight - this.fill);
      if (room <= 0) break;
      const data = this.current as Float32Array;
      for (let c = 0; c < this.channels; c++) {
        const src = planes[c] as Float32Array;
        assert(src.length >= offset + frames, 'PortRingWriter.write: a plane is shorter than offset + frames');
        const base = c * this.batchFrames + this.fill;
        const from = offset + done;
        for (let i = 0; i < room; i++) data[base + i] = src[from + i] as number;
      }
      this.fill += room;
      done += room;
      if (this.fill === this.batchFrames) this.post();
    }
    if (this.fill > 0 && this.inFlight < this.lowWater) this.post();
    return done;
  }

  /** Posts the partial batch now, if there is one and a buffer slot is free. */
  commit(): void {
    if (this.fill > 0) this.post();
  }

  /** Discards the partial batch and tells the reader to drop every batch posted so far. */
  flush(epoch: number): void {
    this.fill = 0;
    this.ended = false;
    this.endPending = false;
    this.currentEpoch = epoch | 0;
    const m: FlushMessage = { type: 'flush', epoch: this.currentEpoch };
    this.port.postMessage(m, []);
  }

  /** Marks the current epoch complete: posts the partial batch, then an `end` message. */
  setEnded(): void {
    this.ended = true;
    this.endPending = true;
    this.finishEnd();
  }

  /** Resolves once `free() >= min(frames, capacity)`; credits wake it, no timers. */
  async waitForSpace(frames: number, signal?: AbortSignal): Promise<void> {
    const need = Math.min(Math.max(0, Math.ceil(frames)), this.capacity);
    for (;;) {
      throwIfAborted(signal);
      if (this.closed) throw new KitharaError('aborted', 'The output was closed.');
      if (this.free() >= need) return;
      this.commit();
      if (this.free() >= need) return;
      await this.nextCredit(signal);
    }
  }

  /** Detaches from the port; pending waits reject with `aborted`. */
  close(): void {
    this.closed = true;
    this.port.onmessage = null;
    this.wake();
  }

  /** Handles a credit from the reader (called by the port; tests may call it directly). */
  handleMessage(msg: ReaderToWriter): void {
    if (msg.type !== 'credit') return;
    this.inFlight -= msg.frames;
    this.buffersOut--;
    if (msg.data !== null && msg.data.length === this.channels * this.batchFrames) this.pool.push(msg.data);
    else this.allocated--;
    if (this.endPending) this.finishEnd();
    else if (this.fill === this.batchFrames || (this.fill > 0 && this.inFlight < this.lowWater)) this.post();
    this.wake();
  }

  private finishEnd(): void {
    if (this.fill > 0 && !this.post()) return;
    this.endPending = false;
    const m: EndMessage = { type: 'end', epoch: this.currentEpoch };
    this.port.postMessage(m, []);
  }

  /** Takes a batch buffer from the pool, or makes one while under the limit. */
  private acquire(): boolean {
    const pooled = this.pool.pop();
    if (pooled !== undefined) {
      this.current = pooled;
    } else {
      if (this.allocated > this.maxBuffers) return false;
      this.current = new Float32Array(this.channels * this.batchFrames);
      this.allocated++;
    }
    this.fill = 0;
    return true;
  }

  /** Posts the current batch if a slot is free; returns whether it did. */
  private post(): boolean {
    const data = this.current;
    if (data === null || this.fill === 0 || this.buffersOut >= this.maxBuffers) return false;
    const m = this.pcm;
    m.epoch = this.currentEpoch;
    m.frames = this.fill;
    m.data = data;
    this.transfer[0] = data.buffer as ArrayBuffer;
    this.port.postMessage(m, this.transfer);
    this.inFlight += this.fill;
    this.buffersOut++;
    this.current = null;
    this.fill = 0;
    return true;
  }

  private nextCredit(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new KitharaError('aborted', 'The operation was aborted.', { cause: signal?.reason }));
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
