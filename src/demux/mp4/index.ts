/**
 * MP4/M4A/MOV (progressive, non-fragmented) container format: the entry point the demuxer
 * registry imports.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, DemuxerFormat, ProbeHints } from '../types.js';
import { fourcc } from './box.js';
import { openMp4 } from './mp4-demuxer.js';

/** Top-level box types that may open a progressive MP4/QuickTime file. */
const LEADING_BOXES = new Set(['moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

/** Confidence that `head` is a progressive MP4/MOV file (0 = not mine). */
export function probeMp4(head: Uint8Array, hints: ProbeHints): number {
  if (head.byteLength < 8) return 0;
  const type = fourcc(head, 4);
  if (type === 'ftyp') return 95;
  if (LEADING_BOXES.has(type)) return /\.(m4a|mp4|mov|m4b)(\?|#|$)/i.test(hints.url ?? '') ? 80 : 60;
  return 0;
}

/** The MP4 demuxer format. */
export const mp4Format: DemuxerFormat = {
  container: 'mp4',
  probe: probeMp4,
  open: (reader: ByteReader): Promise<Demuxer> => openMp4(reader),
};

export { openMp4, Mp4Demuxer, MP4_DEFAULTS } from './mp4-demuxer.js';
export { parseAudioSpecificConfig, type AudioSpecificConfig } from './aac-config.js';
export { parseMoov, type Mp4Movie, type Mp4Track, type Mp4Edit, type Mp4TrackDefaults, type ITunSmpb } from './movie.js';
export { parseAudioSampleEntry, type Mp4AudioEntry } from './sample-entry.js';
export { SampleTable } from './sample-table.js';
export { parseFragment, type FragmentSamples } from './fragment.js';
export { readBoxHeader, type BoxHeader } from './box.js';
