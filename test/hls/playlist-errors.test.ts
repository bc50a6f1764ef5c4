import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KitharaError } from '../../src/platform/errors.js';
import {
  PlaylistError,
  parseMasterPlaylist,
  parseMediaPlaylist,
  parsePlaylist,
} from '../../src/hls/playlist/index.js';
import { hlsFixture, m3u8, playlistText } from './playlist-helpers.js';

const URL_ = 'https://h.test/list.m3u8';

/** Asserts that `run` throws a `parse` PlaylistError at `line` for `URL_`. */
function throwsAt(run: () => unknown, line: number, url = URL_): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof KitharaError, `a KitharaError, got ${String(err)}`);
    assert.ok(err instanceof PlaylistError);
    assert.equal(err.code, 'parse');
    assert.equal(err.line, line, err.message);
    assert.equal(err.url, url);
    assert.ok(err.message.startsWith(`Malformed playlist at line ${line}: `), err.message);
    return true;
  });
}

const HEAD = ['#EXTM3U', '#EXT-X-TARGETDURATION:4']; // lines 1, 2

/** Media playlists with one bad line each, and that line's number. */
const MEDIA_CASES: [name: string, lines: string[], line: number][] = [
  ['EXTINF without a duration', [...HEAD, '#EXTINF:4,', 'a.ts', '#EXTINF:,', 'b.ts'], 5],
  ['EXTINF with a non-numeric duration', [...HEAD, '#EXTINF:four,', 'a.ts'], 3],
  ['EXTINF with a negative duration', [...HEAD, '#EXTINF:-4,', 'a.ts'], 3],
  ['EXTINF with a duration followed by junk', [...HEAD, '#EXTINF:4s,', 'a.ts'], 3],
  ['EXTINF at the end without a segment URI', [...HEAD, '#EXTINF:4,', 'a.ts', '#EXTINF:4,'], 5],
  ['EXTINF followed by another EXTINF', [...HEAD, '#EXTINF:4,', '#EXTINF:4,', 'a.ts'], 3],
  ['segment URI without EXTINF', [...HEAD, '#EXTINF:4,', 'a.ts', 'b.ts'], 5],
  ['EXT-X-BYTERANGE that is not a number', [...HEAD, '#EXTINF:4,', '#EXT-X-BYTERANGE:lots', 'a.ts'], 4],
  ['EXT-X-BYTERANGE with a bad offset', [...HEAD, '#EXTINF:4,', '#EXT-X-BYTERANGE:10@x', 'a.ts'], 4],
  ['EXT-X-BYTERANGE without an offset on the first segment', [...HEAD, '#EXTINF:4,', '#EXT-X-BYTERANGE:10', 'a.ts'], 4],
  ['EXT-X-BYTERANGE without an offset after another resource',
    [...HEAD, '#EXTINF:4,', '#EXT-X-BYTERANGE:10@0', 'a.ts', '#EXTINF:4,', '#EXT-X-BYTERANGE:10', 'b.ts'], 7],
  ['EXT-X-KEY AES-128 without URI', [...HEAD, '#EXT-X-KEY:METHOD=AES-128,IV=0x00000000000000000000000000000001', '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-KEY with an unknown METHOD', [...HEAD, '#EXTINF:4,', 'a.ts', '#EXT-X-KEY:METHOD=ROT13,URI="k"', '#EXTINF:4,', 'b.ts'], 5],
  ['EXT-X-KEY without METHOD', [...HEAD, '#EXT-X-KEY:URI="k"', '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-KEY with a non-hex IV', [...HEAD, '#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0xZZ', '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-KEY with a 17-byte IV', [...HEAD, `#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x${'ab'.repeat(17)}`, '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-KEY with an IV without 0x', [...HEAD, `#EXT-X-KEY:METHOD=AES-128,URI="k",IV=${'ab'.repeat(16)}`, '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-MAP without URI', [...HEAD, '#EXT-X-MAP:BYTERANGE="10@0"', '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-MAP with a bad BYTERANGE', [...HEAD, '#EXT-X-MAP:URI="i.mp4",BYTERANGE="ten"', '#EXTINF:4,', 'a.ts'], 3],
  ['EXT-X-TARGETDURATION that is not an integer', ['#EXTM3U', '#EXT-X-TARGETDURATION:4.5', '#EXTINF:4,', 'a.ts'], 2],
  ['EXT-X-MEDIA-SEQUENCE that is not an integer', [...HEAD, '#EXT-X-MEDIA-SEQUENCE:one', '#EXTINF:4,', 'a.ts'], 3],
  ['unknown EXT-X-PLAYLIST-TYPE', [...HEAD, '#EXT-X-PLAYLIST-TYPE:LIVE', '#EXTINF:4,', 'a.ts'], 3],
  ['a master tag in a media playlist', [...HEAD, '#EXTINF:4,', 'a.ts', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'v.m3u8'], 5],
];

for (const [name, lines, line] of MEDIA_CASES) {
  test(`media playlist: ${name} is a parse error at line ${line}`, () => {
    throwsAt(() => parseMediaPlaylist(m3u8(...lines), URL_), line);
  });
}

/** Master playlists with one bad line each. */
const MASTER_CASES: [name: string, lines: string[], line: number][] = [
  ['EXT-X-STREAM-INF without BANDWIDTH', ['#EXTM3U', '#EXT-X-STREAM-INF:CODECS="mp4a.40.2"', 'a.m3u8'], 2],
  ['EXT-X-STREAM-INF with a non-integer BANDWIDTH', ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=12k', 'a.m3u8'], 2],
  ['EXT-X-STREAM-INF with a bad AVERAGE-BANDWIDTH', ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=-1', 'a.m3u8'], 2],
  ['EXT-X-STREAM-INF at the end without a URI', ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8', '#EXT-X-STREAM-INF:BANDWIDTH=2'], 4],
  ['two EXT-X-STREAM-INF in a row', ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', '#EXT-X-STREAM-INF:BANDWIDTH=2', 'a.m3u8'], 2],
  ['an undeclared AUDIO group', ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="aac"', 'a.m3u8'], 2],
  ['EXT-X-MEDIA without NAME', ['#EXTM3U', '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",URI="x.m3u8"', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8'], 2],
  ['a media tag in a master playlist', ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8', '#EXTINF:4,', 'b.ts'], 4],
];

for (const [name, lines, line] of MASTER_CASES) {
  test(`master playlist: ${name} is a parse error at line ${line}`, () => {
    throwsAt(() => parseMasterPlaylist(m3u8(...lines), URL_), line);
  });
}

test('text that does not start with #EXTM3U is "not an HLS playlist" at line 1, for either parser', () => {
  for (const text of ['', '<html><body>404</body></html>', '\n#EXTM3U\n', 'EXTM3U\n#EXTINF:1,\na.ts\n']) {
    for (const parse of [parseMediaPlaylist, parseMasterPlaylist, parsePlaylist]) {
      throwsAt(() => parse(text, URL_), 1);
      assert.throws(() => parse(text, URL_), /not an HLS playlist: first line is/);
    }
  }
});

test('a URI that cannot be resolved is a parse error at its line', () => {
  throwsAt(() => parseMediaPlaylist(m3u8(...HEAD, '#EXTINF:4,', 'http://[bad/a.ts'), URL_), 4);
});

test('the broken fixtures fail to parse where the manifest says', () => {
  const broken = hlsFixture('broken');
  let parsed = 0;
  for (const { file, expect } of broken.playlists!) {
    const { text, url } = playlistText(`broken/${file}`);
    if (expect.code === 'parse') {
      throwsAt(() => parsePlaylist(text, url), expect.line!, url);
      parsed++;
    } else {
      // Key errors show only when the key is fetched or used: the playlist itself is fine.
      const p = parsePlaylist(text, url);
      assert.equal(p.kind, 'media');
      assert.ok(p.kind === 'media' && p.segments.every((s) => s.key?.method === 'AES-128'));
    }
  }
  assert.equal(parsed, 4);
});
