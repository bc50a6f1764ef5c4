/**
 * The metadata frames encoders put first in an MP3 file: Xing/Info (with LAME's extension
 * tag) and Fraunhofer's VBRI. The frame carrying them decodes to silence and is not audio.
 *
 * Layouts (public de-facto specs): Xing/Info follows the layer III side information; its
 * flags say which of frame count, byte count, 100-entry TOC and quality follow. The LAME tag
 * follows those fields: 9 bytes of encoder version, then at +21 the 12-bit encoder delay and
 * 12-bit padding. VBRI sits 32 bytes after the header: version, delay, quality, bytes,
 * frames, TOC entry count, scale, entry size, frames per entry, then the TOC.
 */
import { startsWith } from '../common/id3.js';
import { sideInfoBytes, type MpegHeader } from './mpeg-header.js';

/** What a Xing/Info/VBRI frame says about the stream. */
export interface VbrHeader {
  kind: 'xing' | 'info' | 'vbri';
  /** Audio frames in the file, excluding this one. */
  frames?: number;
  /** Bytes of the audio, from this frame's start (Xing) or the first audio frame (VBRI). */
  bytes?: number;
  /** Xing: 100 entries, byte position ×256/bytes at each percent of the duration. */
  toc?: Uint8Array;
  /** VBRI: byte size of each run of `tocFrames` frames. */
  vbriToc?: number[];
  /** VBRI: frames per TOC entry. */
  tocFrames?: number;
  /** LAME tag: encoder delay and padding, in samples. */
  lame?: { delay: number; padding: number; encoder: string };
}

/** Encoder version strings whose tag carries a trustworthy delay/padding field. */
const LAME_ENCODERS = ['LAME', 'Lavf', 'Lavc', 'L3.99'];

/** Parses the VBR header in `frame` (a whole first frame), or null when there is none. */
export function parseVbrHeader(frame: Uint8Array, h: MpegHeader): VbrHeader | null {
  if (h.layer !== 3) return null;
  const base = 4 + sideInfoBytes(h);
  for (const at of h.crc ? [base, base + 2] : [base]) {
    const xing = parseXing(frame, at);
    if (xing) return xing;
  }
  return parseVbri(frame, 36);
}

function parseXing(b: Uint8Array, at: number): VbrHeader | null {
  const isXing = startsWith(b, at, 'Xing');
  if (!isXing && !startsWith(b, at, 'Info')) return null;
  if (b.length < at + 8) return null;
  const flags = u32(b, at + 4);
  const out: VbrHeader = { kind: isXing ? 'xing' : 'info' };
  let p = at + 8;
  if (flags & 1) {
    if (b.length < p + 4) return out;
    out.frames = u32(b, p);
    p += 4;
  }
  if (flags & 2) {
    if (b.length < p + 4) return out;
    out.bytes = u32(b, p);
    p += 4;
  }
  if (flags & 4) {
    if (b.length < p + 100) return out;
    out.toc = b.slice(p, p + 100);
    p += 100;
  }
  if (flags & 8) p += 4;
  if (b.length >= p + 24) {
    const encoder = String.fromCharCode(...b.subarray(p, p + 9)).replace(/\0.*$/, '');
    if (LAME_ENCODERS.some((e) => encoder.startsWith(e))) {
      const d = p + 21;
      const delay = ((b[d] as number) << 4) | ((b[d + 1] as number) >> 4);
      const padding = (((b[d + 1] as number) & 0x0f) << 8) | (b[d + 2] as number);
      out.lame = { delay, padding, encoder };
    }
  }
  return out;
}

function parseVbri(b: Uint8Array, at: number): VbrHeader | null {
  if (!startsWith(b, at, 'VBRI') || b.length < at + 26) return null;
  const bytes = u32(b, at + 10);
  const frames = u32(b, at + 14);
  const entries = u16(b, at + 18);
  const scale = u16(b, at + 20);
  const entryBytes = u16(b, at + 22);
  const tocFrames = u16(b, at + 24);
  const out: VbrHeader = { kind: 'vbri', frames, bytes };
  const tocStart = at + 26;
  if (entryBytes >= 1 && entryBytes <= 4 && tocFrames > 0 && b.length >= tocStart + entries * entryBytes) {
    const toc: number[] = [];
    for (let i = 0; i < entries; i++) {
      let v = 0;
      for (let j = 0; j < entryBytes; j++) v = v * 256 + (b[tocStart + i * entryBytes + j] as number);
      toc.push(v * scale);
    }
    out.vbriToc = toc;
    out.tocFrames = tocFrames;
  }
  return out;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
}

function u16(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}
