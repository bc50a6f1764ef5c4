/**
 * ID3v2 tags: recognised only to be skipped. ID3v2 (id3.org, "ID3 tag version 2.4.0 - Main
 * Structure" §3.1) starts with 'ID3', two version bytes, a flags byte and a 28-bit
 * "syncsafe" size (four bytes with the top bit clear) that excludes the 10-byte header and
 * the optional 10-byte footer (flag 0x10, version 4).
 */
import type { ByteReader } from '../../stream/byte-reader.js';

/** Bytes of an ID3v2 header or footer. */
export const ID3V2_HEADER_BYTES = 10;

/**
 * Total size of the ID3v2 tag that starts at `b[at]` (header, body and footer), or 0 when
 * there is no well-formed ID3v2 header there. Needs 10 bytes from `at`.
 */
export function id3v2TagSize(b: Uint8Array, at = 0): number {
  if (b.length < at + ID3V2_HEADER_BYTES) return 0;
  if (b[at] !== 0x49 || b[at + 1] !== 0x44 || b[at + 2] !== 0x33) return 0;
  const major = b[at + 3] as number;
  const minor = b[at + 4] as number;
  if (major === 0xff || minor === 0xff) return 0;
  let size = 0;
  for (let i = 6; i < 10; i++) {
    const v = b[at + i] as number;
    if (v & 0x80) return 0;
    size = (size << 7) | v;
  }
  const footer = major >= 4 && ((b[at + 5] as number) & 0x10) !== 0 ? ID3V2_HEADER_BYTES : 0;
  return ID3V2_HEADER_BYTES + size + footer;
}

/**
 * Skips any number of consecutive ID3v2 tags starting at `pos` (some files carry two).
 * Reads only the 10-byte headers; tag bodies are seeked over, never read.
 * @returns The offset of the first byte after the tags (`pos` when there are none).
 */
export async function skipId3v2(reader: ByteReader, pos: number): Promise<number> {
  for (;;) {
    reader.seek(pos);
    const head = await reader.peek(ID3V2_HEADER_BYTES);
    const size = id3v2TagSize(head, 0);
    if (size === 0) return pos;
    pos += size;
  }
}

/** Whether `b[at]` starts a tag that only appears after the audio (ID3v1, APEv2, Lyrics3). */
export function isTrailingTag(b: Uint8Array, at = 0): boolean {
  return startsWith(b, at, 'TAG') || startsWith(b, at, 'APETAGEX') || startsWith(b, at, 'LYRICSBEGIN');
}

/** Whether the ASCII string `s` is at `b[at]`. */
export function startsWith(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}
