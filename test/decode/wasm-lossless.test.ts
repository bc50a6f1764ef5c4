import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, decodeAll, demux, masterInts, vectors, type Vector } from './wasm-helpers.js';
import { createFlacDecoder, flacStreamInfo } from '../../src/decode/wasm/flac/flac-decoder.js';
import { createAlacDecoder } from '../../src/decode/wasm/alac/alac-decoder.js';
import { parseAlacConfig } from '../../src/decode/wasm/alac/alac-config.js';
import type { Decoder } from '../../src/decode/types.js';
import type { TrackInfo } from '../../src/demux/types.js';
import { KitharaError } from '../../src/platform/errors.js';
import { quantize, sample } from '../../fixtures/signal.mjs';

const create = (track: TrackInfo): Promise<Decoder> => (track.codec === 'flac' ? createFlacDecoder(track) : createAlacDecoder(track));

/** Index of the first sample (channel-major) that differs from the master, or -1. */
function firstMismatch(planes: Float32Array[], offset: number, v: Vector): number {
  const master = masterInts(v);
  const scale = 2 ** (v.bits - 1);
  for (let ch = 0; ch < v.channels; ch++) {
    const got = planes[ch]!;
    const want = master[ch]!;
    for (let i = 0; i < v.frames; i++) if (got[i + offset]! * scale !== want[i]) return ch * v.frames + i;
  }
  return -1;
}

for (const v of vectors.filter((x) => x.lossless)) {
  test(`${v.file}: decodes bit-exact (ffmpeg's decode is the master, checked when the vector was made)`, async () => {
    const { track, packets } = await demux(v.file);
    const decoder = await create(track);
    assert.equal(decoder.kind, 'wasm');
    const chunks = await decodeAll(decoder, packets);
    assert.equal(decoder.error, undefined);
    const out = assemble(chunks);
    assert.ok(out.contiguous, 'chunks follow each other without gaps');
    assert.equal(out.start, 0);
    assert.equal(out.planes.length, v.channels);
    assert.equal(out.end - track.delayFrames, v.frames);
    assert.ok(chunks.every((c) => c.sampleRate === v.rate));
    assert.equal(firstMismatch(out.planes, track.delayFrames, v), -1);
  });
}

test('the 6 s media FLAC fixtures decode to exactly the chirp quantized to 16 bits', async () => {
  for (const [file, rate, channels] of [['chirp.flac', 44100, 2], ['chirp-mono-48000.flac', 48000, 1]] as const) {
    const { track, packets } = await demux(`${process.cwd()}/fixtures/media/${file}`);
    const out = assemble(await decodeAll(await createFlacDecoder(track), packets));
    assert.equal(out.end, 6 * rate);
    for (let ch = 0; ch < channels; ch++) {
      for (let i = 0; i < out.end; i += 7) {
        assert.equal(out.planes[ch]![i]! * 32768 + 0, quantize(sample(ch, i / rate), 16) + 0, `${file} ch ${ch} frame ${i}`);
      }
    }
  }
});

for (const file of ['flac-16-44100-stereo.flac', 'alac-24-96000-stereo.m4a']) {
  test(`${file}: after reset() decoding resumes exactly at a later key packet`, async () => {
    const { track, packets } = await demux(file);
    const full = assemble(await decodeAll(await create(track), packets));
    const decoder = await create(track);
    await decodeAll(decoder, packets.slice(0, 2));
    decoder.reset();
    const tail = await decodeAll(decoder, packets.slice(3));
    assert.equal(tail[0]!.frame, packets[3]!.frame);
    const part = assemble(tail);
    for (let ch = 0; ch < track.channels; ch++) {
      assert.deepEqual(part.planes[ch], full.planes[ch]!.subarray(part.start, part.end));
    }
  });
}

for (const file of ['flac-16-44100-stereo.flac', 'alac-16-44100-stereo.m4a', 'alac-24-44100-twin.m4a']) {
  test(`${file}: damaged packets set a decode error and decoding stops without hanging`, async () => {
    const { track, packets } = await demux(file);
    const damages: [string, (d: Uint8Array) => Uint8Array][] = [
      ['truncated', (d) => d.subarray(0, d.length >> 1)],
      ['zeros', (d) => new Uint8Array(d.length)],
    ];
    // FLAC frames carry a CRC-16, so any damage is caught; ALAC has no checksum.
    if (track.codec === 'flac') damages.push(['bit flips', (d) => d.map((b, i) => (i > 8 && i % 5 === 0 ? b ^ 0x24 : b))]);
    for (const [name, damage] of damages) {
      const decoder = await create(track);
      const input = packets.map((p, i) => (i === 2 ? { ...p, data: damage(p.data) } : p));
      const chunks = await decodeAll(decoder, input);
      assert.ok(decoder.error instanceof KitharaError, `${name}: an error`);
      assert.equal(decoder.error.code, 'decode', name);
      assert.deepEqual(chunks.map((c) => c.frame), [packets[0]!.frame, packets[1]!.frame], `${name}: output stops before the damage`);
      decoder.decode(packets[3]!);
      assert.equal(decoder.takeOutput().length, 0, `${name}: a failed decoder ignores later packets`);
    }
  });
}

test('ALAC magic cookie: fields parse, QuickTime atom prefixes are skipped, bad cookies are refused', () => {
  const cookie = Uint8Array.from([0, 0, 16, 0, 0, 24, 40, 10, 14, 2, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x77, 0x00]);
  const c = parseAlacConfig(cookie);
  assert.deepEqual([c.frameLength, c.bitDepth, c.pb, c.mb, c.kb, c.channels, c.maxRun, c.sampleRate], [4096, 24, 40, 10, 14, 2, 255, 96000]);
  const atom = new Uint8Array(12 + 24);
  atom.set([0, 0, 0, 36, 0x61, 0x6c, 0x61, 0x63]); // 'alac' atom header + version/flags
  atom.set(cookie, 12);
  assert.equal(parseAlacConfig(atom).sampleRate, 96000);
  assert.throws(() => parseAlacConfig(cookie.subarray(0, 20)), (e: unknown) => e instanceof KitharaError && e.code === 'parse');
  const odd = cookie.slice();
  odd[5] = 12;
  assert.throws(() => parseAlacConfig(odd), (e: unknown) => e instanceof KitharaError && e.code === 'unsupported');
});

test('FLAC STREAMINFO is read from the WebCodecs description', async () => {
  const { track } = await demux('flac-24-96000-stereo.flac');
  const info = flacStreamInfo(track.description!);
  assert.deepEqual([info.sampleRate, info.channels, info.bitsPerSample, info.totalSamples], [96000, 2, 24, 19200]);
  assert.throws(() => flacStreamInfo(new Uint8Array(10)), (e: unknown) => e instanceof KitharaError && e.code === 'parse');
});
