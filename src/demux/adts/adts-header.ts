/**
 * ADTS headers (ISO/IEC 14496-3 §1.A.2.2, adts_fixed_header + adts_variable_header) and the
 * AudioSpecificConfig they imply. Pure functions over bytes.
 */
import type { FrameSyntax } from '../common/sync-scan.js';

/** A parsed ADTS header. */
export interface AdtsHeader {
  /** MPEG-4 audio object type: profile + 1 (2 = AAC-LC). */
  objectType: number;
  samplingIndex: number;
  sampleRate: number;
  /** 0 means "defined by a program_config_element in the payload". */
  channelConfig: number;
  /** 7 or 9 (with CRC). */
  headerBytes: number;
  /** Whole frame, header included. */
  frameBytes: number;
  /** number_of_raw_data_blocks_in_frame + 1. */
  rawBlocks: number;
}

/** Sampling frequency table of ISO/IEC 14496-3 (index 0..12). */
export const AAC_SAMPLE_RATES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/** frame_length is 13 bits. */
export const MAX_ADTS_FRAME_BYTES = 8191;

/** Parses the header at `b[at]` (needs 7 bytes); null when it is not a valid ADTS header. */
export function parseAdtsHeader(b: Uint8Array, at: number): AdtsHeader | null {
  if (at + 7 > b.length) return null;
  const b1 = b[at + 1] as number;
  // 12-bit syncword, then ID (any), layer (must be 00), protection_absent.
  if (b[at] !== 0xff || (b1 & 0xf6) !== 0xf0) return null;
  const b2 = b[at + 2] as number;
  const b3 = b[at + 3] as number;
  const samplingIndex = (b2 >> 2) & 0x0f;
  const sampleRate = AAC_SAMPLE_RATES[samplingIndex];
  if (sampleRate === undefined) return null;
  const headerBytes = b1 & 1 ? 7 : 9;
  const frameBytes = ((b3 & 3) << 11) | ((b[at + 4] as number) << 3) | ((b[at + 5] as number) >> 5);
  if (frameBytes <= headerBytes) return null;
  return {
    objectType: (b2 >> 6) + 1,
    samplingIndex,
    sampleRate,
    channelConfig: ((b2 & 1) << 2) | (b3 >> 6),
    headerBytes,
    frameBytes,
    rawBlocks: ((b[at + 6] as number) & 3) + 1,
  };
}

/** Output channels of a channel configuration (1..7; 7 is 7.1, eight channels). */
export function channelsOf(channelConfig: number): number {
  return channelConfig === 7 ? 8 : channelConfig;
}

/**
 * The two-byte AudioSpecificConfig for an ADTS stream: audioObjectType (5 bits),
 * samplingFrequencyIndex (4), channelConfiguration (4), then GASpecificConfig with
 * frameLengthFlag, dependsOnCoreCoder and extensionFlag all 0 (ADTS frames hold 1024 samples).
 */
export function audioSpecificConfig(h: AdtsHeader): Uint8Array {
  return new Uint8Array([(h.objectType << 3) | (h.samplingIndex >> 1), ((h.samplingIndex & 1) << 7) | (h.channelConfig << 3)]);
}

/** The ADTS frame syntax for the sync scanner. */
export const ADTS_SYNTAX: FrameSyntax<AdtsHeader> = {
  headerBytes: 7,
  maxFrameBytes: MAX_ADTS_FRAME_BYTES,
  parse: parseAdtsHeader,
  frameBytes: (h) => h.frameBytes,
  compatible: (ref, h) =>
    ref.objectType === h.objectType && ref.samplingIndex === h.samplingIndex && ref.channelConfig === h.channelConfig,
};
