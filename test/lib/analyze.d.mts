// Types for analyze.mjs (signal analysis against fixtures/signal.mjs). Documentation is in the .mjs.

/** A list of channel planes; any numeric array works. */
export type Planes = ArrayLike<number>[];

/** One channel's sweep of the test signal. */
export interface Sweep {
  lo: number;
  hi: number;
  period: number;
  amp: number;
}
/** The sweeps of the left and right channel (fixtures/signal.mjs). */
export const SWEEPS: Sweep[];
/** Cycles elapsed at time t. */
export function cycles(sweep: Sweep, t: number): number;
/** Instantaneous frequency at time t, Hz. */
export function frequency(sweep: Sweep, t: number): number;
/** The signal value of channel ch at time t. */
export function sample(ch: number, t: number): number;
/** Renders frames frames from time t0 at rate, planar. */
export function render(channels: number, rate: number, frames: number, t0?: number): Float32Array[];
/** Quantizes a float sample the way the fixture WAV masters do. */
export function quantize(x: number, bits: number): number;

/** SNR reported for a block that matches the reference exactly, in dB. */
export const MAX_SNR_DB: number;

/** Splits interleaved samples into planes. */
export function deinterleave(interleaved: ArrayLike<number>, channels: number): Float32Array[];

/** The exact float samples a lossless decode of a fixture holds (x / 2^(bits-1), or f32). */
export function expectedPcm(
  channels: number,
  rate: number,
  frames: number,
  options?: { startFrame?: number; bits?: number | 'f32' },
): Float32Array[];

/** Result of {@link alignTo}. */
export interface Alignment {
  /** Matched signal time of planes[*][start], seconds. */
  t: number;
  /** t − tExpected, in output frames. */
  lagFrames: number;
  /** t − tExpected, in ms. */
  lagMs: number;
  /** Normalized correlation at t over all channels (1 = identical shape). */
  corr: number;
  /** The best lag lies on the edge of the search range. */
  atEdge: boolean;
}

/** Options of {@link alignTo}. */
export interface AlignOptions {
  /** Search ±searchMs around tExpected. Defaults to 50. */
  searchMs?: number;
  /** Block length. Defaults to 4096 (clipped to what is there). */
  windowFrames?: number;
  /** First output frame of the block. Defaults to 0. */
  start?: number;
  /** planes[c] compares with reference channel channelMap[c]. Defaults to [0, 1, ...]. */
  channelMap?: number[];
}

/** Finds the signal time of an output block by normalized cross-correlation with the reference. */
export function alignTo(planes: Planes, rate: number, tExpected: number, options?: AlignOptions): Alignment;

/** Result of {@link blockSnr}. */
export interface BlockSnr {
  /** SNR per block, dB. */
  snr: Float64Array;
  /** The gain applied to the reference (fitted unless given). */
  gain: number;
  /** SNR over the whole range, dB. */
  overall: number;
  min: number;
  median: number;
  worstBlockIndex: number;
}

/** Per-block SNR of the output against the reference aligned at t0. */
export function blockSnr(
  planes: Planes,
  rate: number,
  t0: number,
  options?: { blockFrames?: number; start?: number; frames?: number; channelMap?: number[]; gain?: number },
): BlockSnr;

/** One block of {@link checkContinuity}. */
export interface ContinuityBlock {
  /** First output frame of the block. */
  frame: number;
  /** Matched signal time of that frame. */
  t: number;
  /** Matched time − nominal time, output frames. */
  lagFrames: number;
  corr: number;
  snr: number;
}

/** Result of {@link checkContinuity}. */
export interface Continuity {
  ok: boolean;
  /** Largest |lagFrames| over all blocks. */
  drift: number;
  minSnr: number;
  minCorr: number;
  gain: number;
  /** The block with the lowest SNR. */
  worst: (ContinuityBlock & { block: number }) | null;
  /** Lag changes of more than half a frame between neighbouring blocks. */
  jumps: { block: number; frame: number; deltaFrames: number }[];
  blocks: ContinuityBlock[];
}

/** Options of {@link checkContinuity}. */
export interface ContinuityOptions {
  /** Defaults to 2048. */
  blockFrames?: number;
  /** Defaults to 0. */
  start?: number;
  /** Defaults to everything after start. */
  frames?: number;
  channelMap?: number[];
  /** Tracking search range per block. Defaults to 2. */
  searchMs?: number;
  /** Wider search for a block that matches poorly. Defaults to 250. */
  rescueMs?: number;
  /** Defaults to 1. */
  maxDriftFrames?: number;
  /** Defaults to 15. */
  minSnrDb?: number;
  /** Defaults to 0.9. */
  minCorr?: number;
  /** Reference gain. Defaults to a least-squares fit over all blocks. */
  gain?: number;
}

/** Walks the output in blocks, re-aligning each; reports drift, jumps, min SNR and correlation. */
export function checkContinuity(planes: Planes, rate: number, t0: number, options?: ContinuityOptions): Continuity;

/** The first frame where any channel exceeds threshold (default 1e-3), or -1. */
export function firstNonSilent(planes: Planes, threshold?: number): number;

/** Sample-exact comparison of two flat arrays or two lists of planes. */
export function exactCompare(
  a: ArrayLike<number> | Planes,
  b: ArrayLike<number> | Planes,
  options?: { tolerance?: number },
): { equal: boolean; firstDiff: number; channel: number; maxAbsDiff: number; diffCount: number };
