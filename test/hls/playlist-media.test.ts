import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { parseMediaPlaylist, segmentIv, type MediaPlaylist } from '../../src/hls/playlist/index.js';
import { BASE, bytesAt, hlsFixture, m3u8, playlistText } from './playlist-helpers.js';

function parseFixture(path: string): MediaPlaylist {
  const { text, url } = playlistText(path);
  return parseMediaPlaylist(text, url);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('ffmpeg fMP4 playlist: absolute URIs, init segment, durations and start times match the files', () => {
  const facts = hlsFixture('fmp4');
  const p = parseFixture('fmp4/index.m3u8');
  assert.equal(p.kind, 'media');
  assert.equal(p.endList, true);
  assert.equal(p.playlistType, 'VOD');
  assert.equal(p.targetDuration, 2);
  assert.deepEqual(p.segments.map((s) => s.duration), facts.segmentDurations);
  let t = 0;
  for (const [i, s] of p.segments.entries()) {
    assert.equal(s.uri, `${BASE}fmp4/seg${i}.m4s`);
    assert.equal(s.sequence, i);
    assert.equal(s.startTime, t);
    assert.equal(s.map?.uri, `${BASE}fmp4/init.mp4`);
    assert.equal(s.key, undefined);
    const seg = bytesAt(s.uri);
    assert.equal(Buffer.from(seg.subarray(4, 8)).toString('latin1'), 'styp', 'a media segment');
    t += s.duration;
  }
  assert.equal(p.totalDuration, t);
  assert.ok(Math.abs(p.totalDuration - facts.duration) < 1e-9);
  const init = bytesAt(p.segments[0]!.map!.uri);
  assert.equal(Buffer.from(init.subarray(4, 8)).toString('latin1'), 'ftyp');
});

test('explicit and omitted byte-range offsets give the same ranges, which tile the single file', () => {
  const facts = hlsFixture('byterange');
  const explicit = parseFixture('byterange/index.m3u8');
  const implicit = parseFixture(facts.alsoPlaylist!);
  const strip = (p: MediaPlaylist) => p.segments.map(({ line: _line, ...s }) => s);
  assert.deepEqual(strip(implicit), strip(explicit));

  const file = bytesAt(`${BASE}byterange/${facts.singleFile}`);
  const map = explicit.segments[0]!.map!;
  assert.deepEqual(map.byteRange, { offset: 0, length: 765 });
  let end = map.byteRange!.offset + map.byteRange!.length;
  for (const s of implicit.segments) {
    assert.equal(s.uri, `${BASE}byterange/index.m4s`);
    assert.equal(s.byteRange!.offset, end, 'ranges are contiguous');
    const box = Buffer.from(file.subarray(s.byteRange!.offset + 4, s.byteRange!.offset + 8)).toString('latin1');
    assert.ok(['styp', 'sidx', 'moof'].includes(box), `range starts at a segment box, got ${box}`);
    end += s.byteRange!.length;
  }
  assert.equal(end, file.length);
});

function decrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  const d = createDecipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([d.update(data), d.final()]);
}

test('AES-128 without IV: the IV is the media sequence number, and it decrypts the segments', () => {
  const facts = hlsFixture('aes-ts-seq');
  const p = parseFixture('aes-ts-seq/index.m3u8');
  const clear = parseFixture(`${facts.decryptsTo}/index.m3u8`);
  assert.equal(p.mediaSequence, 5);
  const keyBytes = bytesAt(p.segments[0]!.key!.uri!);
  assert.equal(hex(keyBytes), facts.keyHex);
  for (const [i, s] of p.segments.entries()) {
    assert.equal(s.sequence, 5 + i);
    assert.equal(s.key?.method, 'AES-128');
    assert.equal(s.key?.iv, undefined);
    const iv = segmentIv(s.key!, s.sequence);
    assert.equal(hex(iv), (5 + i).toString(16).padStart(32, '0'));
    assert.deepEqual(new Uint8Array(decrypt(bytesAt(s.uri), keyBytes, iv)), bytesAt(clear.segments[i]!.uri));
  }
  // The segment index is not the sequence number. A wrong IV garbles only the bytes of the first
  // block where the IVs differ (here byte 15), so compare whole segments, not sync bytes.
  const wrong = decrypt(bytesAt(p.segments[1]!.uri), keyBytes, segmentIv(p.segments[1]!.key!, 1));
  const right = bytesAt(clear.segments[1]!.uri);
  assert.equal(wrong[0], 0x47);
  assert.notEqual(wrong[15], right[15]);
  assert.deepEqual(new Uint8Array(wrong.subarray(16)), right.subarray(16));
});

test('AES-128 with an explicit IV over TS and over fMP4 (init segment in the clear)', () => {
  for (const name of ['aes-ts-iv', 'aes-fmp4']) {
    const facts = hlsFixture(name);
    const p = parseFixture(`${name}/index.m3u8`);
    const clear = parseFixture(`${facts.decryptsTo}/index.m3u8`);
    for (const [i, s] of p.segments.entries()) {
      assert.equal(hex(s.key!.iv!), facts.ivHex);
      assert.equal(segmentIv(s.key!, s.sequence), s.key!.iv);
      const plain = decrypt(bytesAt(s.uri), bytesAt(s.key!.uri!), s.key!.iv!);
      assert.deepEqual(new Uint8Array(plain), bytesAt(clear.segments[i]!.uri));
      if (s.map) assert.equal(s.map.key, undefined, `${name}: EXT-X-MAP comes before EXT-X-KEY`);
    }
  }
});

/** The 33-bit PTS of the ID3 PRIV transportStreamTimestamp at the start of a packed segment. */
function id3Pts(seg: Uint8Array): number {
  const text = Buffer.from(seg.subarray(0, 128)).toString('latin1');
  const owner = 'com.apple.streaming.transportStreamTimestamp\0';
  const at = text.indexOf(owner);
  assert.ok(seg[0] === 0x49 && at > 0, 'segment starts with an ID3 tag holding the timestamp');
  return Number(Buffer.from(seg.subarray(at + owner.length, at + owner.length + 8)).readBigUInt64BE() & ((1n << 33n) - 1n));
}

test('packed audio: the ID3 timestamps of the segments agree with the EXTINF start times', () => {
  for (const name of ['packed-aac', 'packed-mp3']) {
    const facts = hlsFixture(name);
    const p = parseFixture(`${name}/index.m3u8`);
    assert.equal(p.segments.length, facts.segmentCount);
    for (const s of p.segments) {
      const pts = id3Pts(bytesAt(s.uri));
      assert.ok(Math.abs((pts - facts.firstPts90k) / 90000 - s.startTime) < 2e-5, `${s.uri} at ${pts}`);
    }
  }
});

test('relative, parent-relative, root-relative and absolute URIs resolve against the playlist URL', () => {
  const url = 'https://a.test/x/y/list.m3u8?token=1';
  const p = parseMediaPlaylist(
    m3u8(
      '#EXTM3U', '#EXT-X-TARGETDURATION:4',
      '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.bin"',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:4,', 'seg0.m4s',
      '#EXTINF:4,', '../../up/seg1.m4s?x=2',
      '#EXTINF:4,', '/root/seg2.m4s',
      '#EXTINF:4,', 'https://other.test/abs/seg3.m4s',
      '#EXTINF:4,', '//proto.test/rel/seg4.m4s',
      '#EXT-X-ENDLIST',
    ),
    url,
  );
  assert.deepEqual(p.segments.map((s) => s.uri), [
    'https://a.test/x/y/seg0.m4s',
    'https://a.test/up/seg1.m4s?x=2',
    'https://a.test/root/seg2.m4s',
    'https://other.test/abs/seg3.m4s',
    'https://proto.test/rel/seg4.m4s',
  ]);
  assert.equal(p.segments[0]!.key!.uri, 'https://a.test/x/keys/k1.bin');
  assert.equal(p.segments[0]!.map!.uri, 'https://a.test/x/y/init.mp4');
  assert.equal(p.segments[0]!.map!.key!.uri, 'https://a.test/x/keys/k1.bin', 'a KEY before the MAP applies to it');
});

test('byte ranges chain per resource and restart with an explicit offset', () => {
  const p = parseMediaPlaylist(
    m3u8(
      '#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-VERSION:4',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:100@50', 'a.ts',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:200', 'a.ts',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:300', 'a.ts',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:10@0', 'b.ts',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:20', 'b.ts',
      '#EXTINF:2,', 'c.ts',
    ),
    'http://h/p.m3u8',
  );
  assert.deepEqual(p.segments.map((s) => s.byteRange), [
    { offset: 50, length: 100 },
    { offset: 150, length: 200 },
    { offset: 350, length: 300 },
    { offset: 0, length: 10 },
    { offset: 10, length: 20 },
    undefined,
  ]);
});

test('keys: METHOD=NONE clears, a later KEY replaces, IVs are 16 bytes, KEYFORMAT is kept', () => {
  const p = parseMediaPlaylist(
    m3u8(
      '#EXTM3U', '#EXT-X-TARGETDURATION:2',
      '#EXTINF:2,', 's0.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="k1",IV=0X00000000000000000000000000000aBc',
      '#EXTINF:2,', 's1.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="k2",IV=0x1',
      '#EXTINF:2,', 's2.ts',
      '#EXT-X-KEY:METHOD=NONE',
      '#EXTINF:2,', 's3.ts',
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"',
      '#EXTINF:2,', 's4.ts',
    ),
    'http://h/p.m3u8',
  );
  const [s0, s1, s2, s3, s4] = p.segments;
  assert.equal(s0!.key, undefined);
  assert.deepEqual(s1!.key, { method: 'AES-128', uri: 'http://h/k1', iv: Uint8Array.from([...new Array(14).fill(0), 0x0a, 0xbc]) });
  assert.equal(hex(s2!.key!.iv!), '00000000000000000000000000000001');
  assert.equal(s3!.key, undefined);
  assert.equal(s4!.key!.method, 'SAMPLE-AES');
  assert.equal(s4!.key!.keyFormat, 'com.apple.streamingkeydelivery');
  assert.equal(p.endList, false, 'no EXT-X-ENDLIST: live');
});

test('segmentIv writes large sequence numbers big-endian', () => {
  const iv = segmentIv({ method: 'AES-128', uri: 'http://h/k' }, 2 ** 40 + 0x0102);
  assert.equal(hex(iv), '00000000000000000000010000000102');
});

test('discontinuities: flags and the discontinuity sequence counted from EXT-X-DISCONTINUITY-SEQUENCE', () => {
  const p = parseMediaPlaylist(
    m3u8(
      '#EXTM3U', '#EXT-X-TARGETDURATION:3', '#EXT-X-MEDIA-SEQUENCE:10', '#EXT-X-DISCONTINUITY-SEQUENCE:3',
      '#EXT-X-PLAYLIST-TYPE:EVENT',
      '#EXTINF:3,', 'a.ts',
      '#EXT-X-DISCONTINUITY', '#EXTINF:2.5,', 'b.ts',
      '#EXTINF:3,', 'c.ts',
      '#EXT-X-DISCONTINUITY', '#EXTINF:1,', 'd.ts',
    ),
    'http://h/p.m3u8',
  );
  assert.deepEqual(p.segments.map((s) => [s.sequence, s.discontinuity, s.discontinuitySequence, s.startTime]), [
    [10, false, 3, 0],
    [11, true, 4, 3],
    [12, false, 4, 5.5],
    [13, true, 5, 8.5],
  ]);
  assert.equal(p.playlistType, 'EVENT');
  assert.equal(p.endList, false);
  assert.equal(p.totalDuration, 9.5);
});

test('CRLF line endings, a BOM, blank lines, comments and missing EXTINF commas parse like plain LF', () => {
  const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2.0,title', 'a.ts', '#EXTINF:1.5', 'b.ts', '#EXT-X-ENDLIST'];
  const plain = parseMediaPlaylist(m3u8(...lines), 'http://h/p.m3u8');
  const messy = parseMediaPlaylist(
    `\uFEFF${['#EXTM3U', '', '# a comment', ...lines.slice(1)].join('\r\n')}\r\n`,
    'http://h/p.m3u8',
  );
  const strip = (p: MediaPlaylist) => p.segments.map(({ line: _line, ...s }) => s);
  assert.deepEqual(strip(messy), strip(plain));
  assert.deepEqual(plain.segments.map((s) => s.duration), [2, 1.5]);
  assert.equal(messy.segments[0]!.line, 6);
});

test('a missing EXT-X-TARGETDURATION falls back to the longest segment rounded up', () => {
  const p = parseMediaPlaylist(m3u8('#EXTM3U', '#EXTINF:2.2,', 'a.ts', '#EXTINF:6.01,', 'b.ts'), 'http://h/p.m3u8');
  assert.equal(p.targetDuration, 7);
});
