/** The MPEG audio (MP3, MP2, MP1) container format. */
import type { DemuxerFormat, ProbeHints } from '../types.js';
import { hintBonus } from '../common/hints.js';
import { afterId3, headIsWholeFile } from '../common/probe.js';
import { findRunIn } from '../common/sync-scan.js';
import { MPEG_SYNTAX } from './mpeg-header.js';
import { openMp3 } from './mp3-demuxer.js';

export { openMp3, MP3_DEFAULTS, MP3_DECODER_DELAY, MP3_ASSUMED_ENCODER_DELAY, MP3_PREROLL_FRAMES, type Mp3Options } from './mp3-demuxer.js';
export { parseMpegHeader, type MpegHeader } from './mpeg-header.js';
export { parseVbrHeader, type VbrHeader } from './vbr-header.js';

const EXTENSIONS = ['mp3', 'mp2', 'mp1', 'mpga', 'mpa'];
const MIME_TYPES = ['audio/mpeg', 'audio/mp3', 'audio/mpa', 'audio/mpeg3', 'audio/x-mpeg'];

/**
 * Scores `head` as MPEG audio: three chained frame headers right after the ID3v2 tags score
 * 90, after some garbage 70, two chained headers 40; a tag larger than the head 20.
 */
export function probeMp3(head: Uint8Array, hints: ProbeHints): number {
  const start = afterId3(head);
  const bonus = hintBonus(hints, EXTENSIONS, MIME_TYPES);
  if (start > 0 && start + 4 > head.length) return 20 + bonus;
  const whole = headIsWholeFile(head);
  const run3 = findRunIn(MPEG_SYNTAX, head, start, head.length, 3, null, whole);
  if (run3) return (run3.at === start ? 90 : 70) + bonus;
  const run2 = findRunIn(MPEG_SYNTAX, head, start, head.length, 2, null, whole);
  return run2 ? 40 + bonus : 0;
}

/** MPEG audio elementary streams: `.mp3`, `.mp2`, `.mp1`. */
export const mp3Format: DemuxerFormat = {
  container: 'mp3',
  probe: probeMp3,
  open: (reader) => openMp3(reader),
};
