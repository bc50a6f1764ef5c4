/**
 * The shared-memory PCM ring between the engine worker and the AudioWorklet: its layout.
 *
 * REAL-TIME CONTRACT (STYLE.md rule 7)
 * - Roles. One producer: the {@link RingWriter} in the engine worker. One consumer: the
 *   {@link RingReader} in the AudioWorkletProcessor. One controller: the main thread, which writes
 *   only the `playing` flag and only reads the stats block. Every Int32 field below has exactly one
 *   writing role; it is named next to the field.
 * - Only `Atomics.load` and `Atomics.store` touch the control block (plus `Atomics.notify` by the
 *   reader and `Atomics.waitAsync` by the writer, on `READ_INDEX`). Nothing blocks: no
 *   `Atomics.wait` anywhere. Samples are plain Float32 reads and writes, published by the index
 *   stores (a release/acquire pair in the JS memory model).
 * - Nothing is allocated after construction on the reader side: no `subarray`, closures or
 *   promises in the read path. Methods return counts rather than throw.
 * - Stale values: every value one side reads of the other's fields is a snapshot that may already
 *   be out of date. `free()` on the writer can only grow behind its back; `available()` on the
 *   reader can only grow behind its back. Stats read on the main thread lag by up to one quantum.
 *
 * LAYOUT of the one SharedArrayBuffer (`createRing`):
 * ```
 * bytes 0 .. CONTROL_BYTES-1   Int32Array control block, in 64-byte groups (one group per writer,
 *                              so fields of different writers never share a cache line)
 * bytes CONTROL_BYTES ..       Float32Array sample storage, PLANAR: channel c occupies
 *                              [c * capacity, (c + 1) * capacity) floats
 * ```
 *
 * INDICES. `WRITE_INDEX` and `READ_INDEX` are frame counters that only increase, stored modulo
 * 2^32 in an Int32. Fill level is `(write - read) | 0`, which is exact across the wrap because the
 * capacity is a power of two no larger than 2^30. A frame's slot is `index & (capacity - 1)`.
 *
 * FLUSH / EPOCH PROTOCOL (wait-free on both sides). The writer cannot move `READ_INDEX` (the reader
 * owns it), so a flush is a request the reader applies:
 * 1. Writer: `FLUSH_SEQ = seq + 1` (odd: "flush being written"), `FLUSH_INDEX = its write index`,
 *    `FLUSH_EPOCH = epoch`, then `FLUSH_SEQ = seq + 2` (even: published). New-epoch frames are then
 *    written from `FLUSH_INDEX` on, as usual.
 * 2. Reader, at the start of every quantum: load `WRITE_INDEX` first, then `FLUSH_SEQ`. If it equals
 *    the last applied value, nothing to do. If it is odd, or changes while `FLUSH_INDEX` and
 *    `FLUSH_EPOCH` are read (a seqlock check), a flush is being published: everything the reader
 *    can see is stale, so it outputs silence this quantum, consumes nothing, and retries next
 *    quantum. Otherwise it sets `read = max(read, FLUSH_INDEX)` (wrap-aware: never backwards, so
 *    two quick flushes cannot replay frames), adopts `FLUSH_EPOCH`, and plays on.
 *    Because `WRITE_INDEX` is loaded before `FLUSH_SEQ`, every frame in `[read, write)` after a
 *    successful check belongs to the adopted epoch: a frame of a newer epoch is only published
 *    after that epoch's `FLUSH_SEQ`, which the reader would then have seen.
 * 3. The space of the dropped frames returns to the writer when the reader applies the flush
 *    (within one render quantum while the AudioContext runs); the reader's `READ_INDEX` store wakes
 *    a writer blocked in `waitForSpace`.
 * END. `setEnded()` stores `END_INDEX = write index`, then `END_TAG = FLUSH_SEQ` of the current
 * epoch. The reader treats the epoch as ended once `END_TAG` equals the flush sequence it applied
 * and its read index reached `END_INDEX`. A flush makes the tag stale without clearing it.
 */
import { assert } from '../platform/errors.js';

/** Marks a SharedArrayBuffer as a Kithara ring ("KRNG"). */
export const RING_MAGIC = 0x4b524e47;
/** Layout version; bumped when the control block changes. */
export const RING_VERSION = 1;
/** Frames in one Web Audio render quantum. */
export const RENDER_QUANTUM = 128;
/** The largest capacity a ring may have, in frames (keeps `(write - read) | 0` exact). */
export const MAX_CAPACITY = 1 << 30;

/**
 * Int32 indices of the control block. The comment on each field names its single writer.
 * @internal
 */
export const Ctl = {
  // Header, written once by createRing, read-only afterwards.
  MAGIC: 0,
  VERSION: 1,
  CHANNELS: 2,
  CAPACITY: 3,
  // Writer (engine worker) group.
  /** Frames ever written, mod 2^32. */
  WRITE_INDEX: 16,
  /** Flush seqlock: even = published, odd = being written. Starts at 0. */
  FLUSH_SEQ: 17,
  /** The writer's index when the last flush was requested: frames before it are stale. */
  FLUSH_INDEX: 18,
  /** Epoch of the frames written since the last flush. */
  FLUSH_EPOCH: 19,
  /** `FLUSH_SEQ` of the epoch that ended, or -1 (odd, so never a valid sequence). */
  END_TAG: 20,
  /** Write index one past the last frame of the ended epoch. */
  END_INDEX: 21,
  /** Free frames the writer is waiting for (0 = not waiting); tells the reader to notify. */
  WANT_FRAMES: 22,
  // Reader (AudioWorklet) group.
  /** Frames ever consumed or dropped, mod 2^32. The writer waits on this field. */
  READ_INDEX: 32,
  // Controller (main thread) group.
  /** 1 = playing, 0 = paused. */
  PLAYING: 48,
  // Stats (written by the reader, read by the main thread; seqlock on STATS_SEQ).
  STATS_SEQ: 64,
  STATS_EPOCH: 65,
  STATS_EPOCH_FRAMES_LO: 66,
  STATS_EPOCH_FRAMES_HI: 67,
  STATS_TOTAL_FRAMES_LO: 68,
  STATS_TOTAL_FRAMES_HI: 69,
  STATS_START_FRAME_LO: 70,
  STATS_START_FRAME_HI: 71,
  STATS_END_FRAME_LO: 72,
  STATS_END_FRAME_HI: 73,
  STATS_CONTEXT_FRAME_LO: 74,
  STATS_CONTEXT_FRAME_HI: 75,
  STATS_UNDERRUN_QUANTA: 76,
  STATS_UNDERRUN_FRAMES: 77,
  STATS_FLAGS: 78,
} as const;

/** Int32 slots in the control block. */
export const CONTROL_INTS = 96;
/** Bytes before the sample storage (a multiple of 64). */
export const CONTROL_BYTES = CONTROL_INTS * 4;

/** Options of {@link createRing}. */
export interface CreateRingOptions {
  /**
   * Value both indices start at. Only tests change it, to cross the 2^31 and 2^32 wraps quickly.
   * Defaults to 0.
   * @internal
   */
  initialIndex?: number;
}

/** What a ring buffer holds, read from its header. */
export interface RingInfo {
  /** Planar channels. */
  channels: number;
  /** Capacity in frames (a power of two). */
  capacity: number;
}

/** The smallest power of two that is >= `frames` (at least one render quantum). */
export function ringCapacityFor(frames: number): number {
  let cap = RENDER_QUANTUM;
  while (cap < frames) cap *= 2;
  return cap;
}

/**
 * Allocates a ring for `channels` planar channels holding at least `capacityFrames` frames.
 * The capacity is rounded up to a power of two (read it back with {@link ringInfo}). The returned
 * buffer is the whole descriptor: send it to the worklet in `processorOptions` and to the worker.
 */
export function createRing(channels: number, capacityFrames: number, options: CreateRingOptions = {}): SharedArrayBuffer {
  assert(Number.isInteger(channels) && channels >= 1 && channels <= 32, 'createRing: channels must be an integer from 1 to 32');
  assert(capacityFrames >= 1 && capacityFrames <= MAX_CAPACITY, 'createRing: capacityFrames must be from 1 to 2^30');
  const capacity = ringCapacityFor(capacityFrames);
  const sab = new SharedArrayBuffer(CONTROL_BYTES + channels * capacity * 4);
  const ctl = new Int32Array(sab, 0, CONTROL_INTS);
  const start = (options.initialIndex ?? 0) | 0;
  ctl[Ctl.MAGIC] = RING_MAGIC;
  ctl[Ctl.VERSION] = RING_VERSION;
  ctl[Ctl.CHANNELS] = channels;
  ctl[Ctl.CAPACITY] = capacity;
  ctl[Ctl.WRITE_INDEX] = start;
  ctl[Ctl.FLUSH_INDEX] = start;
  ctl[Ctl.END_TAG] = -1;
  ctl[Ctl.READ_INDEX] = start;
  ctl[Ctl.STATS_START_FRAME_LO] = -1;
  ctl[Ctl.STATS_START_FRAME_HI] = -1;
  ctl[Ctl.STATS_END_FRAME_LO] = -1;
  ctl[Ctl.STATS_END_FRAME_HI] = -1;
  return sab;
}

/** Reads channels and capacity from a ring's header. A buffer that is not a ring fails an assert. */
export function ringInfo(sab: SharedArrayBuffer): RingInfo {
  assert(sab.byteLength >= CONTROL_BYTES, 'ringInfo: not a Kithara ring (too small)');
  const ctl = new Int32Array(sab, 0, CONTROL_INTS);
  assert(ctl[Ctl.MAGIC] === RING_MAGIC && ctl[Ctl.VERSION] === RING_VERSION, 'ringInfo: not a Kithara ring (magic or version)');
  const channels = ctl[Ctl.CHANNELS] ?? 0;
  const capacity = ctl[Ctl.CAPACITY] ?? 0;
  assert(sab.byteLength === CONTROL_BYTES + channels * capacity * 4, 'ringInfo: not a Kithara ring (size)');
  return { channels, capacity };
}

/** The views over a ring. @internal */
export interface RingViews extends RingInfo {
  ctl: Int32Array;
  planes: Float32Array[];
}

/** Builds the control and per-channel views (at construction only). @internal */
export function ringViews(sab: SharedArrayBuffer): RingViews {
  const { channels, capacity } = ringInfo(sab);
  const ctl = new Int32Array(sab, 0, CONTROL_INTS);
  const planes: Float32Array[] = [];
  for (let c = 0; c < channels; c++) planes.push(new Float32Array(sab, CONTROL_BYTES + c * capacity * 4, capacity));
  return { channels, capacity, ctl, planes };
}

/** Splits a safe integer into the two Int32 halves the control block stores. @internal */
export function storeInt64(ctl: Int32Array, loIndex: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  Atomics.store(ctl, loIndex, (value - hi * 4294967296) | 0);
  Atomics.store(ctl, loIndex + 1, hi | 0);
}

/** Joins two Int32 halves written by {@link storeInt64}. @internal */
export function loadInt64(ctl: Int32Array, loIndex: number): number {
  const lo = Atomics.load(ctl, loIndex) >>> 0;
  const hi = Atomics.load(ctl, loIndex + 1);
  return hi * 4294967296 + lo;
}
