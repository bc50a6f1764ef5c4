import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KitharaError } from '../../src/platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../src/demux/types.js';
import { openMp4 } from '../../src/demux/mp4/index.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource } from '../../src/stream/source.js';
import { aacWasmSupports, createAacWasmDecoder, type AacStatName } from '../../src/decode/wasm/aac/aac-wasm-decoder.js';
import { blockSnr } from '../lib/analyze.mjs';
import {
  VECTORS_DIR, bytesOf, decodeAll, decoderFor, demuxAdts, joinChunks, referenceOf, snrDb, vectors,
} from './aac-wasm-helpers.js';

const MEDIA = join(VECTORS_DIR, '..', '..', 'media');
const MIN_SNR_DB = 60;

/** Manifest feature names → decoder statistics. */
const FEATURE_STATS: Record<string, AacStatName> = {
  short: 'short', start: 'start', stop: 'stop', grouped: 'grouped', ms: 'msBands', is: 'isBands',
  tns: 'tnsFilters', pulse: 'pulse', escapes: 'escapes', lfe: 'lfe', pns: 'pnsBands',
};

/** Energy (dB) per octave band, from windowed 256-point DFTs; bins below 1/32 of Nyquist are left out. */
function octaveEnergiesDb(x: Float32Array): number[] {
  const n = 256;
  const bands = new Float64Array(5);
  for (let at = 0; at + n <= x.length; at += n / 2) {
    for (let k = 4; k < n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        const v = (x[at + i] as number) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
        re += v * Math.cos((2 * Math.PI * k * i) / n);
        im -= v * Math.sin((2 * Math.PI * k * i) / n);
      }
      bands[Math.floor(Math.log2(k / 4))]! += re * re + im * im;
    }
  }
  return [...bands].map((e) => 10 * Math.log10(e));
}

for (const v of vectors) {
  const claim = v.compare === 'samples' ? `matches ffmpeg's decode at ≥ ${MIN_SNR_DB} dB` : 'has the band energies of ffmpeg\'s decode';
  test(`${v.file}: every channel ${claim}, with its coding tools in use`, async () => {
    const { track, packets } = await demuxAdts(join(VECTORS_DIR, v.file));
    assert.equal(track.sampleRate, v.sampleRate);
    assert.equal(track.channels, v.channels);
    const decoder = await decoderFor(track);
    const chunks = await decodeAll(decoder, packets);
    chunks.forEach((c, i) => {
      assert.equal(c.frame, packets[i]!.frame, 'chunk frame = packet frame');
      assert.equal(c.sampleRate, v.sampleRate);
    });
    const got = joinChunks(chunks);
    const ref = referenceOf(v);
    assert.equal(got.length, v.channels);
    // ffmpeg writes every decoded frame of a raw ADTS stream, priming included: sample n is sample n.
    assert.equal(got[0]!.length, ref[0]!.length);
    for (let ch = 0; ch < v.channels; ch++) {
      if (v.compare === 'band-energy') {
        // Noise substitution draws random noise at a coded energy: compare the energies.
        const a = octaveEnergiesDb(got[ch]!);
        const b = octaveEnergiesDb(ref[ch]!);
        a.forEach((e, i) => assert.ok(Math.abs(e - b[i]!) < 0.5, `octave ${i}: ${e.toFixed(2)} vs ${b[i]!.toFixed(2)} dB`));
        assert.ok(snrDb(got[ch]!, ref[ch]!) < 20, 'the noise is not ffmpeg\'s noise');
        continue;
      }
      const snr = snrDb(got[ch]!, ref[ch]!);
      assert.ok(snr >= MIN_SNR_DB, `channel ${ch}: ${snr.toFixed(1)} dB`);
    }
    const stats = decoder.stats();
    assert.equal(stats.frames, packets.length);
    for (const f of v.features) {
      const name = FEATURE_STATS[f];
      assert.ok(name, `unknown feature ${f}`);
      assert.ok(stats[name] > 0, `${f}: the stream should use it (${name} = ${stats[name]})`);
    }
    decoder.close();
  });
}

test('the vectors cover every tool, both window shapes, and rates from 8 to 96 kHz', async () => {
  const total: Partial<Record<AacStatName, number>> = {};
  for (const v of vectors.filter((x) => x.compare === 'samples')) {
    const { track, packets } = await demuxAdts(join(VECTORS_DIR, v.file));
    const decoder = await decoderFor(track);
    await decodeAll(decoder, packets);
    for (const [k, n] of Object.entries(decoder.stats())) total[k as AacStatName] = (total[k as AacStatName] ?? 0) + n;
  }
  for (const name of ['short', 'start', 'stop', 'grouped', 'kbd', 'shapeSwitch', 'msBands', 'isBands', 'tnsFilters', 'pulse', 'escapes', 'sce', 'cpe', 'lfe'] as const) {
    assert.ok((total[name] ?? 0) > 0, `${name} never occurs`);
  }
  assert.equal(total.pnsBands, 0, 'the sample-compared vectors are encoded without PNS');
  const rates = new Set(vectors.map((v) => v.sampleRate));
  for (const rate of [8000, 11025, 16000, 22050, 32000, 44100, 48000, 64000, 96000]) assert.ok(rates.has(rate), `no ${rate} Hz vector`);
});

test('after reset(), decoding from a later packet matches the reference once one frame has warmed up', async () => {
  const v = vectors.find((x) => x.file.startsWith('transients-stereo'))!;
  const { track, packets } = await demuxAdts(join(VECTORS_DIR, v.file));
  const ref = referenceOf(v);
  const decoder = await decoderFor(track);
  await decodeAll(decoder, packets.slice(0, 7)); // leave overlap state behind
  decoder.reset();
  const from = 4;
  const chunks = await decodeAll(decoder, packets.slice(from));
  assert.equal(chunks[0]!.frame, packets[from]!.frame);
  const got = joinChunks(chunks);
  const start = packets[from]!.frame;
  for (let ch = 0; ch < v.channels; ch++) {
    const shifted = ref[ch]!.subarray(start);
    // The first frame lacks the previous frame's overlap: it is warm-up and must differ.
    assert.ok(snrDb(got[ch]!, shifted, 0, 1024) < 20, 'the warm-up frame has no overlap');
    const snr = snrDb(got[ch]!, shifted, 1024, got[ch]!.length);
    assert.ok(snr >= MIN_SNR_DB, `channel ${ch} after warm-up: ${snr.toFixed(1)} dB`);
  }
});

test('corrupt packets give a decode KitharaError, never a throw or a hang', async () => {
  const v = vectors.find((x) => x.file.startsWith('transients-stereo'))!;
  const { track, packets } = await demuxAdts(join(VECTORS_DIR, v.file));
  const real = packets[3]!;
  const cases: [string, Uint8Array][] = [
    ['truncated', real.data.subarray(0, real.data.length >> 1)],
    ['empty', new Uint8Array(0)],
    ['a coupling channel element', new Uint8Array([0x40, 0, 0, 0])],
    ['oversized', new Uint8Array(70000)],
  ];
  for (const [what, data] of cases) {
    const decoder = await decoderFor(track);
    decoder.decode({ ...real, data });
    assert.ok(decoder.error instanceof KitharaError, what);
    assert.equal(decoder.error.code, 'decode', what);
    assert.deepEqual(decoder.takeOutput(), [], `${what}: no output`);
    decoder.decode(real); // a no-op after the failure
    await decoder.ready();
    await decoder.flush();
    assert.deepEqual(decoder.takeOutput(), []);
  }
  // Seeded garbage: each packet either decodes to finite samples or fails with 'decode'.
  let seed = 0x2545f491;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  let failures = 0;
  const started = performance.now();
  for (let i = 0; i < 300; i++) {
    const decoder = await decoderFor(track);
    const data = Uint8Array.from({ length: 1 + (i * 37) % 900 }, random);
    // Bit flips in a real packet, too.
    const flipped = Uint8Array.from(real.data);
    flipped[(i * 13) % flipped.length]! ^= 1 << (i % 8);
    for (const d of [data, flipped]) {
      decoder.reset();
      decoder.decode({ ...real, data: d });
      if (decoder.error) {
        assert.equal(decoder.error.code, 'decode');
        failures++;
        break;
      }
      for (const c of decoder.takeOutput()) for (const p of c.planes) assert.ok(p.every(Number.isFinite));
    }
    decoder.close();
  }
  assert.ok(failures > 250, `${failures} of 300 garbage packets were refused`);
  assert.ok(performance.now() - started < 20000, 'no hang');
});

test('unsupported tracks are refused up front with an unsupported KitharaError', async () => {
  const base: TrackInfo = {
    container: 'adts', codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 44100, channels: 2,
    description: new Uint8Array([0x12, 0x10]), delayFrames: 1024, prerollFrames: 2048,
  };
  assert.equal(aacWasmSupports(base), true);
  const refused: [string, TrackInfo][] = [
    ['AAC Main', { ...base, description: new Uint8Array([0x0a, 0x10]) }],
    ['channel configuration 0 (PCE)', { ...base, description: new Uint8Array([0x12, 0x00]) }],
    ['960-sample frames', { ...base, description: new Uint8Array([0x12, 0x14]) }],
    ['no AudioSpecificConfig', { ...base, description: undefined }],
    ['MP3', { ...base, codec: 'mp3' }],
  ];
  for (const [what, track] of refused) {
    assert.equal(aacWasmSupports(track), false, what);
    await assert.rejects(createAacWasmDecoder(track), (e) => e instanceof KitharaError && e.code === 'unsupported', what);
  }
});

test('HE-AAC: the AAC-LC core decodes at half the track rate, with frames counted at that rate', async () => {
  const v = vectors.find((x) => x.file.startsWith('rich-stereo-22050'))!;
  const { track, packets } = await demuxAdts(join(VECTORS_DIR, v.file));
  // Explicit SBR signalling: AOT 5, core 22050 Hz (index 7), stereo, extension 44100 Hz (index 4), core AOT 2.
  const asc = new Uint8Array([0x2b, 0x92, 0x08, 0x00]);
  const he: TrackInfo = { ...track, codecString: 'mp4a.40.5', sampleRate: 44100, description: asc, delayFrames: 2048 };
  assert.equal(aacWasmSupports(he), true);
  const heaac: EncodedPacket[] = packets.map((p) => ({ ...p, frame: p.frame * 2, frames: 2048 }));
  const chunks = await decodeAll(await decoderFor(he), heaac);
  chunks.forEach((c, i) => {
    assert.equal(c.sampleRate, 22050);
    assert.equal(c.frame, packets[i]!.frame);
    assert.equal(c.frames, 1024);
  });
  const got = joinChunks(chunks);
  const ref = referenceOf(v);
  for (let ch = 0; ch < 2; ch++) assert.ok(snrDb(got[ch]!, ref[ch]!) >= MIN_SNR_DB);
});

test('the repository fixtures chirp.aac (ADTS) and chirp.m4a (MP4) decode to the chirp', async () => {
  const adts = await demuxAdts(join(MEDIA, 'chirp.aac'));
  const mp4 = await openMp4(new ByteReader(new MemorySource(bytesOf(join(MEDIA, 'chirp.m4a')))));
  const mp4Packets: EncodedPacket[] = [];
  for (let p = await mp4.next(); p; p = await mp4.next()) mp4Packets.push(p);
  for (const [name, track, packets] of [['chirp.aac', adts.track, adts.packets], ['chirp.m4a', mp4.track, mp4Packets]] as const) {
    const decoder = await decoderFor(track);
    const started = performance.now();
    const chunks = await decodeAll(decoder, packets);
    const ms = performance.now() - started;
    const got = joinChunks(chunks).map((p) => p.subarray(track.delayFrames, track.delayFrames + 5 * track.sampleRate));
    // ffmpeg's own decode of these files scores min 47 / median 77 dB per block (test/lib/README.md).
    const snr = blockSnr(got, track.sampleRate, 0, { blockFrames: 1024, gain: 1 });
    assert.ok(snr.min > 40 && snr.median > 70, `${name}: block SNR min ${snr.min.toFixed(1)}, median ${snr.median.toFixed(1)} dB`);
    const seconds = (packets.length * 1024) / track.sampleRate;
    console.log(`# ${name}: ${seconds.toFixed(1)} s of stereo decoded in ${ms.toFixed(1)} ms (${Math.round((seconds * 1000) / ms)}x realtime)`);
  }
});
