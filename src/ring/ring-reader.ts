/**
 * The consumer of the shared-memory ring. Runs on the audio thread inside `process()`.
 *
 * REAL-TIME CONTRACT (STYLE.md rule 7; the layout and the flush protocol are in spsc-ring.ts)
 * - Role: the single consumer. It writes `READ_INDEX` and nothing else of the ring proper
 *   (the stats block is written by {@link SabStatsSink}, also on this thread).
 * - Only `Atomics.load` / `Atomics.store`, plus `Atomics.notify` on `READ_INDEX` when the writer
 *   announced in `WANT_FRAMES` that it waits for space. Notify never blocks.
 * - Nothing is allocated after construction: the per-channel views are made once; copies are
 *   plain index loops (no `subarray`, no `set`).
 * - Stale values: the write index is snapshot by `sync()`; frames written after it are read next
 *   quantum. `drainedEnd()` may report `false` one quantum late, never `true` early.
 */
import { Ctl, ringViews } from './spsc-ring.js';
import { SYNC_BUSY, SYNC_FLUSHED, SYNC_OK } from './pcm-reader.js';
import type { PcmReader, SyncResult } from './pcm-reader.js';

/** Reads PCM frames out of a ring made by `createRing`. */
export class RingReader implements PcmReader {
  /** Planar channels in the ring. */
  readonly channels: number;
  /** Capacity in frames (a power of two). */
  readonly capacity: number;
  private readonly ctl: Int32Array;
  private readonly planes: Float32Array[];
  private readonly mask: number;
  /** Local copy of READ_INDEX (this class is its only writer). */
  private readIndex: number;
  /** WRITE_INDEX as of the last sync(). */
  private writeIndex: number;
  /** The FLUSH_SEQ value last applied. */
  private appliedSeq: number;
  private busy = false;
  private currentEpoch: number;

  constructor(sab: SharedArrayBuffer) {
    const v = ringViews(sab);
    this.channels = v.channels;
    this.capacity = v.capacity;
    this.ctl = v.ctl;
    this.planes = v.planes;
    this.mask = v.capacity - 1;
    this.readIndex = Atomics.load(this.ctl, Ctl.READ_INDEX);
    this.writeIndex = Atomics.load(this.ctl, Ctl.WRITE_INDEX);
    this.currentEpoch = Atomics.load(this.ctl, Ctl.FLUSH_EPOCH);
    // Pretend the flush before the current one was the last applied, so the first sync()
    // (re)applies whatever is published: a flush made before this reader existed still drops.
    this.appliedSeq = ((Atomics.load(this.ctl, Ctl.FLUSH_SEQ) & ~1) - 2) | 0;
  }

  /** The epoch of the frames `read` returns. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Frames readable as of the last `sync()`. */
  available(): number {
    return (this.writeIndex - this.readIndex) | 0;
  }

  /** Snapshots the write index, then applies a published flush (see spsc-ring.ts). */
  sync(): SyncResult {
    const ctl = this.ctl;
    // Order matters: the write index first, the flush sequence second.
    this.writeIndex = Atomics.load(ctl, Ctl.WRITE_INDEX);
    const seq = Atomics.load(ctl, Ctl.FLUSH_SEQ);
    if (seq === this.appliedSeq) {
      this.busy = false;
      return SYNC_OK;
    }
    this.busy = true;
    if ((seq & 1) !== 0) return SYNC_BUSY;
    const flushIndex = Atomics.load(ctl, Ctl.FLUSH_INDEX);
    const epoch = Atomics.load(ctl, Ctl.FLUSH_EPOCH);
    if (Atomics.load(ctl, Ctl.FLUSH_SEQ) !== seq) return SYNC_BUSY;
    this.busy = false;
    this.appliedSeq = seq;
    this.currentEpoch = epoch;
    if (((flushIndex - this.readIndex) | 0) > 0) {
      this.readIndex = flushIndex;
      Atomics.store(ctl, Ctl.READ_INDEX, flushIndex);
      this.notifyIfWanted();
    }
    return SYNC_FLUSHED;
  }

  /** Copies up to `frames` frames into `outputs[c][0 .. n)`; returns `n`. */
  read(outputs: readonly Float32Array[], frames: number): number {
    if (this.busy) return 0;
    const avail = (this.writeIndex - this.readIndex) | 0;
    const n = frames < avail ? frames : avail;
    if (n <= 0) return 0;
    const cap = this.capacity;
    const pos = this.readIndex & this.mask;
    const first = n < cap - pos ? n : cap - pos;
    const rest = n - first;
    const channels = this.channels;
    const outCount = outputs.length;
    for (let c = 0; c < outCount; c++) {
      const out = outputs[c];
      const src = c < channels ? this.planes[c] : channels === 1 ? this.planes[0] : undefined;
      if (out === undefined || src === undefined) continue;
      for (let i = 0; i < first; i++) out[i] = src[pos + i] as number;
      for (let i = 0; i < rest; i++) out[first + i] = src[i] as number;
    }
    this.readIndex = (this.readIndex + n) | 0;
    Atomics.store(this.ctl, Ctl.READ_INDEX, this.readIndex);
    this.notifyIfWanted();
    return n;
  }

  /** `true` once the writer ended the current epoch (frames may remain). */
  writerEnded(): boolean {
    return !this.busy && Atomics.load(this.ctl, Ctl.END_TAG) === this.appliedSeq;
  }

  /** `true` once the writer ended the current epoch and every frame of it was read. */
  drainedEnd(): boolean {
    if (this.busy) return false;
    if (Atomics.load(this.ctl, Ctl.END_TAG) !== this.appliedSeq) return false;
    return ((Atomics.load(this.ctl, Ctl.END_INDEX) - this.readIndex) | 0) <= 0;
  }

  /** Wakes a writer blocked in `waitForSpace` once the space it asked for exists. */
  private notifyIfWanted(): void {
    const want = Atomics.load(this.ctl, Ctl.WANT_FRAMES);
    if (want > 0 && this.capacity - ((this.writeIndex - this.readIndex) | 0) >= want) {
      Atomics.notify(this.ctl, Ctl.READ_INDEX);
    }
  }
}
