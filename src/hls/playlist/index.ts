/**
 * HLS playlist parsing: master and media playlists to plain objects with absolute URIs.
 * Tokenizing uses the m3u8-parser package; validation, line numbers and the shapes are ours.
 */

import { parseMasterPlaylist } from './master-playlist.js';
import { parseMediaPlaylist } from './media-playlist.js';
import type { Playlist } from './types.js';

export { audioLadder } from './audio-ladder.js';
export { parseMasterPlaylist } from './master-playlist.js';
export { parseMediaPlaylist, segmentIv } from './media-playlist.js';
export { PlaylistError } from './playlist-lines.js';
export type * from './types.js';

/** Tags that make a playlist a master playlist (RFC 8216 §4.3.4). */
const MASTER_TAG = /^#EXT-X-(?:STREAM-INF|I-FRAME-STREAM-INF|MEDIA|SESSION-DATA|SESSION-KEY):/m;

/**
 * `true` when `text` is a master (multivariant) playlist: it has a master-only tag such as
 * EXT-X-STREAM-INF. Says nothing about whether the text is a valid playlist.
 */
export function isMasterPlaylist(text: string): boolean {
  return MASTER_TAG.test(text.replace(/^[ \t]+/gm, ''));
}

/**
 * Parses either kind of playlist; `kind` tells which it was.
 * @throws {PlaylistError} (`code` 'parse') as {@link parseMasterPlaylist} and
 *   {@link parseMediaPlaylist} do.
 */
export function parsePlaylist(text: string, url: string): Playlist {
  return isMasterPlaylist(text) ? parseMasterPlaylist(text, url) : parseMediaPlaylist(text, url);
}
