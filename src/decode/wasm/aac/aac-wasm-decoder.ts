/**
 * The WASM AAC-LC decoder (AssemblyScript, `assembly/`) behind the engine's {@link Decoder}
 * interface, for browsers without WebCodecs AAC. Runs in Node and in workers (no Node APIs).
 *
 * HE-AAC (SBR, PS) streams decode their AAC-LC core only: half the rate, no SBR bandwidth
 * extension, mono for PS. Each chunk reports its real `sampleRate` and counts `frame` at that
 * rate, so the audio pipeline (which scales chunk frames by `chunk.sampleRate / track.sampleRate`)
 * trims and resamples correctly.
 */
import { KitharaError } from '../../../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../../demux/types.js';
import { parseAudioSpecificConfig } from '../../../demux/mp4/aac-config.js';
import type { Decoder } from '../../types.js';
import { SyncWasmDecoder, compiledOnce } from '../sync-wasm-decoder.js';
import { AAC_WASM_BASE64 } from './aac-wasm.generated.js';

/** Sampling frequencies by index (ISO/IEC 14496-3 Table 1.18). */
const AAC_RATES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** PCM frames per access unit. */
const FRAME_SAMPLES = 1024;

/**
 * Names of the decoder's feature counters, in the order of the WASM statistics block
 * (`assembly/state.ts`). Each counts occurrences since the decoder was created.
 */
export const AAC_STAT_NAMES = [
  'frames', 'sce', 'cpe', 'lfe', 'long', 'start', 'short', 'stop', 'kbd', 'commonWindow',
  'msBands', 'isBands', 'pnsBands', 'tnsFilters', 'pulse', 'escapes', 'grouped', 'fil', 'dse',
  'pce', 'sbr', 'shapeSwitch',
] as const;

/** One feature counter name. */
export type AacStatName = (typeof AAC_STAT_NAMES)[number];

/** Error codes of `decodeFrame`, by number. */
const WASM_ERRORS: Record<number, string> = {
  1: 'the access unit is truncated',
  2: 'the access unit is malformed',
  3: 'the access unit uses a tool AAC-LC does not have (prediction, gain control or coupling)',
  4: 'the access unit does not match the channel configuration',
  5: 'the decoder is not configured',
  6: 'the access unit is too large',
};

/** What the decoder needs from a track's AudioSpecificConfig. */
export interface AacCoreConfig {
  /** Sampling frequency index of the AAC-LC core (0..12). */
  samplingIndex: number;
  /** The core's rate: the output rate of this decoder. */
  sampleRate: number;
  /** channelConfiguration, 1..7. */
  channelConfig: number;
  /** Output channels (8 for configuration 7). */
  channels: number;
  /** Whether SBR (HE-AAC) is signalled; only the core is decoded. */
  sbr: boolean;
}

/** The WASM module's exports (see `assembly/index.ts`). */
interface AacWasmExports {
  memory: WebAssembly.Memory;
  inputPtr(): number;
  maxInput(): number;
  outputPtr(): number;
  statsPtr(): number;
  errorDetail(): number;
  configure(samplingIndex: number, channelConfig: number): number;
  resetState(): void;
  decodeFrame(bytes: number): number;
}

/**
 * The core configuration of an AAC track, or null when this decoder cannot decode it: not AAC,
 * no or broken AudioSpecificConfig, a core other than AAC-LC, 960-sample frames, a
 * non-standard rate, or a channel layout given by a program_config_element.
 */
export function aacCoreConfig(track: TrackInfo): AacCoreConfig | null {
  if (track.codec !== 'aac' || track.description === undefined) return null;
  const asc = track.description;
  let parsed;
  try {
    parsed = parseAudioSpecificConfig(asc);
  } catch {
    return null;
  }
  if (parsed.coreObjectType !== 2) return null;
  const samplingIndex = AAC_RATES.indexOf(parsed.sampleRate);
  if (samplingIndex < 0) return null;
  // The GASpecificConfig frameLengthFlag follows the 13 bits of a plain AAC-LC header.
  if (parsed.objectType === 2 && ((asc[0] as number) & 7) !== 7 && asc.length >= 2 && ((asc[1] as number) & 4) !== 0) return null;
  const channels = parsed.ps && parsed.channels === 2 ? 1 : parsed.channels;
  const channelConfig = channels === 8 ? 7 : channels;
  if (channelConfig < 1 || channelConfig > 7) return null;
  return { samplingIndex, sampleRate: parsed.sampleRate, channelConfig, channels, sbr: parsed.sbr };
}

/** Whether the WASM decoder can decode `track` (AAC-LC, or the LC core of HE-AAC). */
export function aacWasmSupports(track: TrackInfo): boolean {
  return aacCoreConfig(track) !== null;
}

/** Compiles the WASM module once per realm. */
const aacWasmModule = compiledOnce(AAC_WASM_BASE64);

const IMPORTS: WebAssembly.Imports = {
  env: {
    abort: () => {
      throw new Error('The AAC WebAssembly module aborted.');
    },
  },
};

/** Creates a WASM AAC decoder. Throws `unsupported` when {@link aacWasmSupports} says no. */
export async function createAacWasmDecoder(track: TrackInfo): Promise<Decoder> {
  const config = aacCoreConfig(track);
  if (config === null) {
    throw new KitharaError('unsupported', `The WASM AAC decoder cannot decode ${track.codecString} (AAC-LC cores with channel configuration 1..7 only).`);
  }
  const instance = await WebAssembly.instantiate(await aacWasmModule(), IMPORTS);
  return new AacWasmDecoder(track, config, instance);
}

/**
 * A synchronous WASM AAC-LC decoder: `decode()` decodes the packet at once, so `queueSize` is
 * always 0 and `ready()`/`flush()` resolve immediately. One WebAssembly instance per decoder.
 */
export class AacWasmDecoder extends SyncWasmDecoder<AacWasmExports> {
  override readonly name = 'WASM AAC-LC (Kithara)';
  private readonly frameScale: number;
  private heap: ArrayBuffer | undefined;
  private input: Uint8Array = new Uint8Array(0);
  private planes: Float32Array[] = [];

  /** Use {@link createAacWasmDecoder}; this takes an instance of the compiled module. */
  constructor(
    track: TrackInfo,
    private readonly config: AacCoreConfig,
    instance: WebAssembly.Instance,
  ) {
    super(instance.exports as unknown as AacWasmExports, 'WASM AAC decoder', WASM_ERRORS);
    const channels = this.wasm.configure(config.samplingIndex, config.channelConfig);
    if (channels !== config.channels) {
      throw new KitharaError('unsupported', `The WASM AAC decoder refused channel configuration ${config.channelConfig}.`);
    }
    this.frameScale = config.sampleRate / track.sampleRate;
  }

  /** Decodes one access unit (a raw_data_block, no ADTS header). */
  protected override decodePacket(packet: EncodedPacket): void {
    const result = this.run(packet, () => {
      this.views();
      if (packet.data.byteLength > this.input.length) return -6;
      this.input.set(packet.data);
      return this.wasm.decodeFrame(packet.data.byteLength);
    });
    if (result === undefined) return;
    this.views();
    const planes: Float32Array[] = [];
    for (let c = 0; c < result; c++) {
      const plane = this.arena.take(FRAME_SAMPLES);
      plane.set(this.planes[c] as Float32Array);
      planes.push(plane);
    }
    this.emit({
      frame: this.frameScale === 1 ? packet.frame : Math.round(packet.frame * this.frameScale),
      frames: FRAME_SAMPLES,
      sampleRate: this.config.sampleRate,
      planes,
    });
  }

  /**
   * The feature counters since creation (frames, window sequences, M/S and intensity bands,
   * TNS filters, pulse data, …): proof of which coding tools a stream used.
   */
  stats(): Record<AacStatName, number> {
    return this.counters(AAC_STAT_NAMES);
  }

  /** (Re)creates the memory views when the WASM memory buffer is new. */
  private views(): void {
    const buffer = this.wasm.memory.buffer;
    if (buffer === this.heap) return;
    this.heap = buffer;
    this.input = new Uint8Array(buffer, this.wasm.inputPtr(), this.wasm.maxInput());
    const out = this.wasm.outputPtr();
    this.planes = [];
    for (let c = 0; c < this.config.channels; c++) this.planes.push(new Float32Array(buffer, out + c * FRAME_SAMPLES * 4, FRAME_SAMPLES));
  }
}
