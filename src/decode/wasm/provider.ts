/**
 * The software decoder suite behind {@link FallbackDecoderProvider}: one lazily imported module
 * per codec, so a page loads only the decoder it uses (each `import()` below becomes its own
 * chunk of the engine worker bundle).
 *
 * | codec | module | implementation |
 * |---|---|---|
 * | mp1, mp2, mp3 | `mpeg/mpeg-wasm-decoder.ts` | MPEG audio layers I-III (WASM; its own folder) |
 * | opus | `opus/opus-wasm-decoder.ts` | libopus (WASM, `opus-decoder`) |
 * | vorbis | `vorbis/vorbis-wasm-decoder.ts` | Vorbis I (WASM; its own folder) |
 * | flac | `flac/flac-decoder.ts` | TypeScript, bit-exact |
 * | alac | `alac/alac-decoder.ts` | TypeScript, bit-exact |
 * | aac | `aac/aac-wasm-decoder.ts` | AAC-LC (WASM; its own folder) |
 */
import type { CodecId, TrackInfo } from '../../demux/types.js';
import { KitharaError } from '../../platform/errors.js';
import type { FallbackDecoderProvider } from '../factory.js';
import type { Decoder } from '../types.js';

/** What every codec module offers, under uniform names. */
export interface SoftwareCodecModule {
  /** Whether this module decodes the track (codec, configuration). */
  supports(track: TrackInfo): boolean;
  /** Creates a decoder; throws `parse`/`unsupported` for a configuration it cannot use. */
  create(track: TrackInfo): Promise<Decoder>;
}

/** Codec id → module loader. Each loader is a literal `import()`, so bundlers split it out. */
const LOADERS: Partial<Record<CodecId, () => Promise<SoftwareCodecModule>>> = {
  mp1: loadMpeg,
  mp2: loadMpeg,
  mp3: loadMpeg,
  opus: () => import('./opus/opus-wasm-decoder.js').then((m) => ({ supports: m.opusWasmSupports, create: m.createOpusWasmDecoder })),
  vorbis: () => import('./vorbis/vorbis-wasm-decoder.js').then((m) => ({ supports: m.vorbisWasmSupports, create: m.createVorbisWasmDecoder })),
  flac: () => import('./flac/flac-decoder.js').then((m) => ({ supports: m.flacSupports, create: m.createFlacDecoder })),
  alac: () => import('./alac/alac-decoder.js').then((m) => ({ supports: m.alacSupports, create: m.createAlacDecoder })),
  aac: () => import('./aac/aac-wasm-decoder.js').then((m) => ({ supports: m.aacWasmSupports, create: m.createAacWasmDecoder })),
};

function loadMpeg(): Promise<SoftwareCodecModule> {
  return import('./mpeg/mpeg-wasm-decoder.js').then((m) => ({ supports: m.mpegWasmSupports, create: (track) => m.createMpegWasmDecoder(track) }));
}

/** Loaded modules, by codec: each loads once per worker; a failed load is retried next time. */
const loaded = new Map<CodecId, Promise<SoftwareCodecModule>>();

/** The codec's module, or undefined when there is none or it fails to load (e.g. offline). */
async function moduleFor(codec: CodecId): Promise<SoftwareCodecModule | undefined> {
  const load = LOADERS[codec];
  if (load === undefined) return undefined;
  let pending = loaded.get(codec);
  if (pending === undefined) {
    pending = load();
    loaded.set(codec, pending);
  }
  try {
    return await pending;
  } catch {
    loaded.delete(codec);
    return undefined;
  }
}

/** Codecs the suite has a module for (whether a given track is supported also depends on its configuration). */
export const SOFTWARE_CODECS: readonly CodecId[] = Object.keys(LOADERS) as CodecId[];

/**
 * The WASM / TypeScript fallback decoders. Pass `() => import('./wasm/provider.js').then((m) =>
 * m.wasmDecoderProvider)` to {@link DefaultDecoderFactory} so that even this table loads lazily.
 */
export const wasmDecoderProvider: FallbackDecoderProvider = {
  async supports(track: TrackInfo): Promise<boolean> {
    const m = await moduleFor(track.codec);
    return m !== undefined && m.supports(track);
  },
  async create(track: TrackInfo): Promise<Decoder> {
    const m = await moduleFor(track.codec);
    if (m === undefined) throw new KitharaError('unsupported', `No software decoder could be loaded for ${track.codec}.`);
    if (!m.supports(track)) throw new KitharaError('unsupported', `The software ${track.codec} decoder does not support this ${track.codecString} track.`);
    return m.create(track);
  },
};
