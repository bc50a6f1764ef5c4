/**
 * The `kithara-output` AudioWorkletProcessor: one per Player, it drains that player's PCM ring
 * (SharedArrayBuffer) or batch queue (MessagePort fallback) into its single output.
 * All logic lives in src/ring/output-host.ts and src/ring/output-processor.ts; this file only binds
 * them to the AudioWorkletGlobalScope. It imports only from src/ring (bundled on its own by rollup).
 *
 * REAL-TIME: `process()` delegates to `OutputProcessor.process`, which allocates nothing, never
 * blocks, never logs and never throws (see output-processor.ts).
 */
import { OutputHost } from '../src/ring/output-host.js';
import { OUTPUT_PROCESSOR_NAME } from '../src/ring/protocol.js';
import type { OutputProcessorOptions } from '../src/ring/protocol.js';

class KitharaOutputProcessor extends AudioWorkletProcessor {
  private readonly host: OutputHost;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    this.host = new OutputHost(options.processorOptions as OutputProcessorOptions, this.port);
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    if (out === undefined) return true;
    return this.host.process(out, currentFrame);
  }
}

registerProcessor(OUTPUT_PROCESSOR_NAME, KitharaOutputProcessor);
