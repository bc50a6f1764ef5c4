/**
 * FLAC metadata (RFC 9639 §8): the 'fLaC' marker, then blocks each with a 4-byte header
 * (last-block flag, 7-bit type, 24-bit length). STREAMINFO (type 0, first, 34 bytes) and
 * SEEKTABLE (type 3) are read; every other block (PADDING, VORBIS_COMMENT, PICTURE, …) is
 * seeked over without being read.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import { parseError } from '../common/errors.js';
import { skipId3v2, startsWith } from '../common/id3.js';

/** STREAMINFO fields. */
export interface FlacStreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  /** 0 when unknown. */
  maxFrameSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Samples per channel; 0 when unknown. */
  totalSamples: number;
}

/** A SEEKTABLE point: the frame starting at `sample` is `offset` bytes after the first frame. */
export interface FlacSeekPoint {
  sample: number;
  offset: number;
}

/** Everything before the first frame. */
export interface FlacHeader {
  info: FlacStreamInfo;
  /** 'fLaC' + the STREAMINFO block with its header, last-block flag set. */
  description: Uint8Array;
  /** Points sorted by sample; placeholders dropped. */
  seekTable: FlacSeekPoint[];
  /** Absolute offset of the first frame. */
  firstFrameOffset: number;
}

const STREAMINFO_BYTES = 34;
const TYPE_STREAMINFO = 0;
const TYPE_SEEKTABLE = 3;
const SEEKPOINT_BYTES = 18;
/** SEEKTABLEs above this size are ignored rather than read. */
const MAX_SEEKTABLE_BYTES = 1024 * 1024;

/** Reads the marker and metadata blocks. Throws `parse` KitharaErrors. */
export async function readFlacHeader(reader: ByteReader): Promise<FlacHeader> {
  let pos = await skipId3v2(reader, 0);
  reader.seek(pos);
  const marker = await reader.peek(4);
  if (!startsWith(marker, 0, 'fLaC')) throw parseError("Not a FLAC stream: missing the 'fLaC' marker.");
  pos += 4;
  let info: FlacStreamInfo | null = null;
  let description: Uint8Array | null = null;
  let seekTable: FlacSeekPoint[] = [];
  for (let first = true; ; first = false) {
    reader.seek(pos);
    const h = await reader.copy(4);
    if (h.length < 4) throw parseError('FLAC stream ends inside its metadata.');
    const last = ((h[0] as number) & 0x80) !== 0;
    const type = (h[0] as number) & 0x7f;
    const length = ((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number);
    if (first && (type !== TYPE_STREAMINFO || length !== STREAMINFO_BYTES)) {
      throw parseError('FLAC metadata does not start with a 34-byte STREAMINFO block.');
    }
    if (type === 127) throw parseError('FLAC metadata block of the invalid type 127.');
    if (type === TYPE_STREAMINFO || (type === TYPE_SEEKTABLE && length <= MAX_SEEKTABLE_BYTES)) {
      const body = await reader.copy(length);
      if (body.length < length) throw parseError('FLAC stream ends inside its metadata.');
      if (type === TYPE_STREAMINFO) {
        info = parseStreamInfo(body);
        description = new Uint8Array(4 + 4 + STREAMINFO_BYTES);
        description.set([0x66, 0x4c, 0x61, 0x43, 0x80 | TYPE_STREAMINFO, 0, 0, STREAMINFO_BYTES]);
        description.set(body, 8);
      } else seekTable = parseSeekTable(body);
    }
    pos += 4 + length;
    if (last) break;
  }
  if (!info || !description) throw parseError('FLAC stream has no STREAMINFO block.');
  return { info, description, seekTable, firstFrameOffset: pos };
}

function parseStreamInfo(b: Uint8Array): FlacStreamInfo {
  const u = (i: number): number => b[i] as number;
  const info: FlacStreamInfo = {
    minBlockSize: (u(0) << 8) | u(1),
    maxBlockSize: (u(2) << 8) | u(3),
    maxFrameSize: (u(7) << 16) | (u(8) << 8) | u(9),
    sampleRate: (u(10) << 12) | (u(11) << 4) | (u(12) >> 4),
    channels: ((u(12) >> 1) & 7) + 1,
    bitsPerSample: (((u(12) & 1) << 4) | (u(13) >> 4)) + 1,
    totalSamples: (u(13) & 0x0f) * 2 ** 32 + ((u(14) << 24) >>> 0) + ((u(15) << 16) | (u(16) << 8) | u(17)),
  };
  if (info.sampleRate === 0) throw parseError('FLAC STREAMINFO has a sample rate of 0.');
  if (info.maxBlockSize < 16 && info.maxBlockSize !== 0) throw parseError(`FLAC STREAMINFO has a maximum block size of ${info.maxBlockSize}.`);
  return info;
}

function parseSeekTable(b: Uint8Array): FlacSeekPoint[] {
  const points: FlacSeekPoint[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 0; p + SEEKPOINT_BYTES <= b.length; p += SEEKPOINT_BYTES) {
    const hi = dv.getUint32(p);
    if (hi === 0xffffffff && dv.getUint32(p + 4) === 0xffffffff) continue; // placeholder
    const sample = hi * 2 ** 32 + dv.getUint32(p + 4);
    const offset = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
    points.push({ sample, offset });
  }
  return points.sort((a, b2) => a.sample - b2.sample);
}
