import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWav, pcmToPlanar, wavFormat, WAV_PACKET_FRAMES } from '../../src/demux/wav/index.js';
import type { Demuxer } from '../../src/demux/types.js';
import { quantize, sample } from '../../fixtures/signal.mjs';
import { concat, facts, fixture, memoryReader, noise, readAll, rejectsWith, trickleReader } from './fixture-io.js';

/** The exact float a fixture sample decodes to: quantize(sample) / 2^(bits-1), or the f32 itself. */
function expected(ch: number, n: number, rate: number, format: string): number {
  const x = sample(ch, n / rate);
  if (format === 'f32') return Math.fround(x);
  const bits = { s16: 16, s24: 24, s32: 32 }[format]!;
  return Math.fround(quantize(x, bits) / 2 ** (bits - 1));
}

/** Decodes every packet and compares every sample with the analytic signal. */
async function assertDecodesExactly(d: Demuxer, file: string): Promise<void> {
  const f = facts(file);
  let next = 0;
  for (let p = await d.next(); p; p = await d.next()) {
    assert.equal(p.frame, next);
    assert.ok(p.frames <= WAV_PACKET_FRAMES && p.key, 'packet size and key');
    const planes = pcmToPlanar(p.data, d.track.pcm!, d.track.channels);
    assert.equal(planes.length, f.channels);
    for (let ch = 0; ch < f.channels; ch++) {
      const plane = planes[ch]!;
      assert.equal(plane.length, p.frames);
      for (let i = 0; i < p.frames; i++) {
        const want = expected(ch, p.frame + i, f.sampleRate, d.track.pcm!.format);
        if (plane[i] !== want) assert.fail(`${file} ch${ch} frame ${p.frame + i}: ${plane[i]} != ${want}`);
      }
    }
    next += p.frames;
  }
  assert.equal(next, f.frames);
}

const FILES: [string, string][] = [
  ['chirp-s16.wav', 's16'],
  ['chirp-s24-48000.wav', 's24'],
  ['chirp-s32.wav', 's32'],
  ['chirp-f32.wav', 'f32'],
  ['chirp-mono-s16-22050.wav', 's16'],
];

for (const [file, format] of FILES) {
  test(`${file}: track facts and a sample-exact decode of every frame`, async () => {
    const f = facts(file);
    const d = await openWav(memoryReader(fixture(file)));
    assert.equal(d.track.codec, 'pcm');
    assert.equal(d.track.codecString, `pcm-${format}`);
    assert.equal(d.track.sampleRate, f.sampleRate);
    assert.equal(d.track.channels, f.channels);
    assert.equal(d.track.totalFrames, f.frames);
    assert.equal(d.track.delayFrames, 0);
    assert.equal(d.track.prerollFrames, 0);
    assert.equal(d.track.pcm!.format, format);
    await assertDecodesExactly(d, file);
  });
}

test('WAVE_FORMAT_EXTENSIBLE s24 over a slow source of unknown length', async () => {
  await assertDecodesExactly(await openWav(trickleReader(fixture('chirp-s24-48000.wav'), 5000)), 'chirp-s24-48000.wav');
});

test('seek is sample-exact: the next packet starts at the target with the right samples', async () => {
  const file = 'chirp-s24-48000.wav';
  const d = await openWav(memoryReader(fixture(file)));
  for (const target of [123457, 0, 287999, 4095, 200000]) {
    assert.equal(await d.seek(target), target);
    const p = (await d.next())!;
    assert.equal(p.frame, target);
    const planes = pcmToPlanar(p.data, d.track.pcm!, 2);
    assert.equal(planes[1]![0], expected(1, target, 48000, 's24'));
  }
  assert.equal(await d.seek(10 ** 9), 288000);
  assert.equal(await d.next(), null);
});

/** Builds a WAV: chunks are [id, body]; RIFX makes every size big-endian. */
function buildWav(chunks: [string, Uint8Array][], magic = 'RIFF'): Uint8Array {
  const be = magic === 'RIFX';
  const parts: Uint8Array[] = [];
  for (const [id, body] of chunks) {
    const h = new Uint8Array(8);
    h.set([...id].map((c) => c.charCodeAt(0)));
    new DataView(h.buffer).setUint32(4, body.length, !be);
    parts.push(h, body);
    if (body.length & 1) parts.push(new Uint8Array(1));
  }
  const body = concat(new TextEncoder().encode('WAVE'), ...parts);
  const head = new Uint8Array(8);
  head.set([...magic].map((c) => c.charCodeAt(0)));
  new DataView(head.buffer).setUint32(4, body.length, !be);
  return concat(head, body);
}

function fmt(tag: number, channels: number, rate: number, bits: number, be = false): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  const align = (channels * bits) / 8;
  v.setUint16(0, tag, !be);
  v.setUint16(2, channels, !be);
  v.setUint32(4, rate, !be);
  v.setUint32(8, rate * align, !be);
  v.setUint16(12, align, !be);
  v.setUint16(14, bits, !be);
  return b;
}

test('RIFX (big-endian) s16, an odd-sized LIST chunk with its pad byte, and u8', async () => {
  const data = new Uint8Array([0x7f, 0xff, 0x80, 0x00, 0x00, 0x01, 0xff, 0xfe]); // 2 frames stereo BE s16
  const bytes = buildWav([['fmt ', fmt(1, 2, 8000, 16, true)], ['LIST', new Uint8Array(5)], ['data', data]], 'RIFX');
  const d = await openWav(memoryReader(bytes));
  assert.equal(d.track.pcm!.bigEndian, true);
  const p = (await d.next())!;
  const [l, r] = pcmToPlanar(p.data, d.track.pcm!, 2);
  assert.deepEqual([...l!], [32767 / 32768, 1 / 32768]);
  assert.deepEqual([...r!], [-1, -2 / 32768]);
  const u8 = await openWav(memoryReader(buildWav([['fmt ', fmt(1, 1, 8000, 8)], ['data', new Uint8Array([0, 128, 255])]])));
  assert.equal(u8.track.codecString, 'pcm-u8');
  assert.deepEqual([...pcmToPlanar((await u8.next())!.data, u8.track.pcm!, 1)[0]!], [-1, 0, 127 / 128]);
});

test('a streamed WAV (data size 0xFFFFFFFF, unknown length) is read to the end', async () => {
  const data = noise(4 * 10000, 77);
  const bytes = buildWav([['fmt ', fmt(1, 2, 44100, 16)], ['data', data]]);
  new DataView(bytes.buffer).setUint32(bytes.length - data.length - 4, 0xffffffff, true);
  const d = await openWav(trickleReader(bytes, 4096));
  assert.equal(d.track.totalFrames, undefined);
  const packets = await readAll(d);
  assert.equal(packets.reduce((n, p) => n + p.frames, 0), 10000);
});

test('a data chunk longer than the file (cut download) ends at the last whole frame', async () => {
  const bytes = fixture('chirp-s16.wav');
  const cut = bytes.subarray(0, 44 + 4 * 5000 + 3);
  const d = await openWav(memoryReader(cut));
  assert.equal(d.track.totalFrames, 5000);
  assert.equal((await readAll(d)).reduce((n, p) => n + p.frames, 0), 5000);
});

test('compressed WAVE formats are unsupported; broken headers are parse errors', async () => {
  await rejectsWith(openWav(memoryReader(buildWav([['fmt ', fmt(0x55, 2, 44100, 16)], ['data', new Uint8Array(8)]]))), 'unsupported');
  await rejectsWith(openWav(memoryReader(buildWav([['data', new Uint8Array(8)], ['fmt ', fmt(1, 2, 44100, 16)]]))), 'parse');
  await rejectsWith(openWav(memoryReader(buildWav([['fmt ', fmt(1, 2, 44100, 16)]]))), 'parse');
  await rejectsWith(openWav(memoryReader(fixture('chirp-s16.wav').subarray(0, 30))), 'parse');
  await rejectsWith(openWav(memoryReader(new TextEncoder().encode('RIFF....AVI LIST'))), 'parse');
});

test('pcmToPlanar: every format and both byte orders, by the 2^(bits-1) rule', () => {
  const cases: [string, boolean, number[], number[]][] = [
    ['s16', false, [0x00, 0x80, 0xff, 0x7f], [-1, 32767 / 32768]],
    ['s16', true, [0x80, 0x00, 0x7f, 0xff], [-1, 32767 / 32768]],
    ['s24', false, [0x00, 0x00, 0x80, 0x01, 0x00, 0x00], [-1, 1 / 8388608]],
    ['s24', true, [0xff, 0xff, 0xff, 0x7f, 0xff, 0xff], [-1 / 8388608, 8388607 / 8388608]],
    ['s32', false, [0, 0, 0, 0x80, 0, 0, 0, 0x40], [-1, 0.5]],
    ['s32', true, [0x80, 0, 0, 0, 0x40, 0, 0, 0], [-1, 0.5]],
  ];
  for (const [format, bigEndian, bytes, want] of cases) {
    const size = bytes.length / 2;
    const layout = { format: format as 's16', blockAlign: size, bigEndian };
    assert.deepEqual([...pcmToPlanar(new Uint8Array(bytes), layout, 1)[0]!], want.map(Math.fround), `${format} ${bigEndian ? 'BE' : 'LE'}`);
  }
  const f = new DataView(new ArrayBuffer(24));
  f.setFloat32(0, 0.25, true);
  f.setFloat32(4, -0.75, true);
  f.setFloat64(8, 0.1, false);
  f.setFloat64(16, -1, false);
  const fb = new Uint8Array(f.buffer);
  assert.deepEqual([...pcmToPlanar(fb.subarray(0, 8), { format: 'f32', blockAlign: 8 }, 2).map((p) => p[0])], [0.25, -0.75]);
  assert.deepEqual([...pcmToPlanar(fb.subarray(8), { format: 'f64', blockAlign: 8, bigEndian: true }, 1)[0]!], [Math.fround(0.1), -1]);
  // Preallocated output is filled in place and a partial trailing frame is ignored.
  const out = [new Float32Array(10)];
  const planes = pcmToPlanar(new Uint8Array([0, 0x40, 0, 0xc0, 7]), { format: 's16', blockAlign: 2 }, 1, out);
  assert.equal(planes[0]!.buffer, out[0]!.buffer);
  assert.deepEqual([...planes[0]!], [0.5, -0.5]);
});

test('probe: RIFF/WAVE scores high, RIFF/AVI scores 0', () => {
  assert.ok(wavFormat.probe(fixture('chirp-s16.wav').subarray(0, 65536), {}) >= 90, 'WAVE head');
  assert.equal(wavFormat.probe(new TextEncoder().encode('RIFF\0\0\0\0AVI LIST'), {}), 0);
});
