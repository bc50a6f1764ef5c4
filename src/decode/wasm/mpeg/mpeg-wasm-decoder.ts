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
import { MPEG_WASM_SIMD_BASE64 } from './mpeg-wasm-simd.generated.js';

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

/**
 * The smallest module using a SIMD instruction (one function returning `v128.const 0`): where
 * it validates, the runtime has WebAssembly SIMD.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code section: no locals, v128.const ...
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, // ... 16 zero bytes, end
]);

/** Whether this runtime validates WebAssembly SIMD (fixed per realm). */
export function wasmSimdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The SIMD build (f32x4 synthesis; bit-identical output), compiled once per realm. */
const simdModule = compiledOnce(MPEG_WASM_SIMD_BASE64);

/** The scalar build's compiler, from its own chunk (only runtimes without SIMD load it). */
let scalarCompiler: Promise<() => Promise<WebAssembly.Module>> | undefined;

/** The scalar build, compiled once per realm (a failed chunk load is retried next time). */
function scalarModule(): Promise<WebAssembly.Module> {
  if (scalarCompiler === undefined) {
    const pending = import('./mpeg-wasm.generated.js').then((m) => compiledOnce(m.MPEG_WASM_BASE64));
    scalarCompiler = pending;
    pending.catch(() => {
      if (scalarCompiler === pending) scalarCompiler = undefined;
    });
  }
  return scalarCompiler.then((compile) => compile());
}

/** Options of {@link createMpegWasmDecoder}. */
export interface MpegWasmOptions {
  /**
   * Which build of the module: `'auto'` (default) picks SIMD where it validates; tests force one
   * (`'simd'` fails where SIMD does not validate).
   */
  build?: 'auto' | 'simd' | 'scalar';
}

const IMPORTS: WebAssembly.Imports = {
  env: {
    abort: () => {
      throw new Error('The MPEG audio WebAssembly module aborted.');
    },
  },
};

/**
 * Creates a WASM MPEG audio decoder. Throws `unsupported` when {@link mpegWasmSupports} says no.
 * See {@link MpegWasmOptions}.
 */
export async function createMpegWasmDecoder(track: TrackInfo, options: MpegWasmOptions = {}): Promise<Decoder> {
  const build = options.build ?? 'auto';
  if (!mpegWasmSupports(track)) {
    throw new KitharaError('unsupported', `The WASM MPEG audio decoder cannot decode ${track.codecString} with ${track.channels} channels.`);
  }
  const simd = build === 'simd' || (build === 'auto' && wasmSimdSupported());
  // A SIMD build the engine refuses after all (the probe validated) falls back to the scalar one.
  const module = simd ? await simdModule().catch((err: unknown) => (build === 'simd' ? Promise.reject(err) : scalarModule())) : await scalarModule();
  const instance = await WebAssembly.instantiate(module, IMPORTS);
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
    const pcm = this.pcm;
    const left = this.arena.take(frames);
    left.set(pcm.subarray(0, frames));
    if (decoded === 1) {
      if (this.channels === 1) return [left];
      const copy = this.arena.take(frames);
      copy.set(left);
      return [left, copy];
    }
    const right = pcm.subarray(MAX_FRAME_SAMPLES, MAX_FRAME_SAMPLES + frames);
    if (this.channels === 2) {
      const r = this.arena.take(frames);
      r.set(right);
      return [left, r];
    }
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
