/**
 * The Vorbis I decoder written for Kithara in AssemblyScript (`assembly/`, compiled by
 * `scripts/build-wasm.mjs` into `vorbis-wasm.generated.ts`) behind the engine's
 * {@link Decoder} interface. Runs in Node and in workers (no Node APIs).
 *
 * Timeline (Vorbis I §4.3.8): the first packet after creation or `reset()` only primes the
 * overlap and yields nothing; every later packet yields the frames from the centre of the
 * previous block to the centre of its own (previous size / 4 + own size / 4), which is what the
 * Ogg demuxer announces for it, so each chunk starts at `packet.frame`. The last packet is cut to
 * the frames its granule position allows (`packet.frames`). WebCodecs follows the same rule.
 */
import { KitharaError } from '../../../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../../demux/types.js';
import type { Decoder } from '../../types.js';
import { SyncWasmDecoder, compiledOnce } from '../sync-wasm-decoder.js';
import { VORBIS_WASM_BASE64 } from './vorbis-wasm.generated.js';

/** The three Vorbis header packets. */
export interface VorbisHeaders {
  identification: Uint8Array;
  comment: Uint8Array;
  setup: Uint8Array;
}

/**
 * Splits a Xiph-laced header block (the WebCodecs description of Vorbis: a count byte, the
 * laced sizes of all packets but the last, then the packets). Throws `parse` when malformed.
 */
export function unlaceVorbisHeaders(description: Uint8Array): VorbisHeaders {
  const broken = (): KitharaError => new KitharaError('parse', 'The Vorbis header block (Xiph lacing) is malformed.');
  if (description.byteLength < 1 || description[0] !== 2) throw broken();
  const sizes: number[] = [];
  let at = 1;
  for (let k = 0; k < 2; k++) {
    let size = 0;
    for (;;) {
      const b = description[at++];
      if (b === undefined) throw broken();
      size += b;
      if (b < 255) break;
    }
    sizes.push(size);
  }
  const [a, b] = sizes as [number, number];
  if (at + a + b > description.byteLength) throw broken();
  const packets = {
    identification: description.subarray(at, at + a),
    comment: description.subarray(at + a, at + a + b),
    setup: description.subarray(at + a + b),
  };
  const isHeader = (p: Uint8Array, type: number): boolean =>
    p[0] === type && p[1] === 0x76 && p[2] === 0x6f && p[3] === 0x72 && p[4] === 0x62 && p[5] === 0x69 && p[6] === 0x73;
  if (!isHeader(packets.identification, 1) || !isHeader(packets.comment, 3) || !isHeader(packets.setup, 5)) throw broken();
  return packets;
}

/**
 * Names of the decoder's feature counters, in the order of the WASM statistics block
 * (`assembly/state.ts`). Each counts occurrences since the decoder was created: audio packets,
 * long and short blocks, long blocks next to a short one, floors decoded per channel by type
 * and unused (silent channel), residues decoded per submap by type, coupling steps undone, and
 * packets that ended inside their residue.
 */
export const VORBIS_STAT_NAMES = [
  'packets', 'long', 'short', 'transitions', 'floor0', 'floor1', 'floorUnused',
  'residue0', 'residue1', 'residue2', 'coupled', 'endOfPacket',
] as const;

/** One feature counter name. */
export type VorbisStatName = (typeof VORBIS_STAT_NAMES)[number];

/**
 * Output plane k takes Vorbis channel WAVE_ORDER[channels][k] (Vorbis I §4.3.9 orders 3..8
 * channels front left, centre, front right, …, LFE last; WAVE order, which WebCodecs and the
 * other decoders output, puts centre and LFE after the front pair).
 */
const WAVE_ORDER: Record<number, readonly number[]> = {
  3: [0, 2, 1],
  5: [0, 2, 1, 3, 4],
  6: [0, 2, 1, 5, 3, 4],
  7: [0, 2, 1, 6, 5, 3, 4],
  8: [0, 2, 1, 7, 5, 6, 3, 4],
};

/** Error codes of the WASM functions, by number. */
const WASM_ERRORS: Record<number, string> = {
  1: 'the header is truncated',
  2: 'the header is malformed',
  3: 'the stream uses what this decoder does not support (floor type 0, or a codebook over 2^24 values)',
  4: 'it is not an audio packet',
  5: 'the decoder is not configured',
  6: 'the packet is malformed',
};

/** The WASM module's exports (see `assembly/index.ts`). */
interface VorbisWasmExports {
  memory: WebAssembly.Memory;
  reserveInput(bytes: number): number;
  outputPtr(): number;
  outputStride(): number;
  statsPtr(): number;
  errorDetail(): number;
  sampleRate(): number;
  identification(bytes: number): number;
  setup(bytes: number): number;
  resetState(): void;
  decodePacket(bytes: number): number;
}

/** Whether the decoder handles the track (Vorbis with its header packets). */
export function vorbisWasmSupports(track: TrackInfo): boolean {
  return track.codec === 'vorbis' && track.description !== undefined;
}

/** Compiles the WASM module once per realm. */
const vorbisWasmModule = compiledOnce(VORBIS_WASM_BASE64);

/** Host functions: the math used while tables are built, and the abort hook. */
const IMPORTS: WebAssembly.Imports = {
  env: {
    cos: Math.cos,
    sin: Math.sin,
    exp: Math.exp,
    abort: () => {
      throw new Error('The Vorbis WebAssembly module aborted.');
    },
  },
};

/**
 * Creates a WASM Vorbis decoder: compiles the module (once), instantiates it and reads the
 * identification and setup headers. Throws `unsupported` without header packets or for a
 * stream this decoder cannot decode (floor type 0, oversized codebooks), `parse` for broken headers.
 */
export async function createVorbisWasmDecoder(track: TrackInfo): Promise<Decoder> {
  if (!vorbisWasmSupports(track)) throw new KitharaError('unsupported', 'A Vorbis track needs its header packets.');
  const headers = unlaceVorbisHeaders(track.description as Uint8Array);
  const instance = await WebAssembly.instantiate(await vorbisWasmModule(), IMPORTS);
  return new VorbisWasmDecoder(track, headers, instance);
}

/**
 * A synchronous WASM Vorbis decoder: `decode()` decodes the packet at once, so `queueSize` is
 * always 0 and `ready()`/`flush()` resolve immediately. One WebAssembly instance per decoder.
 */
export class VorbisWasmDecoder extends SyncWasmDecoder<VorbisWasmExports> {
  override readonly name = 'WASM Vorbis (Kithara)';
  /** Output channels (the identification header's count; 3..8 channels in WAVE order). */
  readonly channels: number;
  /** Output sampling rate. */
  readonly sampleRate: number;
  /** Vorbis channel of each output plane. */
  private readonly order: readonly number[];

  /** Use {@link createVorbisWasmDecoder}; this takes an instance of the compiled module. */
  constructor(
    private readonly track: TrackInfo,
    headers: VorbisHeaders,
    instance: WebAssembly.Instance,
  ) {
    super(instance.exports as unknown as VorbisWasmExports, 'WASM Vorbis decoder', WASM_ERRORS);
    this.channels = this.header('identification', headers.identification);
    this.header('setup', headers.setup);
    this.sampleRate = this.wasm.sampleRate();
    this.order = WAVE_ORDER[this.channels] ?? Array.from({ length: this.channels }, (_, c) => c);
  }

  /** Decodes one Vorbis audio packet. */
  protected override decodePacket(packet: EncodedPacket): void {
    const w = this.wasm;
    const result = this.run(packet, () => {
      this.write(packet.data);
      return w.decodePacket(packet.data.byteLength);
    });
    if (result === undefined) return;
    const frames = Math.min(result, packet.frames);
    if (frames <= 0) return;
    const buffer = w.memory.buffer;
    const out = w.outputPtr();
    const stride = w.outputStride() * 4;
    const planes: Float32Array[] = [];
    for (const c of this.order) planes.push(new Float32Array(buffer.slice(out + c * stride, out + c * stride + frames * 4)));
    this.emit({ frame: packet.frame, frames, sampleRate: this.sampleRate, planes });
  }

  /** The feature counters since creation: proof of which coding tools a stream used. */
  stats(): Record<VorbisStatName, number> {
    return this.counters(VORBIS_STAT_NAMES);
  }

  /** Copies a packet into the module's input buffer. */
  private write(data: Uint8Array): void {
    const at = this.wasm.reserveInput(data.byteLength);
    new Uint8Array(this.wasm.memory.buffer, at, data.byteLength).set(data);
  }

  /** Feeds a header packet; throws `unsupported` or `parse` when the module refuses it. */
  private header(kind: 'identification' | 'setup', data: Uint8Array): number {
    this.write(data);
    const result = kind === 'identification' ? this.wasm.identification(data.byteLength) : this.wasm.setup(data.byteLength);
    if (result < 0) {
      const code = -result === 3 ? 'unsupported' : 'parse';
      throw new KitharaError(code, `The Vorbis ${kind} header of ${this.track.codecString} was refused: ${WASM_ERRORS[-result] ?? `error ${-result}`} (at ${this.wasm.errorDetail()}).`);
    }
    return result;
  }
}
