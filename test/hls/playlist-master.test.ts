import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  audioLadder,
  isMasterPlaylist,
  parseMasterPlaylist,
  parsePlaylist,
} from '../../src/hls/playlist/index.js';
import { BASE, bytesAt, hlsFixture, hlsManifest, m3u8, playlistText } from './playlist-helpers.js';

test('the multi-variant fixture: three audio-only variants with measured bandwidths, all playable', () => {
  const facts = hlsFixture('multi');
  const { text, url } = playlistText(facts.playlist);
  const master = parseMasterPlaylist(text, url);
  assert.equal(master.kind, 'master');
  assert.equal(master.variants.length, facts.variants!.length);
  for (const [i, v] of master.variants.entries()) {
    const f = facts.variants![i]!;
    assert.equal(v.index, i);
    assert.equal(v.uri, BASE + f.playlist);
    assert.equal(v.bandwidth, f.bandwidth);
    assert.equal(v.averageBandwidth, f.averageBandwidth);
    assert.equal(v.codecs, f.codecs);
    assert.equal(v.name, `${Math.round(f.bandwidth / 1000)} kbps`);
    assert.ok(bytesAt(v.uri).length > 0, 'the variant playlist exists');
  }
  // The variants differ in rate and channels, as the ladder must for format-change tests.
  assert.equal(new Set(facts.variants!.map((v) => `${v.sampleRate}/${v.channels}`)).size, 3);
  const ladder = audioLadder(master);
  assert.deepEqual(ladder.map((e) => [e.index, e.uri, e.bandwidth, e.codecs, e.source]),
    master.variants.map((v) => [v.index, v.uri, v.bandwidth, 'mp4a.40.2', { kind: 'variant', variantIndex: v.index }]));
});

test('isMasterPlaylist and parsePlaylist tell every fixture playlist apart', () => {
  let masters = 0;
  let media = 0;
  for (const f of hlsManifest) {
    if (f.kind === 'broken') continue;
    const paths = [f.playlist, ...(f.alsoPlaylist ? [f.alsoPlaylist] : []), ...(f.variants ?? []).map((v) => v.playlist)];
    for (const path of paths) {
      const { text, url } = playlistText(path);
      const expected = path.endsWith('master.m3u8') ? 'master' : 'media';
      assert.equal(isMasterPlaylist(text), expected === 'master', path);
      assert.equal(parsePlaylist(text, url).kind, expected, path);
      if (expected === 'master') masters++;
      else media++;
    }
  }
  assert.equal(masters, 2); // multi/ and multi-codec/
  assert.ok(media >= 12);
});

test('isMasterPlaylist does not mistake EXT-X-MEDIA-SEQUENCE for EXT-X-MEDIA', () => {
  assert.equal(isMasterPlaylist(m3u8('#EXTM3U', '#EXT-X-MEDIA-SEQUENCE:3', '#EXTINF:2,', 'a.ts')), false);
  assert.equal(isMasterPlaylist(m3u8('#EXTM3U', '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="x"')), true);
});

/** A video master with separate audio: two groups, two languages in one of them. */
const AV_MASTER = m3u8(
  '#EXTM3U',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac-lo",NAME="English",LANGUAGE="en",DEFAULT=YES,CHANNELS="2",URI="audio/lo/en.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac-lo",NAME="Deutsch",LANGUAGE="de",AUTOSELECT=YES,CHANNELS="2",URI="audio/lo/de.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ec3",NAME="English 5.1",LANGUAGE="en",AUTOSELECT=YES,CHANNELS="6/JOC",URI="https://cdn2.test/ec3/en.m3u8"',
  '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",URI="subs/en.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1800000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aac-lo",SUBTITLES="subs"',
  'video/720.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,AUDIO="aac-lo"',
  'video/360.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.4d401f,ec-3",RESOLUTION=1280x720,AUDIO="ec3"',
  'video/720-ec3.m3u8',
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="video/iframes.m3u8"',
);

test('EXT-X-MEDIA audio renditions: attributes, absolute URIs; other types are skipped', () => {
  const master = parseMasterPlaylist(AV_MASTER, 'https://a.test/show/master.m3u8');
  assert.deepEqual(master.audioRenditions, [
    { groupId: 'aac-lo', name: 'English', language: 'en', default: true, autoselect: true, channels: 2, uri: 'https://a.test/show/audio/lo/en.m3u8' },
    { groupId: 'aac-lo', name: 'Deutsch', language: 'de', default: false, autoselect: true, channels: 2, uri: 'https://a.test/show/audio/lo/de.m3u8' },
    { groupId: 'ec3', name: 'English 5.1', language: 'en', default: false, autoselect: true, channels: 6, uri: 'https://cdn2.test/ec3/en.m3u8' },
  ]);
  assert.equal(master.variants.length, 3);
  const v0 = master.variants[0]!;
  assert.equal(v0.uri, 'https://a.test/show/video/720.m3u8');
  assert.deepEqual(v0.resolution, { width: 1280, height: 720 });
  assert.equal(v0.audioGroup, 'aac-lo');
  assert.equal(v0.averageBandwidth, 1800000);
  assert.equal(v0.codecs, 'avc1.4d401f,mp4a.40.2');
});

test('audio ladder for video variants with audio groups: one entry per group, its default rendition', () => {
  const ladder = audioLadder(parseMasterPlaylist(AV_MASTER, 'https://a.test/show/master.m3u8'));
  assert.deepEqual(ladder, [
    {
      index: 0, uri: 'https://a.test/show/audio/lo/en.m3u8', bandwidth: 800000, name: 'English', codecs: 'mp4a.40.2',
      channels: 2, source: { kind: 'rendition', groupId: 'aac-lo', name: 'English' },
    },
    {
      index: 1, uri: 'https://cdn2.test/ec3/en.m3u8', bandwidth: 2500000, name: 'English 5.1', codecs: 'ec-3',
      channels: 6, source: { kind: 'rendition', groupId: 'ec3', name: 'English 5.1' },
    },
  ]);
});

test('audio ladder prefers audio-only variants over video variants', () => {
  const master = parseMasterPlaylist(
    m3u8(
      '#EXTM3U',
      '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360',
      'v360.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.5"',
      'a64.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=128000',
      'a128.m3u8',
    ),
    'https://a.test/m.m3u8',
  );
  const ladder = audioLadder(master);
  assert.deepEqual(ladder.map((e) => [e.index, e.uri, e.source]), [
    [0, 'https://a.test/a64.m3u8', { kind: 'variant', variantIndex: 1 }],
    [1, 'https://a.test/a128.m3u8', { kind: 'variant', variantIndex: 2 }],
  ]);
  assert.equal(ladder[1]!.codecs, undefined, 'no CODECS, no guess');
});

test('audio ladder for muxed audio+video variants keeps every variant with its audio codecs', () => {
  const master = parseMasterPlaylist(
    m3u8(
      '#EXTM3U',
      '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360',
      'v360.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720',
      'v720.m3u8',
    ),
    'https://a.test/m.m3u8',
  );
  assert.deepEqual(audioLadder(master).map((e) => [e.uri, e.bandwidth, e.codecs]), [
    ['https://a.test/v360.m3u8', 900000, 'mp4a.40.2'],
    ['https://a.test/v720.m3u8', 2000000, 'mp4a.40.2'],
  ]);
});

test('audio groups whose renditions have no URI (muxed audio) leave the variants playable', () => {
  const master = parseMasterPlaylist(
    m3u8(
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="Main",DEFAULT=YES',
      '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="a"',
      'v.m3u8',
    ),
    'https://a.test/m.m3u8',
  );
  assert.equal(master.audioRenditions[0]!.uri, undefined);
  assert.deepEqual(audioLadder(master).map((e) => e.uri), ['https://a.test/v.m3u8']);
});
