/**
 * The AudioWorkletGlobalScope names lib.dom lacks (TypeScript ships no "audioworklet" lib).
 * Only names that lib.dom and lib.webworker do not declare appear here, so nothing clashes.
 * Caution: tsconfig compiles src/ together with worklets/, so these globals are visible to every
 * file; only code that runs in the worklet scope may use them.
 */

/** Base class of audio processors (AudioWorkletGlobalScope). */
declare class AudioWorkletProcessor {
  /** The processor's end of `AudioWorkletNode.port`. */
  readonly port: MessagePort;
  constructor(options?: AudioWorkletNodeOptions);
}

/** Registers a processor class under `name` (AudioWorkletGlobalScope). */
declare function registerProcessor(
  name: string,
  processorCtor: new (options: AudioWorkletNodeOptions) => AudioWorkletProcessor,
): void;

/** The AudioContext's sample rate (AudioWorkletGlobalScope). */
declare var sampleRate: number;
/** The context frame of the quantum being rendered (AudioWorkletGlobalScope). */
declare var currentFrame: number;
/** The context time of the quantum being rendered, in seconds (AudioWorkletGlobalScope). */
declare var currentTime: number;
