/**
 * Content-based container detection: reads the first 64 KiB, asks every format's probe, and
 * opens the best. URL extensions and MIME types only add a few points inside the probes.
 * When nothing matches, the error says what the bytes look like instead.
 */
import { mark } from '../platform/trace.js';
import { KitharaError } from '../platform/errors.js';
import type { ByteReader } from '../stream/byte-reader.js';
import type { Demuxer, DemuxerFormat, ProbeHints } from './types.js';
import { afterId3, PROBE_BYTES } from './common/probe.js';
import { startsWith } from './common/id3.js';

/** The winning format and its score, for diagnostics. */
export interface Detection {
  format: DemuxerFormat;
  score: number;
}

/** Picks the best-scoring format for `head`, or null when every probe says 0. Ties keep list order. */
export function detectFormat(head: Uint8Array, hints: ProbeHints, formats: readonly DemuxerFormat[]): Detection | null {
  let best: Detection | null = null;
  for (const format of formats) {
    const score = format.probe(head, hints);
    if (score > 0 && (!best || score > best.score)) best = { format, score };
  }
  return best;
}

/**
 * Reads the head of the resource, detects its container among `formats` and opens it.
 * Throws a `parse` KitharaError for content that is not audio (HTML, text, images,
 * unknown bytes) and an `unsupported` one for audio containers this engine does not handle.
 */
export async function openDemuxer(reader: ByteReader, hints: ProbeHints, formats: readonly DemuxerFormat[]): Promise<Demuxer> {
  // First probe QUICK_PROBE_BYTES: on a slow network the first packet should not wait for a
  // whole 64 KiB window, and where the whole window is already there (a cached file) the probes
  // that scan for frame syncs should not scan all of it either (measured: ~7 ms cold for
  // 64 KiB of MP4 in the MP3 and ADTS probes, against ~1 ms for 4 KiB). Only an unsure answer
  // reads and probes the full window.
  let found = await probeAt(reader, hints, formats, QUICK_PROBE_BYTES, QUICK_PROBE_BYTES);
  if (found.detection === null || found.detection.score < SURE_SCORE) {
    if (!found.complete) found = await probeAt(reader, hints, formats, PROBE_BYTES, PROBE_BYTES);
  }
  reader.seek(0);
  mark('demux:probed');
  if (found.detection === null) throw describeUnknown(found.head, hints);
  return found.detection.format.open(reader);
}

/** Bytes the first, fast probe waits for. */
const QUICK_PROBE_BYTES = 4096;
/** A score this high decides without reading the full probe window. */
const SURE_SCORE = 90;

/** Probes up to `max` bytes of the head (or of what follows ID3v2 tags), waiting for `min`. `complete`: the whole window or the whole file was seen. */
async function probeAt(
  reader: ByteReader,
  hints: ProbeHints,
  formats: readonly DemuxerFormat[],
  min: number,
  max: number,
): Promise<{ detection: Detection | null; head: Uint8Array; complete: boolean }> {
  reader.seek(0);
  let head = await reader.head(min, max);
  let complete = head.length >= PROBE_BYTES || head.length < min;
  const tagEnd = afterId3(head);
  if (tagEnd > 0 && tagEnd + 16 > head.length && head.length >= min) {
    // ID3v2 tags (cover art) fill the window: probe what follows them instead.
    reader.seek(tagEnd);
    head = await reader.head(min, max);
    complete = head.length >= PROBE_BYTES || head.length < min;
  }
  return { detection: detectFormat(head, hints, formats), head, complete };
}

/** Known containers without a demuxer here: magic bytes at offset 0, and a name. */
const UNSUPPORTED: readonly [string | number[], string][] = [
  [[0x1a, 0x45, 0xdf, 0xa3], 'a Matroska/WebM file'],
  [[0x30, 0x26, 0xb2, 0x75], 'an ASF/WMA file'],
  ['caff', 'a Core Audio Format (CAF) file'],
  ['MThd', 'a MIDI file'],
  ['#!AMR', 'an AMR file'],
  ['MAC ', "a Monkey's Audio file"],
  ['wvpk', 'a WavPack file'],
  ['.snd', 'a Sun/NeXT AU file'],
  ['OggS', 'an Ogg file'],
  ['ftyp', 'an MP4 file'],
];

/** Non-audio things people point players at by mistake. */
const NOT_AUDIO: readonly [string | number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  ['GIF8', 'a GIF image'],
  ['%PDF', 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x1f, 0x8b], 'gzip-compressed data'],
];

function matches(head: Uint8Array, magic: string | number[], at = 0): boolean {
  if (typeof magic === 'string') return startsWith(head, at, magic);
  return magic.every((v, i) => head[at + i] === v);
}

/** Builds the error for a head no probe accepted. */
function describeUnknown(head: Uint8Array, hints: ProbeHints): KitharaError {
  const where = hints.url ? { url: hints.url } : {};
  if (head.length === 0) return new KitharaError('parse', 'The resource is empty.', where);
  const ftypAt4 = matches(head, 'ftyp', 4);
  for (const [magic, name] of UNSUPPORTED) {
    if (matches(head, magic) || (magic === 'ftyp' && ftypAt4)) {
      return new KitharaError('unsupported', `The resource is ${name}, which has no usable demuxer here.`, where);
    }
  }
  if ((matches(head, 'FORM') && (matches(head, 'AIFF', 8) || matches(head, 'AIFC', 8)))) {
    return new KitharaError('unsupported', 'The resource is an AIFF file, which is not supported.', where);
  }
  if (isTransportStream(head)) {
    return new KitharaError('unsupported', 'The resource is an MPEG transport stream, which is not supported as a progressive file.', where);
  }
  for (const [magic, name] of NOT_AUDIO) {
    if (matches(head, magic)) return new KitharaError('parse', `The resource is not audio: it looks like ${name}.`, where);
  }
  const text = leadingText(head);
  if (text !== null) {
    const start = text.slice(0, 40).replace(/\s+/g, ' ');
    const lower = text.toLowerCase();
    if (lower.startsWith('#extm3u')) {
      return new KitharaError('unsupported', 'The resource is an M3U/HLS playlist, not a media file; open it as HLS.', where);
    }
    const kind = /^<(!doctype html|html|head|body)/.test(lower)
      ? 'an HTML page'
      : lower.startsWith('<?xml') || lower.startsWith('<')
        ? 'an XML/HTML document'
        : lower.startsWith('{') || lower.startsWith('[')
          ? 'JSON'
          : 'text';
    return new KitharaError('parse', `The resource is not audio: it looks like ${kind} (starts with '${start}').`, where);
  }
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new KitharaError('parse', `The resource is not a recognised audio format (first bytes: ${hex}).`, where);
}

/** The head as text when its first 512 bytes are printable UTF-8/ASCII, trimmed; else null. */
function leadingText(head: Uint8Array): string | null {
  let at = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) at = 3; // UTF-8 BOM
  const sample = head.subarray(at, at + 512);
  let printable = 0;
  for (const b of sample) if (b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80) printable++;
  if (sample.length === 0 || printable < sample.length * 0.97 || sample.includes(0)) return null;
  return new TextDecoder().decode(sample).trimStart();
}

/** 0x47 sync bytes every 188 bytes, five times. */
function isTransportStream(head: Uint8Array): boolean {
  if (head.length < 188 * 5) return false;
  for (let i = 0; i < 5; i++) if (head[i * 188] !== 0x47) return false;
  return true;
}
