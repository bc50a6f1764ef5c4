/**
 * Master (multivariant) playlist parsing: EXT-X-STREAM-INF variants and EXT-X-MEDIA TYPE=AUDIO
 * renditions. Other rendition types (VIDEO, SUBTITLES, CLOSED-CAPTIONS) and I-frame playlists
 * are skipped: the SDK plays audio.
 */

import {
  PlaylistError,
  parseInteger,
  quote,
  rawAttribute,
  readLines,
  resolveUri,
  stringAttribute,
  tagName,
} from './playlist-lines.js';
import type { AudioRendition, HlsVariant, MasterPlaylist } from './types.js';

/** Tags that only a media playlist may contain. */
const MEDIA_TAGS = new Set(['inf', 'byterange', 'targetduration', 'media-sequence', 'endlist', 'key', 'map']);

/**
 * Parses a master playlist. `url` is the URL it was loaded from (after redirects): variant and
 * rendition URIs resolve against it.
 *
 * @throws {PlaylistError} (`code` 'parse') for a text that is not an M3U8 playlist, mixes in
 *   media-playlist tags, or has a malformed line: an EXT-X-STREAM-INF without BANDWIDTH or
 *   without a URI line after it, an EXT-X-MEDIA without TYPE, GROUP-ID or NAME, or an AUDIO
 *   group that no EXT-X-MEDIA declares.
 */
export function parseMasterPlaylist(text: string, url: string): MasterPlaylist {
  const variants: HlsVariant[] = [];
  const audioRenditions: AudioRendition[] = [];
  const groups = new Set<string>();
  let open: Omit<HlsVariant, 'uri'> | undefined;

  for (const l of readLines(text, url)) {
    const { entry, line } = l;
    if (entry.type === 'uri') {
      if (open === undefined) throw new PlaylistError(line, `URI ${quote(l.text)} does not follow an EXT-X-STREAM-INF`, url);
      variants.push({ ...open, uri: resolveUri(l.text, url, line) });
      open = undefined;
      continue;
    }
    if (entry.type !== 'tag' || entry.tagType === undefined) continue;
    if (entry.tagType === 'stream-inf') {
      if (open !== undefined) throw new PlaylistError(open.line, 'EXT-X-STREAM-INF is not followed by a URI', url);
      open = parseStreamInf(l.text, variants.length, line, url);
    } else if (entry.tagType === 'media') {
      const type = rawAttribute(l.text, 'TYPE');
      const groupId = stringAttribute(entry, 'GROUP-ID');
      const name = stringAttribute(entry, 'NAME');
      if (type === undefined || groupId === undefined || name === undefined) {
        throw new PlaylistError(line, 'EXT-X-MEDIA needs TYPE, GROUP-ID and NAME', url);
      }
      if (type === 'AUDIO') {
        groups.add(groupId);
        audioRenditions.push(parseAudioRendition(entry.attributes ?? {}, groupId, name, line, url));
      }
    } else if (MEDIA_TAGS.has(entry.tagType)) {
      throw new PlaylistError(line, `${tagName(l.text)} belongs in a media playlist, not in a master playlist`, url);
    }
  }
  if (open !== undefined) throw new PlaylistError(open.line, 'EXT-X-STREAM-INF is not followed by a URI', url);
  for (const v of variants) {
    if (v.audioGroup !== undefined && !groups.has(v.audioGroup)) {
      throw new PlaylistError(v.line, `AUDIO group ${quote(v.audioGroup)} is not declared by any EXT-X-MEDIA TYPE=AUDIO`, url);
    }
  }
  return { kind: 'master', url, variants, audioRenditions };
}

function parseStreamInf(text: string, index: number, line: number, url: string): Omit<HlsVariant, 'uri'> {
  const bandwidth = rawAttribute(text, 'BANDWIDTH');
  if (bandwidth === undefined) throw new PlaylistError(line, 'EXT-X-STREAM-INF has no BANDWIDTH', url);
  const variant: Omit<HlsVariant, 'uri'> = {
    index,
    bandwidth: parseInteger(bandwidth, 'BANDWIDTH', line, url),
    name: '',
    line,
  };
  variant.name = `${Math.round(variant.bandwidth / 1000)} kbps`;
  const average = rawAttribute(text, 'AVERAGE-BANDWIDTH');
  if (average !== undefined) variant.averageBandwidth = parseInteger(average, 'AVERAGE-BANDWIDTH', line, url);
  const codecs = rawAttribute(text, 'CODECS');
  if (codecs !== undefined && codecs !== '') variant.codecs = codecs;
  const audio = rawAttribute(text, 'AUDIO');
  if (audio !== undefined && audio !== '') variant.audioGroup = audio;
  const resolution = rawAttribute(text, 'RESOLUTION');
  const m = resolution === undefined ? null : /^(\d+)x(\d+)$/.exec(resolution);
  if (m !== null) variant.resolution = { width: Number(m[1]), height: Number(m[2]) };
  return variant;
}

function parseAudioRendition(
  attrs: Record<string, unknown>,
  groupId: string,
  name: string,
  line: number,
  url: string,
): AudioRendition {
  const yes = (k: string): boolean => attrs[k] === 'YES';
  const rendition: AudioRendition = { groupId, name, default: yes('DEFAULT'), autoselect: yes('DEFAULT') || yes('AUTOSELECT') };
  const str = (k: string): string | undefined => (typeof attrs[k] === 'string' && attrs[k] !== '' ? (attrs[k] as string) : undefined);
  const language = str('LANGUAGE');
  if (language !== undefined) rendition.language = language;
  const uri = str('URI');
  if (uri !== undefined) rendition.uri = resolveUri(uri, url, line);
  const channels = Number.parseInt(str('CHANNELS') ?? '', 10);
  if (Number.isFinite(channels) && channels > 0) rendition.channels = channels;
  return rendition;
}
