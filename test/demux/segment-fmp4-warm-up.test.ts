// The fMP4 warm-up stream is a real fMP4 that the segment demuxer parses all the way (init, moof,
// samples across two pushes): a warm-up that silently failed would compile nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warmUpFmp4Demuxer } from '../../src/demux/segment/fmp4-warm-up.js';

test('the built-in fMP4 stream parses to an AAC-LC 44.1 kHz stereo track and its two samples', () => {
  const { track, packets } = warmUpFmp4Demuxer();
  assert.ok(track !== undefined, 'the init segment parsed');
  assert.equal(track.codec, 'aac');
  assert.equal(track.codecString, 'mp4a.40.2');
  assert.equal(track.sampleRate, 44100);
  assert.equal(track.channels, 2);
  assert.deepEqual([...(track.description ?? [])], [0x12, 0x10], 'the AudioSpecificConfig of the esds');
  assert.deepEqual(packets.map((p) => [p.frame, p.frames, p.data.byteLength, p.key]), [[0, 1024, 6, true], [1024, 1024, 6, true]]);
});
