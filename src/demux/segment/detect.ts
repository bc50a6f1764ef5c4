/** Recognises an HLS media segment's format from its first bytes. Pure. */
import { id3v2TagSize } from '../common/id3.js';
import { fourcc } from '../mp4/box.js';
import { parseAdtsHeader } from '../adts/adts-header.js';
import { parseMpegHeader } from '../mp3/mpeg-header.js';
import type { SegmentFormat } from './types.js';

/** Box types that open an init or media segment of fragmented MP4. */
const FMP4_BOXES = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx', 'emsg', 'prft', 'free']);

const TS_PACKET = 188;

/**
 * The format of a segment from its first bytes (a few KiB is plenty): 'fmp4' for ISO BMFF boxes,
 * 'ts' for 188-byte transport packets, 'adts' or 'mp3' for packed audio (after any ID3v2 tags).
 * `null` when it is none of these, or when the bytes end inside a leading ID3v2 tag.
 */
export function detectSegmentFormat(firstBytes: Uint8Array): SegmentFormat | null {
  const b = firstBytes;
  if (b.byteLength >= 8 && FMP4_BOXES.has(fourcc(b, 4))) return 'fmp4';
  if (b[0] === 0x47 && (b.byteLength <= TS_PACKET || b[TS_PACKET] === 0x47)) {
    if (b.byteLength <= 2 * TS_PACKET || b[2 * TS_PACKET] === 0x47) return 'ts';
  }
  let at = 0;
  for (let tag = id3v2TagSize(b, at); tag > 0; tag = id3v2TagSize(b, at)) at += tag;
  if (parseAdtsHeader(b, at)) return 'adts';
  if (parseMpegHeader(b, at)) return 'mp3';
  return null;
}
