/**
 * What a demuxer produces: one audio track description and a sequence of encoded packets.
 *
 * Time is counted in integer frames of the *decoder output timeline*: frame 0 is the first
 * sample the decoder emits for this stream, priming included. The first real sample is at
 * `track.delayFrames`; the stream ends at `track.delayFrames + track.totalFrames` when known.
 */
import type { ByteReader } from '../stream/byte-reader.js';

/** Codecs the engine knows. */
export type CodecId = 'aac' | 'mp3' | 'mp2' | 'mp1' | 'flac' | 'vorbis' | 'opus' | 'alac' | 'pcm';

/** Container formats the engine knows. */
export type ContainerId = 'mp3' | 'adts' | 'mp4' | 'flac' | 'ogg' | 'wav' | 'fmp4' | 'ts';

/** Raw PCM layout, for `codec: 'pcm'`. */
export interface PcmLayout {
  format: 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
  /** Little-endian unless set. */
  bigEndian?: boolean;
  /** Bytes per frame (all channels). */
  blockAlign: number;
}

/** The audio track a demuxer found. */
export interface TrackInfo {
  container: ContainerId;
  codec: CodecId;
  /** WebCodecs codec string: 'mp4a.40.2', 'mp3', 'flac', 'opus', 'vorbis', 'pcm-s16', … */
  codecString: string;
  /** Decoder output rate (Opus is always 48000). */
  sampleRate: number;
  channels: number;
  /**
   * AudioDecoderConfig.description: AudioSpecificConfig (AAC in MP4), 'fLaC'+STREAMINFO (FLAC),
   * the OpusHead (Opus), Xiph-laced identification/comment/setup headers (Vorbis).
   */
  description?: Uint8Array;
  /** Frames of encoder delay / priming / pre-skip at the start of the decoder output. */
  delayFrames: number;
  /** Real frames after trimming delay and padding, when known. */
  totalFrames?: number;
  /**
   * Frames the decoder must run before a seek target to produce valid output there
   * (AAC 2048, MP3 1152·2 for the bit reservoir, Opus 3840, lossless 0).
   */
  prerollFrames: number;
  /** Present when `codec === 'pcm'`. */
  pcm?: PcmLayout;
  /** Nominal bitrate in bits per second, when known. */
  bitrate?: number;
}

/** One encoded access unit. */
export interface EncodedPacket {
  data: Uint8Array;
  /** Start, in decoder-output frames (see file header). */
  frame: number;
  /** Length in decoder-output frames. */
  frames: number;
  /** Whether decoding can start here. */
  key: boolean;
  /**
   * Set on the first packet of a new format (an HLS variant switch, or the first packet after
   * a seek when the variant changed): this packet and the ones after it need a decoder for
   * this track, and their frames count at its rate. A switch restarts a little before the seam
   * (the new variant's previous segment), so the new decoder is warm by then.
   */
  format?: TrackInfo;
  /**
   * Set with `format` on the first packet after an HLS discontinuity: a new encode starts here.
   * Its first real sample is at `frame + format.delayFrames` and the old stream is cut there (no
   * crossfade: the two encodes share no audio).
   */
  discontinuity?: boolean;
}

/** A container parser positioned on one audio track. */
export interface Demuxer {
  readonly track: TrackInfo;
  /** Next packet in decode order, or `null` at the end. */
  next(): Promise<EncodedPacket | null>;
  /**
   * Positions the demuxer so that `next()` returns a key packet starting at or before
   * `frame` (decoder-output frames). Returns that packet's start frame. Callers pass
   * `target - prerollFrames` when they need preroll.
   */
  seek(frame: number): Promise<number>;
  /** True when `next()` may return packets with a new `format` (HLS with several variants). */
  readonly switchable?: boolean;
  /** Releases what the demuxer holds (downloads, for HLS). Optional. */
  close?(): void;
}

/** Facts that help choose a demuxer; content always wins. */
export interface ProbeHints {
  url?: string;
  mimeType?: string;
}

/** A container format's entry point. */
export interface DemuxerFormat {
  readonly container: ContainerId;
  /**
   * Confidence 0..100 that `head` (the first bytes, up to 64 KiB) is this format;
   * 0 means "not mine". Pure and synchronous.
   */
  probe(head: Uint8Array, hints: ProbeHints): number;
  /** Opens the format on a reader positioned at 0. Throws `parse`/`unsupported` KitharaErrors. */
  open(reader: ByteReader): Promise<Demuxer>;
}
