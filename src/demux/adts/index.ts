/** The ADTS (raw AAC) container format. */
import type { DemuxerFormat, ProbeHints } from '../types.js';
import { hintBonus } from '../common/hints.js';
import { afterId3, headIsWholeFile } from '../common/probe.js';
import { findRunIn } from '../common/sync-scan.js';
import { ADTS_SYNTAX } from './adts-header.js';
import { openAdts } from './adts-demuxer.js';

export { openAdts, ADTS_DEFAULTS, AAC_FRAME_SAMPLES, ADTS_ASSUMED_PRIMING, type AdtsOptions } from './adts-demuxer.js';
export { parseAdtsHeader, audioSpecificConfig, type AdtsHeader } from './adts-header.js';

const EXTENSIONS = ['aac', 'adts'];
const MIME_TYPES = ['audio/aac', 'audio/aacp', 'audio/x-aac', 'audio/adts'];

/**
 * Scores `head` as ADTS: three chained headers right after the ID3v2 tags score 90, after
 * some garbage 70, two 40; an ID3v2 tag larger than the head 5 (MP3 is likelier).
 */
export function probeAdts(head: Uint8Array, hints: ProbeHints): number {
  const start = afterId3(head);
  const bonus = hintBonus(hints, EXTENSIONS, MIME_TYPES);
  if (start > 0 && start + 7 > head.length) return 5 + 4 * bonus;
  const whole = headIsWholeFile(head);
  const run3 = findRunIn(ADTS_SYNTAX, head, start, head.length, 3, null, whole);
  if (run3) return (run3.at === start ? 90 : 70) + bonus;
  return findRunIn(ADTS_SYNTAX, head, start, head.length, 2, null, whole) ? 40 + bonus : 0;
}

/** ADTS AAC elementary streams: `.aac`. */
export const adtsFormat: DemuxerFormat = {
  container: 'adts',
  probe: probeAdts,
  open: (reader) => openAdts(reader),
};
