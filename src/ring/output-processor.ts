/**
 * The logic of the `kithara-output` AudioWorkletProcessor, as a plain class Node can test.
 * `worklets/output.worklet.ts` only wraps it.
 *
 * REAL-TIME CONTRACT (STYLE.md rule 7)
 * - Runs on the audio thread; `process()` is called once per render quantum.
 * - Single consumer of its {@link PcmReader}; the only writer of its {@link OutputStats}.
 * - No allocation, closures, promises, logging or try/catch in `process()`; it returns `false`
 *   instead of throwing. Output is exactly the frames written (no gain, no processing), then
 *   silence for the rest of the quantum.
 * - Stale values: `isPlaying()` is read once per quantum, so play/pause takes effect at the next
 *   quantum boundary.
 */
import { SYNC_BUSY, SYNC_FLUSHED } from './pcm-reader.js';
import type { PcmReader } from './pcm-reader.js';
import { emptyOutputStats } from './protocol.js';
import type { OutputStats } from './protocol.js';
import type { OutputSink } from './output-stats.js';

/** Whether the output should consume frames. */
export interface PlayState {
  isPlaying(): boolean;
}

/** SAB mode: the main thread writes `Ctl.PLAYING` in the ring; the audio thread reads it. */
export class SharedPlayState implements PlayState {
  constructor(
    private readonly ctl: Int32Array,
    private readonly index: number,
  ) {}
  /** Reads the flag (one `Atomics.load`). */
  isPlaying(): boolean {
    return Atomics.load(this.ctl, this.index) !== 0;
  }
}

/** Port mode: a flag set by `play` / `pause` messages on the audio thread. */
export class LocalPlayState implements PlayState {
  /** Set by the message handler. */
  playing = false;
  /** Returns the flag. */
  isPlaying(): boolean {
    return this.playing;
  }
}

/**
 * Frames that must be buffered before an epoch starts playing (after play or a seek's flush),
 * unless the writer has already ended it. Starting on the very first frames risks an immediate
 * underrun while the decoder warms up; 2048 frames is 43 ms at 48 kHz, which the engine refills
 * many times over while it plays (it decodes at tens of times real time once started). Waiting
 * for more only delays the first audio: measured on the start-up timeline, the second 2048
 * frames arrive 5–10 ms after the first.
 */
export const START_THRESHOLD_FRAMES = 2048;

/**
 * After an underrun the cushion is twice the start threshold (4096 frames by default): the
 * producer has just shown it can fall behind, so playback resumes only with more in hand.
 */
export const RESTART_THRESHOLD_FACTOR = 2;

/** Drains a {@link PcmReader} into the output, counting underruns and reporting transitions. */
export class OutputProcessor {
  /** The live state; the sink snapshots it every quantum. @internal */
  readonly stats: OutputStats = emptyOutputStats();
  private disposed = false;

  constructor(
    private readonly reader: PcmReader,
    private readonly play: PlayState,
    private readonly sink: OutputSink,
    private readonly startThreshold: number = START_THRESHOLD_FRAMES,
  ) {
    this.stats.epoch = reader.epoch;
  }

  /** From the next quantum on, `process` outputs nothing and returns `false`. */
  dispose(): void {
    this.disposed = true;
  }

  /**
   * Renders one quantum into `outputs` (the channels of output 0). `contextFrame` is the
   * AudioContext frame of `outputs[c][0]` (the worklet's `currentFrame`). Returns `false` once
   * disposed, so the browser can collect the node.
   */
  process(outputs: readonly Float32Array[], contextFrame: number): boolean {
    if (this.disposed) return false;
    const first = outputs[0];
    if (first === undefined) return true;
    const n = first.length;
    const st = this.stats;
    let changed = false;

    const sync = this.reader.sync();
    if (sync === SYNC_FLUSHED) {
      st.epoch = this.reader.epoch;
      st.epochFrames = 0;
      st.startFrame = -1;
      st.endFrame = -1;
      st.started = false;
      st.starved = false;
      st.ended = false;
      changed = true;
    }
    const playing = this.play.isPlaying();
    if (playing !== st.playing) {
      if (playing) {
        st.startFrame = -1;
        st.started = false;
        st.starved = false;
      }
      st.playing = playing;
      changed = true;
    }

    // Wait for a cushion before (re)starting; once started, play whatever there is.
    const cushion = st.starved ? this.startThreshold * RESTART_THRESHOLD_FACTOR : this.startThreshold;
    const priming = (!st.started || st.starved) && this.reader.available() < cushion && !this.reader.writerEnded();
    const got = playing && sync !== SYNC_BUSY && !priming ? this.reader.read(outputs, n) : 0;
    if (got < n) {
      for (let c = 0; c < outputs.length; c++) {
        const out = outputs[c] as Float32Array;
        for (let i = got; i < n; i++) out[i] = 0;
      }
    }

    if (got > 0) {
      st.epochFrames += got;
      st.totalFrames += got;
      if (!st.started || st.starved) {
        if (!st.started) {
          st.started = true;
          st.startFrame = contextFrame;
        }
        st.starved = false;
        this.sink.notice('playing', st, contextFrame);
        changed = true;
      }
    }
    if (playing && got < n && sync !== SYNC_BUSY && !st.ended) {
      if (this.reader.drainedEnd()) {
        st.ended = true;
        st.starved = false;
        st.endFrame = contextFrame + got;
        this.sink.notice('ended', st, st.endFrame);
        changed = true;
      } else if (st.started) {
        st.underrunQuanta++;
        st.underrunFrames = (st.underrunFrames + n - got) % 4294967296;
        if (!st.starved) {
          st.starved = true;
          this.sink.notice('underrun', st, contextFrame + got);
          changed = true;
        }
      }
    }

    st.contextFrame = contextFrame + n;
    this.sink.publish(st, changed);
    return true;
  }
}
