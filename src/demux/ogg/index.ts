/**
 * Ogg (Opus, Vorbis) container format: the entry point the demuxer registry imports.
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, DemuxerFormat, ProbeHints } from '../types.js';
import { OGG_BOS, isCapture, parsePage, pagePieces } from './ogg-page.js';
import { isOpusHead } from './opus.js';
import { isVorbisHeader } from './vorbis.js';
import { openOgg } from './ogg-demuxer.js';

/**
 * Confidence that `head` is an Ogg file: 100 when its first page is a valid BOS page of Opus
 * or Vorbis, 50 for other Ogg content (opening it then reports `unsupported`), else 0.
 */
export function probeOgg(head: Uint8Array, _hints: ProbeHints): number {
  if (head.byteLength < 4 || !isCapture(head, 0)) return 0;
  const r = parsePage(head, 0, 0);
  if (r.kind !== 'page') return r.kind === 'need' ? 60 : 0;
  const first = pagePieces(r.page).pieces[0];
  if (r.page.flags & OGG_BOS && first && (isOpusHead(first) || isVorbisHeader(first, 1))) return 100;
  return 50;
}

/** The Ogg demuxer format. */
export const oggFormat: DemuxerFormat = {
  container: 'ogg',
  probe: probeOgg,
  open: (reader: ByteReader): Promise<Demuxer> => openOgg(reader),
};

export { openOgg, OggDemuxer, OGG_DEFAULTS } from './ogg-demuxer.js';
export { oggCrc32 } from './crc32.js';
export { parsePage, pagePieces, OggPageReader, type OggPage } from './ogg-page.js';
export { parseOpusHead, opusPacketFrames, type OpusHead } from './opus.js';
export { parseVorbisId, parseVorbisModes, vorbisBlockSize, xiphLace, type VorbisId } from './vorbis.js';
