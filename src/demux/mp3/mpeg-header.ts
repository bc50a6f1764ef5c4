/**
 * MPEG audio frame headers (ISO/IEC 11172-3 §2.4.2.3, ISO/IEC 13818-3 §2.4.2.3, and the
 * unofficial MPEG-2.5 extension for 8/11.025/12 kHz). Pure functions over bytes.
 */
import type { FrameSyntax } from '../common/sync-scan.js';

/** MPEG version: 1, 2 (LSF) or 2.5. */
export type MpegVersion = 1 | 2 | 2.5;

/** A parsed 4-byte MPEG audio frame header. */
export interface MpegHeader {
  version: MpegVersion;
  layer: 1 | 2 | 3;
  /** A 16-bit CRC follows the header. */
  crc: boolean;
  /** Bits per second. */
  bitrate: number;
  bitrateIndex: number;
  sampleRate: number;
  padding: boolean;
  /** 0 stereo, 1 joint stereo, 2 dual channel, 3 mono. */
  channelMode: number;
  channels: 1 | 2;
  /** PCM frames one audio frame decodes to. */
  samplesPerFrame: number;
  /** Bytes of the frame, header included. */
  frameBytes: number;
}

// Bitrates in kbit/s, index 1..14 (0 is "free format", 15 is invalid).
const BITRATES_V1: readonly (readonly number[])[] = [
  [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // layer I
  [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // layer II
  [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // layer III
];
const BITRATES_V2: readonly (readonly number[])[] = [
  [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256], // layer I
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160], // layers II and III
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const SAMPLE_RATES: Readonly<Record<string, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/** Largest possible frame: layer II, 384 kbit/s, 32 kHz, padded (1729 bytes), rounded up. */
export const MAX_MPEG_FRAME_BYTES = 1732;

/** Parses the header at `b[at]`; null when the four bytes are not a valid header. */
export function parseMpegHeader(b: Uint8Array, at: number): MpegHeader | null {
  if (at + 4 > b.length) return null;
  const b1 = b[at + 1] as number;
  const b2 = b[at + 2] as number;
  const b3 = b[at + 3] as number;
  if (b[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  if (versionBits === 1 || layerBits === 0) return null;
  const version: MpegVersion = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateIndex = b2 >> 4;
  const srIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || srIndex === 3) return null; // free format unsupported
  if ((b3 & 3) === 2) return null; // reserved emphasis
  const table = version === 1 ? BITRATES_V1 : BITRATES_V2;
  const bitrate = ((table[layer - 1] as readonly number[])[bitrateIndex - 1] as number) * 1000;
  const sampleRate = (SAMPLE_RATES[String(version)] as readonly number[])[srIndex] as number;
  const padding = (b2 & 2) !== 0;
  const channelMode = b3 >> 6;
  const samplesPerFrame = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  const frameBytes =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + (padding ? 1 : 0)) * 4
      : Math.floor((samplesPerFrame / 8) * bitrate / sampleRate) + (padding ? 1 : 0);
  return {
    version,
    layer,
    crc: (b1 & 1) === 0,
    bitrate,
    bitrateIndex,
    sampleRate,
    padding,
    channelMode,
    channels: channelMode === 3 ? 1 : 2,
    samplesPerFrame,
    frameBytes,
  };
}

/** Average frame size in bytes at a constant bitrate (padding spreads the fraction). */
export function averageFrameBytes(h: MpegHeader): number {
  return h.layer === 1 ? (48 * h.bitrate) / h.sampleRate : ((h.samplesPerFrame / 8) * h.bitrate) / h.sampleRate;
}

/** Bytes of layer III side information, which precedes a Xing/Info tag. */
export function sideInfoBytes(h: MpegHeader): number {
  if (h.version === 1) return h.channels === 1 ? 17 : 32;
  return h.channels === 1 ? 9 : 17;
}

/** The MPEG audio frame syntax for the sync scanner. */
export const MPEG_SYNTAX: FrameSyntax<MpegHeader> = {
  headerBytes: 4,
  maxFrameBytes: MAX_MPEG_FRAME_BYTES,
  parse: parseMpegHeader,
  frameBytes: (h) => h.frameBytes,
  compatible: (ref, h) =>
    ref.version === h.version && ref.layer === h.layer && ref.sampleRate === h.sampleRate && ref.channels === h.channels,
};
