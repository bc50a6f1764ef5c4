/** The native FLAC container format. */
import type { DemuxerFormat, ProbeHints } from '../types.js';
import { startsWith } from '../common/id3.js';
import { hintBonus } from '../common/hints.js';
import { afterId3 } from '../common/probe.js';
import { openFlac } from './flac-demuxer.js';

export { openFlac, FLAC_DEFAULTS } from './flac-demuxer.js';
export { readFlacHeader, type FlacHeader, type FlacStreamInfo, type FlacSeekPoint } from './flac-metadata.js';
export { parseFlacFrameHeader, crc8, crc16, type FlacFrameHeader } from './flac-frame.js';

const EXTENSIONS = ['flac'];
const MIME_TYPES = ['audio/flac', 'audio/x-flac'];

/** Scores `head` as FLAC: 'fLaC' (after any ID3v2 tags) scores 95; a tag larger than the head 5. */
export function probeFlac(head: Uint8Array, hints: ProbeHints): number {
  const start = afterId3(head);
  const bonus = hintBonus(hints, EXTENSIONS, MIME_TYPES);
  if (start > 0 && start + 4 > head.length) return 5 + 4 * bonus;
  return startsWith(head, start, 'fLaC') ? 95 + bonus : 0;
}

/** Native FLAC streams: `.flac`. */
export const flacFormat: DemuxerFormat = {
  container: 'flac',
  probe: probeFlac,
  open: (reader) => openFlac(reader),
};
