import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assemble, decodeAll, demux, reference, snrDb, vectors } from './wasm-helpers.js';
import { wasmDecoderProvider } from '../../src/decode/wasm/provider.js';
import type { EncodedPacket } from '../../src/demux/types.js';
import { KitharaError } from '../../src/platform/errors.js';

const MEDIA = join(process.cwd(), 'fixtures', 'media');

/**
 * SNR against ffmpeg's decode (libopus / libvorbis inside ffmpeg for Opus and Vorbis, ffmpeg's
 * own MPEG audio decoder for MP1/2/3), measured on the committed vectors: MP3 90.4-91.6 dB,
 * MP2 87.7-88.8 dB, Vorbis 81.5-82.4 dB, Opus 84.7 dB (stereo CELT) and exact (mono SILK). The
 * 16-bit references cap the figure near 90 dB. Asserted with a margin.
 */
const MIN_SNR_DB = 70;

for (const v of vectors.filter((x) => !x.lossless)) {
  test(`${v.file}: matches ffmpeg's decode (SNR ≥ ${MIN_SNR_DB} dB) on the demuxer's timeline`, async () => {
    const { track, packets } = await demux(v.file);
    const decoder = await wasmDecoderProvider.create(track);
    assert.equal(decoder.kind, 'wasm');
    const chunks = await decodeAll(decoder, packets);
    assert.equal(decoder.error, undefined);
    const out = assemble(chunks);
    assert.ok(out.contiguous, 'chunks follow each other without gaps');
    assert.equal(out.planes.length, v.channels);
    assert.ok(chunks.every((c) => c.sampleRate === (v.codec === 'opus' ? 48000 : v.rate)));
    const ref = reference(v);
    // ffmpeg trims the encoder delay (LAME tag, Opus pre-skip): its frame 0 is our delayFrames.
    const snr = snrDb(out.planes, ref, track.delayFrames);
    assert.ok(snr >= MIN_SNR_DB, `SNR ${snr.toFixed(1)} dB`);
    // One frame off would ruin it: the timeline is exact.
    assert.ok(snrDb(out.planes, ref, track.delayFrames + 1) < 30);
  });
}

test('MP3 files with and without a LAME/Xing frame decode one MPEG frame per packet', async () => {
  for (const file of ['chirp-vbr.mp3', 'chirp-id3.mp3', 'chirp-mono-22050.mp3']) {
    const { track, packets } = await demux(join(MEDIA, file));
    const decoder = await wasmDecoderProvider.create(track);
    const chunks = await decodeAll(decoder, packets);
    assert.equal(decoder.error, undefined, file);
    assert.equal(chunks.length, packets.length, file);
    chunks.forEach((c, i) => assert.ok(c.frame === packets[i]!.frame && c.frames === packets[i]!.frames, `${file} packet ${i}`));
  }
});

// How close the output after a reset and the preroll comes to an uninterrupted decode. MP3
// (2 frames) and Vorbis (2 long blocks) converge exactly (measured: identical samples, ∞ dB); Opus
// state converges only approximately within its 80 ms preroll (RFC 7845 §4.6; measured 40.3 dB).
const AFTER_PREROLL_DB: Record<string, number> = { 'chirp-cbr.mp3': 100, 'chirp.opus': 35, 'chirp.ogg': 100 };

for (const [file, minDb] of Object.entries(AFTER_PREROLL_DB)) {
  test(`${file}: after reset() a later key packet decodes cleanly once the preroll has run`, async () => {
    const { track, packets } = await demux(join(MEDIA, file));
    const full = assemble(await decodeAll(await wasmDecoderProvider.create(track), packets));
    const decoder = await wasmDecoderProvider.create(track);
    await decodeAll(decoder, packets.slice(0, 20));
    decoder.reset();
    assert.deepEqual(decoder.takeOutput(), []);
    // Seek the way the pipeline does: from prerollFrames before a target.
    const target = packets[150]!.frame;
    const from = packets.findLastIndex((p: EncodedPacket) => p.frame <= target - track.prerollFrames);
    const part = assemble(await decodeAll(decoder, packets.slice(from)));
    assert.equal(decoder.error, undefined);
    assert.ok(part.start >= packets[from]!.frame && part.start <= packets[from + 1]!.frame);
    const got = part.planes.map((p) => p.subarray(target - part.start));
    const want = full.planes.map((p) => p.subarray(target));
    const snr = snrDb(got, want, 0, 0, 44100);
    assert.ok(snr >= minDb, `after the preroll the output matches the uninterrupted decode (${snr.toFixed(1)} dB)`);
  });
}

test('damaged MPEG and Opus packets, and non-audio Vorbis packets, set a decode error without hanging', async () => {
  const noise = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + 7, 2654435761) >>> 24) & 0xfe);
  const cases: [string, (d: Uint8Array) => Uint8Array][] = [
    ['chirp-cbr.mp3', (d) => noise(d.length)],
    ['chirp-cbr.mp3', (d) => d.subarray(0, d.length >> 1)],
    ['chirp.opus', (d) => new Uint8Array(d.length)],
    ['chirp.ogg', (d) => Uint8Array.from(d, (b, i) => (i === 0 ? b | 1 : b))],
  ];
  for (const [file, damage] of cases) {
    const { track, packets } = await demux(join(MEDIA, file));
    const decoder = await wasmDecoderProvider.create(track);
    const input = packets.slice(0, 8).map((p, i) => (i === 4 ? { ...p, data: damage(p.data) } : p));
    const chunks = await decodeAll(decoder, input);
    assert.ok(decoder.error instanceof KitharaError && decoder.error.code === 'decode', file);
    assert.ok(chunks.every((c) => c.frame < packets[4]!.frame), `${file}: nothing after the damaged packet`);
  }
  const mp2 = await demux('mp2-l2-48000-stereo.mp2');
  const decoder = await wasmDecoderProvider.create(mp2.track);
  await decodeAll(decoder, [mp2.packets[0]!, { ...mp2.packets[1]!, data: new Uint8Array(200) }]);
  assert.equal(decoder.error?.code, 'decode');
});

test('MP3 decodes a whole file through the provider (speed logged; measured in npm run bench)', async () => {
  const { track, packets } = await demux(join(MEDIA, 'chirp-cbr.mp3'));
  await decodeAll(await wasmDecoderProvider.create(track), packets.slice(0, 20)); // compile and warm up
  const decoder = await wasmDecoderProvider.create(track);
  const t0 = performance.now();
  const out = assemble(await decodeAll(decoder, packets));
  const seconds = (performance.now() - t0) / 1000;
  const speed = out.end / track.sampleRate / seconds;
  console.log(`MPEG audio (WASM): ${speed.toFixed(0)}× real time (${(out.end / track.sampleRate).toFixed(1)} s of 44.1 kHz stereo in ${(seconds * 1000).toFixed(0)} ms)`);
  assert.ok(out.end / track.sampleRate > 5.9, 'the whole 6 s file decoded');
});
