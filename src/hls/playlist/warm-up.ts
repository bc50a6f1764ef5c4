/**
 * Runs the playlist parsers once over two small built-in playlists, so that the first real
 * playlist of a worker does not pay for compiling them: measured on the start-up timeline
 * (`Kithara.debug`), a fresh worker takes 2–3 ms for its first master and media playlist and
 * a tenth of that afterwards, and both lie on the path to the first segment request. The
 * engine loads the HLS code while the first playlist is still downloading, so this runs then.
 */
import { audioLadder } from './audio-ladder.js';
import { parsePlaylist } from './index.js';

const BASE = 'https://warm-up.invalid/';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="main",DEFAULT=YES,URI="a/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=131817,AVERAGE-BANDWIDTH=130123,CODECS="mp4a.40.2",AUDIO="a"
b/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=67781,CODECS="mp4a.40.2"
c/index.m3u8
`;

const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x000102030405060708090a0b0c0d0e0f
#EXTINF:4.017052,
seg0.m4s
#EXT-X-KEY:METHOD=NONE
#EXT-X-BYTERANGE:1000@0
#EXTINF:3.993832,
seg1.m4s
#EXT-X-DISCONTINUITY
#EXTINF:3.993832,
seg2.m4s
#EXT-X-ENDLIST
`;

/** Parses the built-in playlists once (returns when done; never throws). */
export function warmUpPlaylistParsers(): void {
  try {
    const master = parsePlaylist(MASTER, `${BASE}master.m3u8`);
    if (master.kind === 'master') audioLadder(master);
    parsePlaylist(MEDIA, `${BASE}b/index.m3u8`);
  } catch {
    // Only an optimization: the real playlists report their own errors.
  }
}
