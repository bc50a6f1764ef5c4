/**
 * The HLS packed-audio timestamp: an ID3v2 PRIV frame owned by
 * 'com.apple.streaming.transportStreamTimestamp' whose data is a 33-bit MPEG-2 90 kHz timestamp
 * as a big-endian eight-octet number (HLS, RFC 8216 §3.4). Pure.
 */
import { ID3V2_HEADER_BYTES } from '../common/id3.js';

const OWNER = 'com.apple.streaming.transportStreamTimestamp';

function syncsafe(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) & 0x7f) << 21) |
    (((b[at + 1] as number) & 0x7f) << 14) |
    (((b[at + 2] as number) & 0x7f) << 7) |
    ((b[at + 3] as number) & 0x7f)
  );
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
}

/**
 * The raw 33-bit transport-stream timestamp in the ID3v2.3/2.4 tag `tag` (a whole tag, header
 * at 0), or `undefined` when it has no such PRIV frame. Never throws: a malformed tag has none.
 */
export function id3TransportStreamTimestamp(tag: Uint8Array): number | undefined {
  if (tag.byteLength < ID3V2_HEADER_BYTES) return undefined;
  const major = tag[3] as number;
  if (major !== 3 && major !== 4) return undefined;
  const flags = tag[5] as number;
  const end = Math.min(tag.byteLength, ID3V2_HEADER_BYTES + syncsafe(tag, 6));
  let at = ID3V2_HEADER_BYTES;
  if (flags & 0x40) {
    if (at + 4 > end) return undefined;
    at += major === 4 ? syncsafe(tag, at) : u32(tag, at) + 4;
  }
  while (at + 10 <= end) {
    if (tag[at] === 0) break; // padding
    const id = String.fromCharCode(tag[at] as number, tag[at + 1] as number, tag[at + 2] as number, tag[at + 3] as number);
    const size = major === 4 ? syncsafe(tag, at + 4) : u32(tag, at + 4);
    const body = at + 10;
    const bodyEnd = Math.min(end, body + size);
    if (id === 'PRIV') {
      let zero = body;
      while (zero < bodyEnd && tag[zero] !== 0) zero++;
      const owner = zero - body === OWNER.length ? String.fromCharCode(...tag.subarray(body, zero)) : '';
      const data = zero + 1;
      if (owner === OWNER && data + 8 <= bodyEnd) return ((tag[data + 3] as number) & 1) * 2 ** 32 + u32(tag, data + 4);
    }
    at = body + size;
  }
  return undefined;
}
