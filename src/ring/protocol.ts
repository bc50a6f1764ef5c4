/**
 * The typed protocol of the output path: every message that crosses the main ↔ worklet port
 * (`AudioWorkletNode.port`) and the worker ↔ worklet data port (MessagePort fallback only).
 * State lives in shared memory where there is some; messages carry commands and state
 * transitions only. The worklet never posts once per render quantum.
 */

/** Registered name of the output AudioWorkletProcessor. */
export const OUTPUT_PROCESSOR_NAME = 'kithara-output';

/** The one method of a port this layer posts with. DOM and `node:worker_threads` ports both fit. */
export interface PostPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** A port this layer also listens on (it sets `onmessage`, which also starts the port). */
export interface MessagePortLike extends PostPort {
  onmessage: ((ev: MessageEvent) => unknown) | null;
}

// ---------------------------------------------------------------------------------------------
// processorOptions of `new AudioWorkletNode(ctx, 'kithara-output', { processorOptions })`

/** The worklet reads a SharedArrayBuffer ring made by `createRing`. */
export interface SabProcessorOptions {
  mode: 'sab';
  /** Frames buffered before an epoch starts (twice that after an underrun). Defaults to START_THRESHOLD_FRAMES (2048). */
  startThresholdFrames?: number;
  /** The ring; it carries its own channel count and capacity. */
  sab: SharedArrayBuffer;
}

/** The worklet receives transferred PCM batches over a data port sent later with `connect`. */
export interface PortProcessorOptions {
  mode: 'port';
  /** Frames buffered before an epoch starts (twice that after an underrun). Defaults to START_THRESHOLD_FRAMES (2048). */
  startThresholdFrames?: number;
  /** Planar channels in each batch. */
  channels: number;
  /** Frames the path holds at most; must equal the writer's `capacity`. */
  capacity: number;
  /** Frames per batch buffer; must equal the writer's `batchFrames`. */
  batchFrames: number;
  /** Quanta between two stats messages to the main thread. Defaults to 8 (about 21 ms at 48 kHz). */
  statsIntervalQuanta?: number;
}

/** `processorOptions` of the `kithara-output` processor. */
export type OutputProcessorOptions = SabProcessorOptions | PortProcessorOptions;

// ---------------------------------------------------------------------------------------------
// main → worklet (AudioWorkletNode.port)

/** Port mode: hands the worklet its end of the worker ↔ worklet data channel (transfer it). */
export interface ConnectCommand {
  type: 'connect';
  port: MessagePort;
}
/** Port mode: start or stop consuming. In SAB mode the main thread writes `Ctl.PLAYING` instead. */
export interface PlayCommand {
  type: 'play' | 'pause';
}
/** Stops the processor: `process()` returns `false` from the next quantum on. */
export interface DisposeCommand {
  type: 'dispose';
}
/** What the main thread sends the worklet. */
export type MainToWorklet = ConnectCommand | PlayCommand | DisposeCommand;

// ---------------------------------------------------------------------------------------------
// worklet → main (AudioWorkletNode.port)

/** A state transition of the output; each is posted once per occurrence. */
export type OutputNoticeKind =
  /** The first real frame since play/flush was output, or output resumed after an underrun. */
  | 'playing'
  /** The reader ran dry while playing and before the end: the player shows `waiting`. */
  | 'underrun'
  /** The last frame of an ended epoch was output. */
  | 'ended';

/** A transition notice. */
export interface OutputNotice {
  type: 'notice';
  kind: OutputNoticeKind;
  /** Epoch the notice is about. */
  epoch: number;
  /** AudioContext frame of the transition (`startFrame` or `endFrame` for those kinds). */
  contextFrame: number;
}

/**
 * A snapshot of the output. In SAB mode the main thread reads it from shared memory at any time;
 * in port mode the worklet posts it every few quanta and on transitions.
 */
export interface OutputStats {
  /** Epoch whose frames are being output (the last flush the reader applied). */
  epoch: number;
  /** Real frames output since that flush: the player's position is seek target + this / rate. */
  epochFrames: number;
  /** Real frames output since the processor started. */
  totalFrames: number;
  /** AudioContext frame of the first real frame since the last play or flush; -1 before it. */
  startFrame: number;
  /** AudioContext frame just after the last real frame of an ended epoch; -1 until then. */
  endFrame: number;
  /** AudioContext frame at the end of the quantum this snapshot describes. */
  contextFrame: number;
  /** Quanta that had fewer frames than needed while playing after start (not after the end). */
  underrunQuanta: number;
  /** Frames of silence those quanta output instead of audio (mod 2^32). */
  underrunFrames: number;
  /** The reader saw the playing flag set in this quantum. */
  playing: boolean;
  /** A real frame was output since the last play or flush. */
  started: boolean;
  /** Currently starved (between an `underrun` notice and the next `playing`). */
  starved: boolean;
  /** The current epoch ended and was fully output. */
  ended: boolean;
}

/** Port mode: a stats snapshot. */
export interface StatsMessage {
  type: 'stats';
  stats: OutputStats;
}

/** What the worklet sends the main thread. */
export type WorkletToMain = OutputNotice | StatsMessage;

// ---------------------------------------------------------------------------------------------
// worker → worklet (data port, port mode)

/** One batch of planar PCM: channel c at `[c * batchFrames, c * batchFrames + frames)`. */
export interface PcmMessage {
  type: 'pcm';
  epoch: number;
  frames: number;
  /** Transferred; comes back in a {@link CreditMessage}. */
  data: Float32Array;
}
/** Drop everything sent before this message; later batches carry `epoch`. */
export interface FlushMessage {
  type: 'flush';
  epoch: number;
}
/** The current epoch has no more frames after the batches already sent. */
export interface EndMessage {
  type: 'end';
  epoch: number;
}
/** What the writer sends the worklet on the data port. */
export type WriterToReader = PcmMessage | FlushMessage | EndMessage;

// ---------------------------------------------------------------------------------------------
// worklet → worker (data port, port mode)

/** Frames consumed or dropped; returns the batch buffer for reuse (zero allocation steady state). */
export interface CreditMessage {
  type: 'credit';
  frames: number;
  data: Float32Array | null;
}
/** What the worklet sends the writer on the data port. */
export type ReaderToWriter = CreditMessage;

/** A fresh zeroed stats object (allocate once, reuse). */
export function emptyOutputStats(): OutputStats {
  return {
    epoch: 0,
    epochFrames: 0,
    totalFrames: 0,
    startFrame: -1,
    endFrame: -1,
    contextFrame: 0,
    underrunQuanta: 0,
    underrunFrames: 0,
    playing: false,
    started: false,
    starved: false,
    ended: false,
  };
}

/** Copies every field of `from` into `to` (no allocation). */
export function copyOutputStats(from: OutputStats, to: OutputStats): OutputStats {
  to.epoch = from.epoch;
  to.epochFrames = from.epochFrames;
  to.totalFrames = from.totalFrames;
  to.startFrame = from.startFrame;
  to.endFrame = from.endFrame;
  to.contextFrame = from.contextFrame;
  to.underrunQuanta = from.underrunQuanta;
  to.underrunFrames = from.underrunFrames;
  to.playing = from.playing;
  to.started = from.started;
  to.starved = from.starved;
  to.ended = from.ended;
  return to;
}

/** Narrows an incoming message by its `type` tag (for `onmessage` handlers). */
export function isMessage<T extends { type: string }>(data: unknown, type: T['type']): data is T {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type;
}
