/**
 * The consumer side of an output path, as the {@link OutputProcessor} sees it. Two implementations:
 * {@link RingReader} (SharedArrayBuffer) and {@link PortRingReader} (MessagePort fallback).
 * Every method runs on the audio thread, once per render quantum, and must not allocate.
 */

/** `sync()` result: no flush since the last call. */
export const SYNC_OK = 0;
/** `sync()` result: a flush was applied; `epoch` changed and old frames are gone. */
export const SYNC_FLUSHED = 1;
/** `sync()` result: a flush is being published right now; output silence and try next quantum. */
export const SYNC_BUSY = 2;

/** What `sync()` returns. */
export type SyncResult = typeof SYNC_OK | typeof SYNC_FLUSHED | typeof SYNC_BUSY;

/** A real-time PCM source for one output. */
export interface PcmReader {
  /** Planar channels the writer produces. */
  readonly channels: number;
  /** The epoch of the frames `read` returns, as of the last `sync()`. */
  readonly epoch: number;
  /** Call first in every quantum: applies pending flushes and snapshots the fill level. */
  sync(): SyncResult;
  /**
   * Copies up to `frames` frames into `outputs[c][0 .. n)` and returns `n`. Leaves the rest of the
   * arrays untouched. Output channels beyond the reader's get channel 0 when the source is mono,
   * otherwise they are left untouched. Returns 0 after `sync()` returned {@link SYNC_BUSY}.
   */
  read(outputs: readonly Float32Array[], frames: number): number;
  /** `true` once the writer ended the current epoch and every frame of it was read. */
  drainedEnd(): boolean;
  /** Frames readable as of the last `sync()`. */
  available(): number;
  /** `true` once the writer ended the current epoch (frames may remain to be read). */
  writerEnded(): boolean;
}
