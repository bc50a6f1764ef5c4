/**
 * The consumer of the MessagePort fallback (no SharedArrayBuffer without cross-origin isolation).
 * Runs on the audio thread; the writer is `PortRingWriter` in the engine worker.
 *
 * REAL-TIME CONTRACT (STYLE.md rule 7)
 * - Roles: one producer (the worker, posting on the data port), one consumer (this class).
 *   Both run their halves on their own threads; this class's message handler and `process()` run
 *   on the same audio thread, so they never race.
 * - Received batches go into a preallocated queue of slots (`portSlotCount`); nothing is
 *   allocated in `read`. When a batch is used up, its buffer goes back to the writer in a
 *   preallocated credit message (one message per batch, never one per quantum); `postMessage`'s
 *   internal structured clone is the documented exception. The typed-array view of each received
 *   batch is made by the message deserializer, outside `process()`.
 * - Flush: messages on a port are ordered, so every batch posted before a `flush` message is of an
 *   older epoch. On `flush` the queue is dropped (each buffer credited back) before any later batch
 *   can arrive. A batch whose epoch differs from the current one is credited back unplayed.
 * - Stale values: none shared; the writer learns about consumption only through credits.
 */
import { SYNC_FLUSHED, SYNC_OK } from './pcm-reader.js';
import type { PcmReader, SyncResult } from './pcm-reader.js';
import type { CreditMessage, MessagePortLike, WriterToReader } from './protocol.js';

/**
 * Batch buffers that may be in flight at once. The writer never has more posted and the reader's
 * queue has this many slots: twice the batches that fill the capacity (partial batches are posted
 * when the reader runs low) plus two.
 */
export function portSlotCount(capacity: number, batchFrames: number): number {
  return 2 * Math.ceil(capacity / batchFrames) + 2;
}

interface Slot {
  data: Float32Array | null;
  frames: number;
  /** Frames of this batch already read. */
  pos: number;
  /** Floats between two channels in `data` (the writer's `batchFrames`). */
  stride: number;
}

/** Reads PCM batches posted by a `PortRingWriter`. */
export class PortRingReader implements PcmReader {
  /** Planar channels in each batch. */
  readonly channels: number;
  private readonly slots: Slot[] = [];
  private head = 0;
  private count = 0;
  private port: MessagePortLike | null = null;
  private currentEpoch = 0;
  private flushed = false;
  private ended = false;
  private readonly credit: CreditMessage = { type: 'credit', frames: 0, data: null };
  private readonly transfer: Transferable[] = [];

  constructor(channels: number, capacity: number, batchFrames: number) {
    this.channels = channels;
    const n = portSlotCount(capacity, batchFrames);
    for (let i = 0; i < n; i++) this.slots.push({ data: null, frames: 0, pos: 0, stride: 0 });
  }

  /** Attaches the data port the writer posts on (from a `connect` command). */
  attach(port: MessagePortLike): void {
    this.port = port;
    port.onmessage = (ev: MessageEvent): void => this.handleMessage(ev.data as WriterToReader);
  }

  /** The epoch of the frames `read` returns. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Frames queued (not yet read). */
  available(): number {
    let total = 0;
    for (let k = 0; k < this.count; k++) {
      const s = this.slots[(this.head + k) % this.slots.length] as Slot;
      total += s.frames - s.pos;
    }
    return total;
  }

  /** Handles one message from the writer (called by the port; tests may call it directly). */
  handleMessage(msg: WriterToReader): void {
    switch (msg.type) {
      case 'pcm': {
        if (msg.epoch !== this.currentEpoch || this.count === this.slots.length) {
          this.giveBack(msg.data, msg.frames);
          return;
        }
        const slot = this.slots[(this.head + this.count) % this.slots.length] as Slot;
        slot.data = msg.data;
        slot.frames = msg.frames;
        slot.pos = 0;
        slot.stride = msg.data.length / this.channels;
        this.count++;
        return;
      }
      case 'flush':
        while (this.count > 0) this.release();
        this.currentEpoch = msg.epoch;
        this.ended = false;
        this.flushed = true;
        return;
      case 'end':
        if (msg.epoch === this.currentEpoch) this.ended = true;
        return;
    }
  }

  /** Reports a flush applied since the last call. */
  sync(): SyncResult {
    if (!this.flushed) return SYNC_OK;
    this.flushed = false;
    return SYNC_FLUSHED;
  }

  /** Copies up to `frames` frames into `outputs[c][0 .. n)`; returns `n`. */
  read(outputs: readonly Float32Array[], frames: number): number {
    let done = 0;
    const channels = this.channels;
    const outCount = outputs.length;
    while (done < frames && this.count > 0) {
      const slot = this.slots[this.head] as Slot;
      const data = slot.data as Float32Array;
      const left = slot.frames - slot.pos;
      const n = frames - done < left ? frames - done : left;
      for (let c = 0; c < outCount; c++) {
        const out = outputs[c];
        const src = c < channels ? c : channels === 1 ? 0 : -1;
        if (out === undefined || src < 0) continue;
        const base = src * slot.stride + slot.pos;
        for (let i = 0; i < n; i++) out[done + i] = data[base + i] as number;
      }
      done += n;
      slot.pos += n;
      if (slot.pos === slot.frames) this.release();
    }
    return done;
  }

  /** `true` once the writer ended the current epoch (frames may remain). */
  writerEnded(): boolean {
    return this.ended;
  }

  /** `true` once the writer ended the current epoch and the queue is empty. */
  drainedEnd(): boolean {
    return this.ended && this.count === 0;
  }

  /** Pops the head slot and credits its unread frames and buffer back to the writer. */
  private release(): void {
    const slot = this.slots[this.head] as Slot;
    const data = slot.data;
    const frames = slot.frames;
    slot.data = null;
    slot.frames = 0;
    slot.pos = 0;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    if (data !== null) this.giveBack(data, frames);
  }

  private giveBack(data: Float32Array, frames: number): void {
    const port = this.port;
    if (port === null) return;
    const m = this.credit;
    m.frames = frames;
    m.data = data;
    this.transfer[0] = data.buffer as ArrayBuffer;
    port.postMessage(m, this.transfer);
    m.data = null;
  }
}
