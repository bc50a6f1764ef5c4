/** The Decoder interface: encoded packets in, planar Float32 PCM out, pipelined. */
import type { KitharaError } from '../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../demux/types.js';

/** Which implementation decodes. */
export type DecoderKind = 'webcodecs' | 'wasm' | 'pcm';

/** Decoded planar PCM. */
export interface DecodedChunk {
  /** Start in decoder-output frames (see demux/types.ts). */
  frame: number;
  /** Frames in each plane. */
  frames: number;
  sampleRate: number;
  /** One Float32Array per channel, each `frames` long. */
  planes: Float32Array[];
}

/**
 * A codec instance for one track. Packets go in with `decode`; output accumulates and is
 * taken with `takeOutput`. `ready` resolves when more input is welcome or output waits.
 */
export interface Decoder {
  readonly kind: DecoderKind;
  /** Human-readable implementation name, e.g. 'WebCodecs mp4a.40.2'. */
  readonly name: string;
  /** Packets queued but not yet decoded. */
  readonly queueSize: number;
  /** Set once the decoder failed; every later call is a no-op. */
  readonly error: KitharaError | undefined;
  /** Queues one packet. */
  decode(packet: EncodedPacket): void;
  /** Resolves when `queueSize` is under the high-water mark, output is waiting, or it failed. */
  ready(): Promise<void>;
  /** Takes everything decoded so far, in order. */
  takeOutput(): DecodedChunk[];
  /** Decodes everything queued; the output is then available from `takeOutput`. */
  flush(): Promise<void>;
  /** Drops all state and queued work (after a seek). The next packet must be a key packet. */
  reset(): void;
  close(): void;
}

/** What the factory may use. */
export type DecoderPreference = 'auto' | 'webcodecs' | 'wasm';

/** Tuning for one decoder. */
export interface DecoderOptions {
  /**
   * Packets in flight before `ready()` waits. Small for playback (first audio sooner), large for
   * bulk reading (the platform decoder never idles). Defaults to the implementation's own.
   */
  queueDepth?: number;
  /**
   * Packets joined into one platform call where the codec's packets delimit themselves (raw AAC
   * access units end with an END element). Each platform call costs a round trip to the media
   * thread, so bulk readers join 16; players leave it at 1 (every packet out at once).
   * Defaults to 1.
   */
  batch?: number;
}

/** Builds decoders. */
export interface DecoderFactory {
  create(track: TrackInfo, preference: DecoderPreference, options?: DecoderOptions): Promise<Decoder>;
}
