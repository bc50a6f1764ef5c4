import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KitharaError } from '../../src/platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../src/demux/types.js';
import { createMpegWasmDecoder, mpegWasmSupports, wasmSimdSupported, type MpegStatName, type MpegWasmDecoder } from '../../src/decode/wasm/mpeg/mpeg-wasm-decoder.js';
import { wasmDecoderProvider } from '../../src/decode/wasm/provider.js';
import { assemble, decodeAll, demux, reference, snrDb, vectors } from './wasm-helpers.js';
import { randomMpegFrames, type RandomFramesOptions } from './mpeg-random-frames.js';

const MEDIA = join(process.cwd(), 'fixtures', 'media');
const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0;
const MIN_SNR_DB = 60;

/** ffmpeg's float decode of a file, as planes. */
function ffmpegDecode(path: string, channels: number, decoder?: string): Float32Array[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', ...(decoder ? ['-c:a', decoder] : []), '-i', path, '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, String(r.stderr));
  const s = new Float32Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength / 4);
  const n = s.length / channels;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => s[i * channels + c] as number));
}

async function decoderFor(file: string): Promise<{ decoder: MpegWasmDecoder; packets: EncodedPacket[]; delay: number; channels: number; rate: number }> {
  const { track, packets } = await demux(file);
  assert.ok(mpegWasmSupports(track));
  const decoder = (await createMpegWasmDecoder(track)) as MpegWasmDecoder;
  return { decoder, packets, delay: track.delayFrames, channels: track.channels, rate: track.sampleRate };
}

/** Facts every vector's statistics must show (beyond frames = packets). */
const VECTOR_FEATURES: Record<string, MpegStatName[]> = {
  'mp3-l3-44100-stereo.mp3': ['layer3', 'mpeg1', 'jointStereo', 'shortBlocks', 'startBlocks', 'stopBlocks', 'scfsi', 'preflag', 'escapes'],
  'mp3-l3-22050-mono.mp3': ['layer3', 'mpeg2', 'mono', 'shortBlocks', 'escapes'],
  'mp3-l3-11025-stereo.mp3': ['layer3', 'mpeg25', 'jointStereo', 'msStereo', 'shortBlocks'],
  'mp3-l3-8000-mono.mp3': ['layer3', 'mpeg25', 'mono', 'shortBlocks'],
  'mp2-l2-48000-stereo.mp2': ['layer2', 'mpeg1', 'stereo'],
  'mp2-l2-24000-mono.mp2': ['layer2', 'mpeg2', 'mono'],
};

for (const v of vectors.filter((x) => x.codec === 'mp3' || x.codec === 'mp2')) {
  test(`${v.file}: every channel matches ffmpeg's decode at ≥ ${MIN_SNR_DB} dB, one chunk per frame, with its coding tools in use`, async () => {
    const { decoder, packets, delay } = await decoderFor(v.file);
    assert.equal(decoder.name, 'WASM MPEG audio (Kithara)');
    const chunks = await decodeAll(decoder, packets);
    assert.equal(decoder.error, undefined);
    assert.equal(chunks.length, packets.length);
    chunks.forEach((c, i) => {
      assert.equal(c.frame, packets[i]!.frame, 'chunk frame = packet frame');
      assert.equal(c.frames, packets[i]!.frames);
      assert.equal(c.sampleRate, v.rate);
      assert.equal(c.planes.length, v.channels);
    });
    const out = assemble(chunks);
    const ref = reference(v);
    for (let ch = 0; ch < v.channels; ch++) {
      const snr = snrDb([out.planes[ch]!], [ref[ch]!], delay);
      assert.ok(snr >= MIN_SNR_DB, `channel ${ch}: ${snr.toFixed(1)} dB`);
    }
    // One frame off would ruin it: the timeline is exact.
    assert.ok(snrDb(out.planes, ref, delay + 1) < 30);
    const stats = decoder.stats();
    assert.equal(stats.frames, packets.length);
    assert.equal(stats.reservoirMisses, 0, 'a stream decoded from its start never lacks reservoir data');
    for (const f of VECTOR_FEATURES[v.file] ?? []) assert.ok(stats[f] > 0, `${f} should occur (${stats[f]})`);
    decoder.close();
  });
}

for (const file of ['chirp-cbr.mp3', 'chirp-vbr.mp3', 'chirp-mono-22050.mp3']) {
  test(`${file}: matches ffmpeg's float decode at ≥ ${MIN_SNR_DB} dB over 6 s`, { skip: !HAVE_FFMPEG && 'ffmpeg is not installed' }, async () => {
    const { decoder, packets, delay, channels } = await decoderFor(join(MEDIA, file));
    const out = assemble(await decodeAll(decoder, packets));
    assert.equal(decoder.error, undefined);
    const ref = ffmpegDecode(join(MEDIA, file), channels);
    assert.ok(ref[0]!.length > 5 * 22050);
    const snr = snrDb(out.planes, ref, delay);
    assert.ok(snr >= MIN_SNR_DB, `${snr.toFixed(1)} dB`);
    const stats = decoder.stats();
    assert.ok(stats.longBlocks > 0 && stats.shortBlocks > 0);
    if (channels === 2) assert.ok(stats.msStereo > 0, 'joint stereo with M/S granules');
  });
}

/** Streams of random valid layer I/II frames: features no encoder at hand produces. */
const RANDOM_STREAMS: [string, RandomFramesOptions, MpegStatName[]][] = [
  ['layer I, MPEG-1 stereo with CRC', { layer: 1, version: 3, rateIndex: 0, bitrateIndex: 14, mode: 0, modeExtension: 0, crc: true, frames: 12, seed: 1 }, ['layer1', 'crc', 'stereo']],
  ['layer I, joint stereo bound 8', { layer: 1, version: 3, rateIndex: 1, bitrateIndex: 14, mode: 1, modeExtension: 1, crc: false, frames: 12, seed: 2 }, ['layer1', 'jointStereo']],
  ['layer I, MPEG-2 LSF mono', { layer: 1, version: 2, rateIndex: 0, bitrateIndex: 14, mode: 3, modeExtension: 0, crc: false, frames: 12, seed: 3 }, ['layer1', 'mpeg2', 'mono']],
  ['layer II, allocation table c (48 kHz, 32 kbit/s per channel)', { layer: 2, version: 3, rateIndex: 1, bitrateIndex: 4, mode: 0, modeExtension: 0, crc: false, frames: 8, seed: 4 }, ['layer2']],
  ['layer II, table d, dual channel with CRC', { layer: 2, version: 3, rateIndex: 2, bitrateIndex: 4, mode: 2, modeExtension: 0, crc: true, frames: 8, seed: 5 }, ['layer2', 'dualChannel', 'crc']],
  ['layer II, table b, joint stereo bound 12', { layer: 2, version: 3, rateIndex: 0, bitrateIndex: 10, mode: 1, modeExtension: 2, crc: true, frames: 8, seed: 6 }, ['layer2', 'jointStereo']],
  ['layer II, MPEG-2 LSF joint stereo bound 16', { layer: 2, version: 2, rateIndex: 2, bitrateIndex: 14, mode: 1, modeExtension: 3, crc: false, frames: 8, seed: 7 }, ['layer2', 'mpeg2', 'jointStereo']],
];

for (const [name, options, features] of RANDOM_STREAMS) {
  test(`random ${name}: matches ffmpeg's float decoder at ≥ ${MIN_SNR_DB} dB`, { skip: !HAVE_FFMPEG && 'ffmpeg is not installed' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kithara-mpeg-'));
    try {
      const path = join(dir, `stream.mp${options.layer}`);
      writeFileSync(path, randomMpegFrames(options));
      const { decoder, packets, channels } = await decoderFor(path);
      assert.equal(packets.length, options.frames);
      const out = assemble(await decodeAll(decoder, packets));
      assert.equal(decoder.error, undefined);
      const ref = ffmpegDecode(path, channels, options.layer === 1 ? 'mp1float' : 'mp2float');
      assert.equal(ref[0]!.length, out.end);
      for (let ch = 0; ch < channels; ch++) {
        const snr = snrDb([out.planes[ch]!], [ref[ch]!], 0);
        assert.ok(snr >= MIN_SNR_DB, `channel ${ch}: ${snr.toFixed(1)} dB`);
      }
      const stats = decoder.stats();
      for (const f of features) assert.ok(stats[f] === options.frames, `${f}: ${stats[f]}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('after reset() the first frames lacking reservoir data are silent, and once the preroll has run the output equals an uninterrupted decode', async () => {
  const { track, packets } = await demux(join(MEDIA, 'chirp-cbr.mp3'));
  const full = assemble(await decodeAll(await createMpegWasmDecoder(track), packets));
  const decoder = (await createMpegWasmDecoder(track)) as MpegWasmDecoder;
  await decodeAll(decoder, packets.slice(0, 20));
  decoder.reset();
  assert.deepEqual(decoder.takeOutput(), []);
  const target = packets[150]!.frame;
  const from = packets.findLastIndex((p) => p.frame <= target - track.prerollFrames);
  const before = decoder.stats().reservoirMisses;
  const chunks = await decodeAll(decoder, packets.slice(from));
  const misses = decoder.stats().reservoirMisses - before;
  assert.ok(misses >= 1 && misses < from && misses * track.sampleRate < track.prerollFrames * 44100, `${misses} frames without reservoir data`);
  for (let i = 0; i < misses; i++) assert.ok(chunks[i]!.planes.every((p) => p.every((x) => x === 0)), `frame ${i} after the reset is silent`);
  const part = assemble(chunks);
  assert.equal(part.start, packets[from]!.frame);
  const got = part.planes.map((p) => p.subarray(target - part.start));
  const want = full.planes.map((p) => p.subarray(target));
  assert.equal(snrDb(got, want, 0), Infinity, 'identical samples after the preroll');
});

test('a damaged frame sets a decode error without throwing, and nothing is output after it', async () => {
  const noise = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + 7, 2654435761) >>> 24) & 0xfe);
  const { track, packets } = await demux(join(MEDIA, 'chirp-cbr.mp3'));
  const damages: [string, (d: Uint8Array) => Uint8Array][] = [
    ['noise', (d) => noise(d.length)],
    ['truncated', (d) => d.subarray(0, d.length >> 1)],
    ['reserved sampling rate', (d) => Uint8Array.from(d, (b, i) => (i === 2 ? b | 0x0c : b))],
    ['part2_3_length past the main data', (d) => Uint8Array.from(d, (b, i) => (i >= 6 && i < 8 ? 0xff : b))],
    ['empty', () => new Uint8Array(0)],
  ];
  for (const [name, damage] of damages) {
    const decoder = await createMpegWasmDecoder(track);
    const input = packets.slice(0, 8).map((p, i) => (i === 4 ? { ...p, data: damage(p.data) } : p));
    const chunks = await decodeAll(decoder, input);
    assert.ok(decoder.error instanceof KitharaError && decoder.error.code === 'decode', name);
    assert.equal(chunks.length, 4, `${name}: the frames before it decoded, none after`);
    decoder.reset();
    decoder.decode(packets[5]!);
    assert.deepEqual(decoder.takeOutput(), [], `${name}: later calls do nothing`);
  }
});

test('a frame of another duration than the container announced is a decode error', async () => {
  const { track, packets } = await demux(join(MEDIA, 'chirp-cbr.mp3'));
  const decoder = await createMpegWasmDecoder(track);
  decoder.decode({ ...packets[0]!, frames: 576 });
  assert.equal(decoder.error?.code, 'decode');
});

test('the provider loads this decoder for mp1, mp2 and mp3 tracks', async () => {
  const { track } = await demux(join(MEDIA, 'chirp-cbr.mp3'));
  const decoder = await wasmDecoderProvider.create(track);
  assert.equal(decoder.name, 'WASM MPEG audio (Kithara)');
  const mp2 = await demux('mp2-l2-48000-stereo.mp2');
  assert.equal((await wasmDecoderProvider.create(mp2.track)).name, 'WASM MPEG audio (Kithara)');
  assert.equal(mpegWasmSupports({ ...track, codec: 'aac' }), false);
});

test('MP3 decodes a whole 6 s file, again and again (speed logged; measured in npm run bench)', async () => {
  const { track, packets } = await demux(join(MEDIA, 'chirp-cbr.mp3'));
  await decodeAll(await createMpegWasmDecoder(track), packets); // compile and warm up
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const decoder = await createMpegWasmDecoder(track);
    const t0 = performance.now();
    const out = assemble(await decodeAll(decoder, packets));
    const seconds = (performance.now() - t0) / 1000;
    assert.ok(out.end / track.sampleRate > 5.9, 'the whole 6 s file decoded');
    best = Math.max(best, out.end / track.sampleRate / seconds);
  }
  console.log(`WASM MPEG audio (Kithara): ${best.toFixed(0)}× real time on chirp-cbr.mp3`);
});

test('the SIMD and the scalar build of the MPEG module decode every vector to bit-identical PCM', async () => {
  assert.ok(wasmSimdSupported(), 'Node validates WebAssembly SIMD');
  for (const v of vectors.filter((x) => x.codec === 'mp3' || x.codec === 'mp2')) {
    const { track, packets } = await demux(v.file);
    const simd = assemble(await decodeAll(await createMpegWasmDecoder(track, { build: 'simd' }), packets));
    const scalar = assemble(await decodeAll(await createMpegWasmDecoder(track, { build: 'scalar' }), packets));
    assert.equal(simd.planes.length, scalar.planes.length);
    let energy = 0;
    simd.planes.forEach((plane, ch) => {
      const other = scalar.planes[ch]!;
      assert.equal(plane.length, other.length);
      for (let i = 0; i < plane.length; i++) {
        if (!Object.is(plane[i], other[i])) assert.fail(`${v.file} channel ${ch} sample ${i}: SIMD ${plane[i]} vs scalar ${other[i]}`);
        energy += plane[i]! * plane[i]!;
      }
    });
    assert.ok(energy > 1, `${v.file} decodes to audio, not silence`);
  }
});

