import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, openDemuxer } from '../../src/demux/detect.js';
import { formats as registry } from '../../src/demux/registry.js';
import { adtsFormat } from '../../src/demux/adts/index.js';
import { flacFormat } from '../../src/demux/flac/index.js';
import { mp3Format } from '../../src/demux/mp3/index.js';
import { wavFormat } from '../../src/demux/wav/index.js';
import type { DemuxerFormat } from '../../src/demux/types.js';
import { concat, fixture, id3Tag, manifest, memoryReader, noise, rejectsWith, trickleReader } from './fixture-io.js';

const MINE: DemuxerFormat[] = [flacFormat, wavFormat, adtsFormat, mp3Format];
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

for (const entry of manifest.filter((m) => ['mp3', 'adts', 'wav', 'flac'].includes(m.container))) {
  test(`${entry.file} is detected by content alone and opens`, async () => {
    const d = await openDemuxer(trickleReader(fixture(entry.file), 8192), {}, MINE);
    assert.equal(d.track.container, entry.container);
    assert.equal(d.track.sampleRate, entry.sampleRate);
    assert.ok(await d.next(), 'a first packet');
  });
}

test('the default registry picks the manifest container for every fixture', () => {
  for (const entry of manifest) {
    const found = detectFormat(fixture(entry.file).subarray(0, 65536), {}, registry);
    assert.equal(found?.format.container, entry.container, entry.file);
  }
});

test('a misleading URL extension does not beat content', async () => {
  const d = await openDemuxer(memoryReader(fixture('chirp.flac')), { url: 'https://cdn/x/song.mp3', mimeType: 'audio/mpeg' }, MINE);
  assert.equal(d.track.container, 'flac');
});

test('hints break ties: an ID3v2 tag larger than the probe window', () => {
  const head = concat(id3Tag(70000), fixture('chirp.aac')).subarray(0, 65536);
  assert.equal(detectFormat(head, {}, MINE)?.format.container, 'mp3');
  assert.equal(detectFormat(head, { url: '/a/b.aac' }, MINE)?.format.container, 'adts');
  assert.equal(detectFormat(head, { mimeType: 'audio/flac; x=y' }, MINE)?.format.container, 'flac');
});

test('tags larger than the probe window are looked past: FLAC and ADTS behind 100 KB of ID3v2', async () => {
  const flac = await openDemuxer(memoryReader(concat(id3Tag(100000), fixture('chirp.flac'))), {}, MINE);
  assert.equal(flac.track.container, 'flac');
  const adts = await openDemuxer(trickleReader(concat(id3Tag(100000), fixture('chirp.aac')), 9000), {}, MINE);
  assert.equal(adts.track.container, 'adts');
  assert.equal((await adts.next())?.frame, 0);
});

test('an HTML page is rejected with parse, saying what it is', async () => {
  const err = await rejectsWith(openDemuxer(memoryReader(text('\n  <!DOCTYPE html><html><body>404</body></html>')), { url: 'https://x/a.mp3' }, MINE), 'parse');
  assert.match(err.message, /HTML page/);
  assert.match(err.message, /<!DOCTYPE html/);
  assert.equal(err.url, 'https://x/a.mp3');
});

test('random bytes, text, JSON, an image and an empty resource are parse errors', async () => {
  await rejectsWith(openDemuxer(memoryReader(noise(100000, 99)), {}, MINE), 'parse');
  assert.match((await rejectsWith(openDemuxer(memoryReader(text('hello world, not audio')), {}, MINE), 'parse')).message, /text/);
  assert.match((await rejectsWith(openDemuxer(memoryReader(text('{"error":"nope"}')), {}, MINE), 'parse')).message, /JSON/);
  const png = concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise(500));
  assert.match((await rejectsWith(openDemuxer(memoryReader(png), {}, MINE), 'parse')).message, /PNG/);
  assert.match((await rejectsWith(openDemuxer(memoryReader(new Uint8Array(0)), {}, MINE), 'parse')).message, /empty/);
});

test('known audio containers without a demuxer are unsupported, not parse errors', async () => {
  await rejectsWith(openDemuxer(memoryReader(concat(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]), noise(1000))), {}, MINE), 'unsupported');
  await rejectsWith(openDemuxer(memoryReader(text('#EXTM3U\n#EXT-X-VERSION:3\n')), {}, MINE), 'unsupported');
  const aiff = concat(text('FORM'), new Uint8Array(4), text('AIFFCOMM'), noise(100));
  await rejectsWith(openDemuxer(memoryReader(aiff), {}, MINE), 'unsupported');
  const ts = new Uint8Array(188 * 6);
  for (let i = 0; i < 6; i++) ts[i * 188] = 0x47;
  await rejectsWith(openDemuxer(memoryReader(ts), {}, MINE), 'unsupported');
});
