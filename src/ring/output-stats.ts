/**
 * Where the output's stats and transition notices go: shared memory (SAB mode) or occasional
 * messages (port mode). The sinks run on the audio thread.
 *
 * REAL-TIME CONTRACT (STYLE.md rule 7)
 * - `SabOutputSink.publish` runs every quantum: Int32 `Atomics.store`s only, inside a seqlock
 *   (`STATS_SEQ` odd while writing). The audio thread is its only writer; the main thread reads
 *   with {@link readOutputStats}, which retries while the sequence is odd or changed. 64-bit
 *   values are split into two Int32 halves (see `storeInt64`).
 * - Notices and port-mode stats messages reuse preallocated message objects. `postMessage`
 *   itself allocates inside the engine (structured clone); that is the documented exception, and it
 *   happens only on transitions (notices) or every `statsIntervalQuanta` quanta (port stats).
 * - Stale values: a snapshot read on the main thread describes the last completed quantum.
 */
import { Ctl, loadInt64, ringViews, storeInt64 } from './spsc-ring.js';
import { copyOutputStats, emptyOutputStats } from './protocol.js';
import type { OutputNotice, OutputNoticeKind, OutputStats, PostPort, StatsMessage } from './protocol.js';

const FLAG_PLAYING = 1;
const FLAG_STARTED = 2;
const FLAG_STARVED = 4;
const FLAG_ENDED = 8;

/** Receives the processor's state every quantum and its transitions. */
export interface OutputSink {
  /** Called at the end of every quantum; `changed` is true when a notice was sent in it. */
  publish(stats: OutputStats, changed: boolean): void;
  /** Called on each transition, at most once per occurrence. */
  notice(kind: OutputNoticeKind, stats: OutputStats, contextFrame: number): void;
}

const NO_TRANSFER: Transferable[] = [];

/** Posts transition notices on a port, reusing one message object. */
export class NoticePoster {
  private readonly message: OutputNotice = { type: 'notice', kind: 'playing', epoch: 0, contextFrame: 0 };

  constructor(private readonly port: PostPort | null) {}

  /** Posts one notice. */
  post(kind: OutputNoticeKind, epoch: number, contextFrame: number): void {
    if (this.port === null) return;
    const m = this.message;
    m.kind = kind;
    m.epoch = epoch;
    m.contextFrame = contextFrame;
    this.port.postMessage(m, NO_TRANSFER);
  }
}

/** SAB mode: stats into the ring's stats block every quantum, notices on the node's port. */
export class SabOutputSink implements OutputSink {
  private readonly ctl: Int32Array;
  private readonly notices: NoticePoster;
  private seq: number;

  constructor(sab: SharedArrayBuffer, port: PostPort | null) {
    this.ctl = ringViews(sab).ctl;
    this.notices = new NoticePoster(port);
    this.seq = Atomics.load(this.ctl, Ctl.STATS_SEQ) & ~1;
  }

  /** Writes the snapshot under the seqlock. */
  publish(s: OutputStats): void {
    const ctl = this.ctl;
    Atomics.store(ctl, Ctl.STATS_SEQ, (this.seq + 1) | 0);
    Atomics.store(ctl, Ctl.STATS_EPOCH, s.epoch | 0);
    storeInt64(ctl, Ctl.STATS_EPOCH_FRAMES_LO, s.epochFrames);
    storeInt64(ctl, Ctl.STATS_TOTAL_FRAMES_LO, s.totalFrames);
    storeInt64(ctl, Ctl.STATS_START_FRAME_LO, s.startFrame);
    storeInt64(ctl, Ctl.STATS_END_FRAME_LO, s.endFrame);
    storeInt64(ctl, Ctl.STATS_CONTEXT_FRAME_LO, s.contextFrame);
    Atomics.store(ctl, Ctl.STATS_UNDERRUN_QUANTA, s.underrunQuanta | 0);
    Atomics.store(ctl, Ctl.STATS_UNDERRUN_FRAMES, s.underrunFrames | 0);
    const flags =
      (s.playing ? FLAG_PLAYING : 0) | (s.started ? FLAG_STARTED : 0) | (s.starved ? FLAG_STARVED : 0) | (s.ended ? FLAG_ENDED : 0);
    Atomics.store(ctl, Ctl.STATS_FLAGS, flags);
    this.seq = (this.seq + 2) | 0;
    Atomics.store(ctl, Ctl.STATS_SEQ, this.seq);
  }

  /** Posts the notice on the node's port. */
  notice(kind: OutputNoticeKind, stats: OutputStats, contextFrame: number): void {
    this.notices.post(kind, stats.epoch, contextFrame);
  }
}

/** How many times {@link readOutputStats} retries a snapshot torn by a concurrent publish. */
const MAX_READ_ATTEMPTS = 1000;

/**
 * Main thread, SAB mode: reads a consistent stats snapshot into `out` (seqlock read; retries while
 * the audio thread is mid-publish, which takes well under a microsecond).
 */
export function readOutputStats(ctl: Int32Array, out: OutputStats = emptyOutputStats()): OutputStats {
  for (let attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
    const seq = Atomics.load(ctl, Ctl.STATS_SEQ);
    if ((seq & 1) !== 0) continue;
    out.epoch = Atomics.load(ctl, Ctl.STATS_EPOCH);
    out.epochFrames = loadInt64(ctl, Ctl.STATS_EPOCH_FRAMES_LO);
    out.totalFrames = loadInt64(ctl, Ctl.STATS_TOTAL_FRAMES_LO);
    out.startFrame = loadInt64(ctl, Ctl.STATS_START_FRAME_LO);
    out.endFrame = loadInt64(ctl, Ctl.STATS_END_FRAME_LO);
    out.contextFrame = loadInt64(ctl, Ctl.STATS_CONTEXT_FRAME_LO);
    out.underrunQuanta = Atomics.load(ctl, Ctl.STATS_UNDERRUN_QUANTA) >>> 0;
    out.underrunFrames = Atomics.load(ctl, Ctl.STATS_UNDERRUN_FRAMES) >>> 0;
    const flags = Atomics.load(ctl, Ctl.STATS_FLAGS);
    out.playing = (flags & FLAG_PLAYING) !== 0;
    out.started = (flags & FLAG_STARTED) !== 0;
    out.starved = (flags & FLAG_STARVED) !== 0;
    out.ended = (flags & FLAG_ENDED) !== 0;
    if (Atomics.load(ctl, Ctl.STATS_SEQ) === seq) return out;
  }
  return out;
}

/** Defaults of the port-mode sink. */
export const PORT_SINK_DEFAULTS = {
  /** Quanta between two stats messages. Defaults to 8 (about 21 ms at 48 kHz). */
  statsIntervalQuanta: 8,
};

/** Port mode: stats as a message every `intervalQuanta` quanta and after each transition. */
export class PortOutputSink implements OutputSink {
  private readonly notices: NoticePoster;
  private readonly message: StatsMessage = { type: 'stats', stats: emptyOutputStats() };
  private quanta = 0;

  constructor(
    private readonly port: PostPort,
    private readonly intervalQuanta: number = PORT_SINK_DEFAULTS.statsIntervalQuanta,
  ) {
    this.notices = new NoticePoster(port);
  }

  /** Posts the snapshot when the interval elapsed or something changed. */
  publish(stats: OutputStats, changed: boolean): void {
    this.quanta++;
    if (!changed && this.quanta < this.intervalQuanta) return;
    this.quanta = 0;
    copyOutputStats(stats, this.message.stats);
    this.port.postMessage(this.message, NO_TRANSFER);
  }

  /** Posts the notice. */
  notice(kind: OutputNoticeKind, stats: OutputStats, contextFrame: number): void {
    this.notices.post(kind, stats.epoch, contextFrame);
  }
}
