/**
 * Media playlist parsing: segments with absolute URIs, byte ranges, keys, init segments,
 * discontinuities and start times. Strict where playback depends on a value; every error is a
 * {@link PlaylistError} with the line number.
 */

import { ivFromSequence } from '../../drm/iv.js';
import {
  PlaylistError,
  byteRangeAt,
  parseByteRange,
  parseInteger,
  parseIv,
  quote,
  rawAttribute,
  readLines,
  resolveUri,
  stringAttribute,
  tagName,
  tagValue,
  type PlaylistLine,
} from './playlist-lines.js';
import type { ByteRange, HlsSegment, InitSegment, KeyMethod, MediaPlaylist, SegmentKey } from './types.js';

const KEY_METHODS: readonly string[] = ['NONE', 'AES-128', 'SAMPLE-AES', 'SAMPLE-AES-CTR'] satisfies (KeyMethod | 'NONE')[];

/** `#EXTINF:<duration>[,<title>]`: a decimal number, optionally followed by a comma and a title. */
const EXTINF = /^#EXTINF:\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:,.*)?$/;

/** Tags that only a master playlist may contain. */
const MASTER_TAGS = new Set(['stream-inf', 'media', 'i-frame-playlist']);

/** What the tags before a URI line said about that segment. */
interface Pending {
  duration: number | undefined;
  durationLine: number;
  range: { length: number; offset: number | undefined; line: number } | undefined;
  discontinuity: boolean;
}

/**
 * Parses a media playlist. `url` is the URL it was loaded from (after redirects): relative
 * segment, key and map URIs resolve against it.
 *
 * A playlist without EXT-X-ENDLIST is returned with `endList: false`; deciding whether to play
 * it is the caller's business.
 *
 * @throws {PlaylistError} (`code` 'parse') for a text that is not an M3U8 playlist, is a master
 *   playlist, or has a malformed line.
 */
export function parseMediaPlaylist(text: string, url: string): MediaPlaylist {
  const lines = readLines(text, url);
  const segments: HlsSegment[] = [];
  let targetDuration: number | undefined;
  let mediaSequence = 0;
  let discontinuitySequence = 0;
  let endList = false;
  let playlistType: 'VOD' | 'EVENT' | undefined;
  let key: SegmentKey | undefined;
  let map: InitSegment | undefined;
  let lastRange: { uri: string; end: number } | undefined;
  let startTime = 0;
  let pending: Pending = fresh();

  for (const l of lines) {
    const { entry, line } = l;
    if (entry.type === 'uri') {
      if (pending.duration === undefined) {
        throw new PlaylistError(line, `segment URI ${quote(l.text)} has no EXTINF before it`, url);
      }
      const uri = resolveUri(l.text, url, line);
      if (pending.discontinuity) discontinuitySequence++;
      const segment: HlsSegment = {
        uri,
        duration: pending.duration,
        sequence: mediaSequence + segments.length,
        discontinuity: pending.discontinuity,
        discontinuitySequence,
        startTime,
        line,
      };
      const range = pending.range;
      if (range !== undefined) {
        let offset = range.offset;
        if (offset === undefined) {
          if (lastRange === undefined || lastRange.uri !== uri) {
            throw new PlaylistError(range.line,
              'EXT-X-BYTERANGE has no offset, but the previous segment is not a sub-range of the same resource', url);
          }
          offset = lastRange.end;
        }
        segment.byteRange = { offset, length: range.length };
        lastRange = { uri, end: offset + range.length };
      } else {
        lastRange = undefined;
      }
      if (key !== undefined) segment.key = key;
      if (map !== undefined) segment.map = map;
      segments.push(segment);
      startTime += pending.duration;
      pending = fresh();
      continue;
    }
    if (entry.type !== 'tag') continue;
    switch (entry.tagType) {
      case 'inf': {
        if (pending.duration !== undefined) {
          throw new PlaylistError(pending.durationLine, 'EXTINF is not followed by a segment URI', url);
        }
        const m = EXTINF.exec(l.text);
        if (m === null || m[1] === undefined) {
          const value = tagValue(l.text).split(',')[0] ?? '';
          throw new PlaylistError(line, value === '' ? 'EXTINF has no duration' : `EXTINF duration ${quote(value)} is not a number`, url);
        }
        pending.duration = Number(m[1]);
        pending.durationLine = line;
        break;
      }
      case 'byterange': {
        const r = parseByteRange(tagValue(l.text), 'EXT-X-BYTERANGE', line, url);
        pending.range = { ...r, line };
        break;
      }
      case 'discontinuity':
        pending.discontinuity = true;
        break;
      case 'key':
        key = parseKey(l, url);
        break;
      case 'map':
        map = parseMap(l, key, url);
        break;
      case 'targetduration':
        targetDuration = parseInteger(tagValue(l.text), 'EXT-X-TARGETDURATION', line, url);
        break;
      case 'media-sequence':
        mediaSequence = parseInteger(tagValue(l.text), 'EXT-X-MEDIA-SEQUENCE', line, url);
        break;
      case 'discontinuity-sequence':
        discontinuitySequence = parseInteger(tagValue(l.text), 'EXT-X-DISCONTINUITY-SEQUENCE', line, url);
        break;
      case 'playlist-type': {
        const value = tagValue(l.text);
        if (value !== 'VOD' && value !== 'EVENT') {
          throw new PlaylistError(line, `EXT-X-PLAYLIST-TYPE ${quote(value)} is neither VOD nor EVENT`, url);
        }
        playlistType = value;
        break;
      }
      case 'endlist':
        endList = true;
        break;
      default:
        if (entry.tagType !== undefined && MASTER_TAGS.has(entry.tagType)) {
          throw new PlaylistError(line, `${tagName(l.text)} belongs in a master playlist, not in a media playlist`, url);
        }
    }
  }
  if (pending.duration !== undefined) {
    throw new PlaylistError(pending.durationLine, 'EXTINF is not followed by a segment URI', url);
  }

  const result: MediaPlaylist = {
    kind: 'media',
    url,
    targetDuration: targetDuration ?? Math.ceil(Math.max(0, ...segments.map((s) => s.duration))),
    mediaSequence,
    endList,
    segments,
    totalDuration: startTime,
  };
  if (playlistType !== undefined) result.playlistType = playlistType;
  return result;
}

/**
 * The IV that decrypts a segment: the key's IV, or else the segment's media sequence number as a
 * 128-bit big-endian integer (RFC 8216 §5.2).
 */
export function segmentIv(key: SegmentKey, sequence: number): Uint8Array {
  return key.iv ?? ivFromSequence(sequence);
}

function fresh(): Pending {
  return { duration: undefined, durationLine: 0, range: undefined, discontinuity: false };
}

/** EXT-X-KEY: the key now in effect, or undefined for METHOD=NONE. */
function parseKey(l: PlaylistLine, url: string): SegmentKey | undefined {
  const method = rawAttribute(l.text, 'METHOD');
  if (method === undefined) throw new PlaylistError(l.line, 'EXT-X-KEY has no METHOD', url);
  if (!KEY_METHODS.includes(method)) {
    throw new PlaylistError(l.line, `EXT-X-KEY METHOD ${quote(method)} is not NONE, AES-128, SAMPLE-AES or SAMPLE-AES-CTR`, url);
  }
  if (method === 'NONE') return undefined;
  const uri = stringAttribute(l.entry, 'URI');
  if (uri === undefined || uri === '') {
    throw new PlaylistError(l.line, `EXT-X-KEY METHOD=${method} has no URI`, url);
  }
  const key: SegmentKey = { method: method as KeyMethod, uri: resolveUri(uri, url, l.line) };
  const iv = rawAttribute(l.text, 'IV');
  if (iv !== undefined) key.iv = parseIv(iv, l.line, url);
  const keyFormat = stringAttribute(l.entry, 'KEYFORMAT');
  if (keyFormat !== undefined && keyFormat !== 'identity') key.keyFormat = keyFormat;
  return key;
}

/** EXT-X-MAP: the init segment now in effect. */
function parseMap(l: PlaylistLine, key: SegmentKey | undefined, url: string): InitSegment {
  const uri = rawAttribute(l.text, 'URI');
  if (uri === undefined || uri === '') throw new PlaylistError(l.line, 'EXT-X-MAP has no URI', url);
  const map: InitSegment = { uri: resolveUri(uri, url, l.line) };
  const range = rawAttribute(l.text, 'BYTERANGE');
  if (range !== undefined) {
    const byteRange: ByteRange = byteRangeAt(parseByteRange(range, 'EXT-X-MAP BYTERANGE', l.line, url), 0);
    map.byteRange = byteRange;
  }
  if (key !== undefined) map.key = key;
  return map;
}
