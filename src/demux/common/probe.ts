/** Shared probe helpers. */
import { id3v2TagSize } from './id3.js';

/** Bytes a probe is given at most (detect reads this many). */
export const PROBE_BYTES = 64 * 1024;

/**
 * Offset of the first byte after the ID3v2 tags at the start of `head` (0 when none); may
 * exceed `head.length` when a tag is larger than the head.
 */
export function afterId3(head: Uint8Array): number {
  let at = 0;
  for (let size = id3v2TagSize(head, 0); size > 0; size = id3v2TagSize(head, at)) at += size;
  return at;
}

/** Whether `head` holds the whole resource (it is shorter than a full probe window). */
export function headIsWholeFile(head: Uint8Array): boolean {
  return head.length < PROBE_BYTES;
}
