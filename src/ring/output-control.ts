/**
 * The main thread's handle on one output: play/pause, stats snapshots and transition notices.
 * In SAB mode it is the ring's controller role (it writes only `Ctl.PLAYING`, reads only the stats
 * block); in port mode it speaks the command protocol over the node's port.
 */
import { Ctl, ringViews } from './spsc-ring.js';
import { readOutputStats } from './output-stats.js';
import { copyOutputStats, emptyOutputStats, isMessage } from './protocol.js';
import type { MainToWorklet, MessagePortLike, OutputNotice, OutputStats, StatsMessage } from './protocol.js';

/** What the player uses to steer its output node. */
export interface OutputControl {
  /** Starts or stops consumption at the next render quantum. */
  setPlaying(playing: boolean): void;
  /** A snapshot of the output (SAB: read now; port: the last one posted). */
  stats(out?: OutputStats): OutputStats;
  /** Called for each `playing`, `underrun` and `ended` transition. */
  onnotice: ((notice: OutputNotice) => void) | null;
  /** Stops the processor and detaches from the port. */
  dispose(): void;
}

abstract class BaseOutputControl implements OutputControl {
  onnotice: ((notice: OutputNotice) => void) | null = null;

  constructor(protected readonly port: MessagePortLike) {
    port.onmessage = (ev: MessageEvent): void => this.handle(ev.data);
  }

  abstract setPlaying(playing: boolean): void;
  abstract stats(out?: OutputStats): OutputStats;

  dispose(): void {
    this.send({ type: 'dispose' });
    this.port.onmessage = null;
    this.onnotice = null;
  }

  protected send(cmd: MainToWorklet): void {
    this.port.postMessage(cmd, []);
  }

  protected handle(data: unknown): void {
    if (isMessage<OutputNotice>(data, 'notice')) this.onnotice?.(data);
  }
}

/** SAB mode: the playing flag and the stats live in the ring's shared memory. */
export class SabOutputControl extends BaseOutputControl {
  private readonly ctl: Int32Array;

  /** @param sab the ring; @param port the node's port (`AudioWorkletNode.port`) */
  constructor(sab: SharedArrayBuffer, port: MessagePortLike) {
    super(port);
    this.ctl = ringViews(sab).ctl;
  }

  setPlaying(playing: boolean): void {
    Atomics.store(this.ctl, Ctl.PLAYING, playing ? 1 : 0);
  }

  stats(out: OutputStats = emptyOutputStats()): OutputStats {
    return readOutputStats(this.ctl, out);
  }
}

/** Port mode: commands and stats travel over the node's port. */
export class PortOutputControl extends BaseOutputControl {
  private readonly last: OutputStats = emptyOutputStats();

  /** Hands the worklet its end of the worker ↔ worklet data channel (transferred). */
  connect(dataPort: MessagePort): void {
    this.port.postMessage({ type: 'connect', port: dataPort } satisfies MainToWorklet, [dataPort]);
  }

  setPlaying(playing: boolean): void {
    this.send({ type: playing ? 'play' : 'pause' });
  }

  stats(out: OutputStats = emptyOutputStats()): OutputStats {
    return copyOutputStats(this.last, out);
  }

  protected override handle(data: unknown): void {
    if (isMessage<StatsMessage>(data, 'stats')) copyOutputStats(data.stats, this.last);
    else super.handle(data);
  }
}
