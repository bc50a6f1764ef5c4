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
const OUTPUT_CHANNELS = 2;

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
  private readonly stat: OutputStats = emptyOutputStats();
  private readonly ctl: Int32Array | undefined;

  private constructor(
    readonly mode: 'sab' | 'port',
    private readonly node: AudioWorkletNode,
    private readonly control: OutputControl,
    private readonly sab: SharedArrayBuffer | undefined,
    readonly capacityFrames: number,
  ) {
    this.ctl = sab === undefined ? undefined : ringViews(sab).ctl;
  }

  /** Loads the worklet, creates the node and its ring, and connects it to `output`. */
  static async create(ctx: BaseAudioContext, output: AudioNode, workletUrl: string, bufferSec: number, hooks: OutputHooks): Promise<OutputBridge> {
    await loadWorklet(ctx, workletUrl);
    const wanted = Math.max(2048, Math.round(bufferSec * ctx.sampleRate));
    let options: OutputProcessorOptions;
    let sab: SharedArrayBuffer | undefined;
    let capacity = wanted;
    if (canUseSharedMemory()) {
      sab = createRing(OUTPUT_CHANNELS, wanted);
      capacity = ringViews(sab).capacity;
      options = { mode: 'sab', sab };
    } else {
      options = { mode: 'port', channels: OUTPUT_CHANNELS, capacity, batchFrames: PORT_RING_DEFAULTS.batchFrames };
    }
    const node = new AudioWorkletNode(ctx, OUTPUT_PROCESSOR_NAME, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [OUTPUT_CHANNELS],
      processorOptions: options,
    });
    const control: OutputControl = sab === undefined ? new PortOutputControl(node.port) : new SabOutputControl(sab, node.port);
    control.onnotice = (n) => {
      if (n.kind === 'playing') hooks.onStarted(n);
      else if (n.kind === 'ended') hooks.onEnded(n);
      else if (n.kind === 'underrun') hooks.onUnderrun(n);
    };
    node.connect(output);
    return new OutputBridge(sab === undefined ? 'port' : 'sab', node, control, sab, capacity);
  }

  /** The output target for a new engine session, and what must be transferred with it. */
  target(epochBase: number): { target: OutputTarget; transfer: Transferable[] } {
    if (this.sab !== undefined) return { target: { kind: 'sab', sab: this.sab, epochBase }, transfer: [] };
    const channel = new MessageChannel();
    (this.control as PortOutputControl).connect(channel.port1);
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
    this.control.setPlaying(playing);
  }

  /** A fresh stats snapshot. */
  stats(): OutputStats {
    return this.control.stats(this.stat);
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
    this.control.dispose();
    this.node.disconnect();
  }
}
