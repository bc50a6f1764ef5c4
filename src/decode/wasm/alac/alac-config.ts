/**
 * The ALAC magic cookie, `ALACSpecificConfig` (Apple Lossless Audio Codec format description):
 * 24 big-endian bytes that the MP4 demuxer passes as `track.description`. Some writers prefix it
 * with its QuickTime 'frma'/'alac' atoms; those are skipped.
 */
import { KitharaError } from '../../../platform/errors.js';

/** ALACSpecificConfig fields. */
export interface AlacConfig {
  /** Frames per packet (4096 by default); a partial packet says its own length. */
  frameLength: number;
  /** 16, 20, 24 or 32. */
  bitDepth: number;
  /** Rice history multiplier (40). */
  pb: number;
  /** Initial Rice history (10). */
  mb: number;
  /** Rice parameter limit (14). */
  kb: number;
  channels: number;
  /** Longest zero run (255). */
  maxRun: number;
  maxFrameBytes: number;
  avgBitRate: number;
  sampleRate: number;
}

/** Parses the magic cookie. Throws `parse` when it is short and `unsupported` for odd values. */
export function parseAlacConfig(cookie: Uint8Array): AlacConfig {
  let at = 0;
  // Skip a QuickTime 'frma' atom and an 'alac' atom header (size, type, version/flags) if present.
  const fourcc = (o: number): string => String.fromCharCode(...cookie.subarray(o + 4, o + 8));
  if (cookie.byteLength >= 12 && fourcc(0) === 'frma') at += 12;
  if (cookie.byteLength >= at + 12 && fourcc(at) === 'alac') at += 12;
  if (cookie.byteLength < at + 24) throw new KitharaError('parse', 'The ALAC magic cookie is shorter than 24 bytes.');
  const v = new DataView(cookie.buffer, cookie.byteOffset + at, 24);
  const config: AlacConfig = {
    frameLength: v.getUint32(0),
    bitDepth: v.getUint8(5),
    pb: v.getUint8(6),
    mb: v.getUint8(7),
    kb: v.getUint8(8),
    channels: v.getUint8(9),
    maxRun: v.getUint16(10),
    maxFrameBytes: v.getUint32(12),
    avgBitRate: v.getUint32(16),
    sampleRate: v.getUint32(20),
  };
  if (v.getUint8(4) !== 0) throw new KitharaError('unsupported', `ALAC compatible version ${v.getUint8(4)} is not supported.`);
  if (![16, 20, 24, 32].includes(config.bitDepth)) {
    throw new KitharaError('unsupported', `ALAC with ${config.bitDepth}-bit samples is not supported.`);
  }
  if (config.channels < 1 || config.channels > 8) throw new KitharaError('unsupported', `ALAC with ${config.channels} channels is not supported.`);
  if (config.frameLength < 1 || config.frameLength > 1 << 16) throw new KitharaError('parse', `ALAC frame length ${config.frameLength} is out of range.`);
  if (config.kb < 1 || config.kb > 31) throw new KitharaError('parse', `ALAC Rice limit ${config.kb} is out of range.`);
  return config;
}
