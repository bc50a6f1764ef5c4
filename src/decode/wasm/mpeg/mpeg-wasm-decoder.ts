/**
 * The WASM MPEG audio decoder (AssemblyScript, `assembly/`: MPEG-1, MPEG-2 LSF and MPEG-2.5,
 * layers I, II and III) behind the engine's {@link Decoder} interface. Runs in Node and in
 * workers (no Node APIs).
 *
 * Each packet is one whole MPEG frame, header included, as the MP3 demuxer (and the MP4 / TS
 * demuxers for MPEG audio tracks) produce it. Every packet yields one chunk at `packet.frame`
 * with all of the frame's samples: nothing is trimmed (the pipeline trims encoder delay and
 * padding). After `reset()` the first layer III frames whose main data lies in the bit
 * reservoir of frames not seen decode to silence, which the track's `prerollFrames` covers.
 */
import { KitharaError } from '../../../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../../demux/types.js';
import type { Decoder } from '../../types.js';
import { SyncWasmDecoder, compiledOnce } from '../sync-wasm-decoder.js';
import { MPEG_WASM_BASE64 } from './mpeg-wasm.generated.js';

/** Samples per channel the output buffer holds for one frame. */
const MAX_FRAME_SAMPLES = 1152;

/**
 * Names of the decoder's feature counters, in the order of the WASM statistics block
 * (`assembly/state.ts`). Frame-level counters count frames; `ms`/`intensity` count granules;
 * the block types count granule-channels. All count since the decoder was created.
 */
export const MPEG_STAT_NAMES = [
  'frames', 'layer1', 'layer2', 'layer3', 'mpeg1', 'mpeg2', 'mpeg25', 'crc', 'freeFormat',
  'mono', 'stereo', 'jointStereo', 'dualChannel', 'msStereo', 'intensityStereo',
  'longBlocks', 'startBlocks', 'shortBlocks', 'mixedBlocks', 'stopBlocks', 'reservoirMisses',
  'escapes', 'scfsi', 'preflag',
] as const;

/** One feature counter name. */
export type MpegStatName = (typeof MPEG_STAT_NAMES)[number];

/** Error codes of `decodeFrame`, by number. */
const WASM_ERRORS: Record<number, string> = {
  1: 'the frame is shorter than its header says',
  2: 'the frame is malformed (no valid header, or inconsistent audio data)',
  3: 'the frame uses a feature this decoder does not have',
  4: 'the frame is too large',
};

/** The WASM module's exports (see `assembly/index.ts`). */
interface MpegWasmExports {
  memory: WebAssembly.Memory;
  inputPtr(): number;
  maxInput(): number;
  outputPtr(): number;
  statsPtr(): number;
  errorDetail(): number;
  frameChannels(): number;
  frameRate(): number;
  resetState(): void;
  decodeFrame(bytes: number): number;
}

/** Whether the WASM decoder handles the track: MPEG audio layers I, II and III. */
export function mpegWasmSupports(track: TrackInfo): boolean {
  return (track.codec === 'mp3' || track.codec === 'mp2' || track.codec === 'mp1') && track.channels >= 1 && track.channels <= 2;
}

/** Compiles the WASM module once per realm. */
const mpegWasmModule = compiledOnce(MPEG_WASM_BASE64);

const IMPORTS: WebAssembly.Imports = {
  env: {
    abort: () => {
      throw new Error('The MPEG audio WebAssembly module aborted.');
    },
  },
};

/** Creates a WASM MPEG audio decoder. Throws `unsupported` when {@link mpegWasmSupports} says no. */
export async function createMpegWasmDecoder(track: TrackInfo): Promise<Decoder> {
  if (!mpegWasmSupports(track)) {
    throw new KitharaError('unsupported', `The WASM MPEG audio decoder cannot decode ${track.codecString} with ${track.channels} channels.`);
  }
  const instance = await WebAssembly.instantiate(await mpegWasmModule(), IMPORTS);
  return new MpegWasmDecoder(track, instance);
}

/**
 * A synchronous WASM MPEG audio decoder: `decode()` decodes the frame at once, so `queueSize`
 * is always 0 and `ready()`/`flush()` resolve immediately. One WebAssembly instance per decoder.
 * Output has the track's channel count: a mono frame in a stereo track is duplicated, a stereo
 * frame in a mono track is averaged.
 */
export class MpegWasmDecoder extends SyncWasmDecoder<MpegWasmExports> {
  override readonly name = 'WASM MPEG audio (Kithara)';
  private readonly channels: number;
  private heap: ArrayBuffer | undefined;
  private input: Uint8Array = new Uint8Array(0);
  private pcm: Float32Array = new Float32Array(0);

  /** Use {@link createMpegWasmDecoder}; this takes an instance of the compiled module. */
  constructor(track: TrackInfo, instance: WebAssembly.Instance) {
    super(instance.exports as unknown as MpegWasmExports, 'WASM MPEG audio decoder', WASM_ERRORS);
    this.channels = track.channels;
  }

  /** Decodes one MPEG audio frame (header included). */
  protected override decodePacket(packet: EncodedPacket): void {
    const w = this.wasm;
    const result = this.run(packet, () => {
      this.views();
      if (packet.data.byteLength > this.input.length) return -4;
      this.input.set(packet.data);
      return w.decodeFrame(packet.data.byteLength);
    });
    if (result === undefined) return;
    if (result !== packet.frames) {
      this.fail(packet, `the frame decoded to ${result} samples instead of the ${packet.frames} the container announced`);
      return;
    }
    this.views();
    this.emit({ frame: packet.frame, frames: result, sampleRate: w.frameRate(), planes: this.planes(result, w.frameChannels()) });
  }

  /**
   * The feature counters since creation (layers, versions, channel modes, block types, M/S and
   * intensity granules, reservoir misses, …): proof of which coding tools a stream used.
   */
  stats(): Record<MpegStatName, number> {
    return this.counters(MPEG_STAT_NAMES);
  }

  /** Copies the decoded planes, mapped to the track's channel count. */
  private planes(frames: number, decoded: number): Float32Array[] {
    const plane = (c: number): Float32Array => this.pcm.slice(c * MAX_FRAME_SAMPLES, c * MAX_FRAME_SAMPLES + frames);
    if (decoded === this.channels) return decoded === 1 ? [plane(0)] : [plane(0), plane(1)];
    if (decoded === 1) return [plane(0), plane(0)];
    const left = plane(0);
    const right = plane(1);
    for (let i = 0; i < frames; i++) left[i] = ((left[i] as number) + (right[i] as number)) * 0.5;
    return [left];
  }

  /** (Re)creates the memory views when the WASM memory buffer is new. */
  private views(): void {
    const buffer = this.wasm.memory.buffer;
    if (buffer === this.heap) return;
    this.heap = buffer;
    this.input = new Uint8Array(buffer, this.wasm.inputPtr(), this.wasm.maxInput());
    this.pcm = new Float32Array(buffer, this.wasm.outputPtr(), 2 * MAX_FRAME_SAMPLES);
  }
}
