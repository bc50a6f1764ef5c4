/**
 * The main thread's side of a player's output: the AudioWorkletNode, its ring (or the
 * MessagePort fallback without cross-origin isolation), play/pause and stats snapshots.
 * The worklet owns the frames-played counters; this class only reads them.
 */
import { createRing, Ctl, ringViews } from '../ring/spsc-ring.js';
import { PortOutputControl, SabOutputControl, type OutputControl } from '../ring/output-control.js';
import { emptyOutputStats, OUTPUT_PROCESSOR_NAME, type OutputNotice, type OutputProcessorOptions, type OutputStats } from '../ring/protocol.js';
import { PORT_RING_DEFAULTS } from '../ring/port-ring.js';
import type { OutputTarget } from '../engine/protocol.js';

/** Output channels: players always render stereo (mono is duplicated, surround downmixed). */
export const OUTPUT_CHANNELS = 2;

/** Callbacks for output transitions. */
export interface OutputHooks {
  onStarted(notice: OutputNotice): void;
  onEnded(notice: OutputNotice): void;
  onUnderrun(notice: OutputNotice): void;
}

const modules = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();

/** Loads the worklet module once per context and URL. */
function loadWorklet(ctx: BaseAudioContext, url: string): Promise<void> {
  let perCtx = modules.get(ctx);
  if (perCtx === undefined) {
    perCtx = new Map();
    modules.set(ctx, perCtx);
  }
  let p = perCtx.get(url);
  if (p === undefined) {
    p = ctx.audioWorklet.addModule(url);
    perCtx.set(url, p);
  }
  return p;
}

/** Whether the SharedArrayBuffer ring can be used on this page. */
export function canUseSharedMemory(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
}

/** One player's output node and the control of its ring. */
export class OutputBridge {
  readonly channels = OUTPUT_CHANNELS;
  readonly mode: 'sab' | 'port';
  readonly capacityFrames: number;
  /** Resolves once the worklet module is loaded and the node is connected. */
  readonly ready: Promise<void>;
  private readonly stat: OutputStats = emptyOutputStats();
  private readonly sab: SharedArrayBuffer | undefined;
  private readonly ctl: Int32Array | undefined;
  private node: AudioWorkletNode | undefined;
  private control: OutputControl | undefined;
  private playing = false;
  /** Port mode: data ports handed out before the node existed. */
  private pendingPorts: MessagePort[] = [];
  private disposed = false;

  /**
   * Creates the ring at once and starts loading the worklet module, so an engine session can be
   * opened while the module loads (`target` works before `ready`).
   */
  constructor(ctx: BaseAudioContext, output: AudioNode, workletUrl: string, bufferSec: number, hooks: OutputHooks) {
    const wanted = Math.max(2048, Math.round(bufferSec * ctx.sampleRate));
    let options: OutputProcessorOptions;
    if (canUseSharedMemory()) {
      this.sab = createRing(OUTPUT_CHANNELS, wanted);
      this.ctl = ringViews(this.sab).ctl;
      this.capacityFrames = ringViews(this.sab).capacity;
      this.mode = 'sab';
      options = { mode: 'sab', sab: this.sab };
    } else {
      this.capacityFrames = wanted;
      this.mode = 'port';
      options = { mode: 'port', channels: OUTPUT_CHANNELS, capacity: wanted, batchFrames: PORT_RING_DEFAULTS.batchFrames };
    }
    this.ready = loadWorklet(ctx, workletUrl).then(() => {
      if (this.disposed) return;
      const node = new AudioWorkletNode(ctx, OUTPUT_PROCESSOR_NAME, {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [OUTPUT_CHANNELS],
        processorOptions: options,
      });
      const control: OutputControl = this.sab === undefined ? new PortOutputControl(node.port) : new SabOutputControl(this.sab, node.port);
      control.onnotice = (n) => {
        if (n.kind === 'playing') hooks.onStarted(n);
        else if (n.kind === 'ended') hooks.onEnded(n);
        else if (n.kind === 'underrun') hooks.onUnderrun(n);
      };
      for (const port of this.pendingPorts.splice(0)) (control as PortOutputControl).connect(port);
      control.setPlaying(this.playing);
      node.connect(output);
      this.node = node;
      this.control = control;
    });
  }

  /** The output target for a new engine session, and what must be transferred with it. */
  target(epochBase: number): { target: OutputTarget; transfer: Transferable[] } {
    if (this.sab !== undefined) return { target: { kind: 'sab', sab: this.sab, epochBase }, transfer: [] };
    const channel = new MessageChannel();
    if (this.control !== undefined) (this.control as PortOutputControl).connect(channel.port1);
    else this.pendingPorts.push(channel.port1);
    return {
      target: {
        kind: 'port',
        port: channel.port2,
        channels: OUTPUT_CHANNELS,
        capacityFrames: this.capacityFrames,
        batchFrames: PORT_RING_DEFAULTS.batchFrames,
        epochBase,
      },
      transfer: [channel.port2],
    };
  }

  setPlaying(playing: boolean): void {
    this.playing = playing;
    this.control?.setPlaying(playing);
  }

  /** A fresh stats snapshot (empty until the node exists). */
  stats(): OutputStats {
    return this.control === undefined ? this.stat : this.control.stats(this.stat);
  }

  /** Real frames output in `epoch` so far (0 when the worklet has not reached it yet). */
  framesPlayedInEpoch(epoch: number): number {
    const s = this.stats();
    return s.epoch === epoch ? s.epochFrames : 0;
  }

  /** Frames written and not yet played. */
  bufferedFrames(): number {
    if (this.ctl === undefined) return 0;
    return (Atomics.load(this.ctl, Ctl.WRITE_INDEX) - Atomics.load(this.ctl, Ctl.READ_INDEX)) | 0;
  }

  /** Short render quanta counted since the processor started. */
  underruns(): number {
    return this.stats().underrunQuanta;
  }

  dispose(): void {
    this.disposed = true;
    this.control?.dispose();
    this.node?.disconnect();
  }
}
