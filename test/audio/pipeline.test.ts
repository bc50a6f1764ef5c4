// The audio pipeline in Node, on real demuxers and the exact PCM decoder: trimming of delay and
// padding, sample-accurate seeks with preroll, epochs, channel mapping and resampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AudioPipeline } from '../../src/audio/pipeline.js';
import { DefaultDecoderFactory } from '../../src/decode/factory.js';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource } from '../../src/stream/source.js';
import { openDemuxer } from '../../src/demux/detect.js';
import { formats } from '../../src/demux/registry.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../../src/demux/types.js';
import { expectedPcm, alignTo, exactCompare } from '../lib/analyze.mjs';

const factory = new DefaultDecoderFactory();

async function wavPipeline(file: string, outRate: number, outChannels?: number): Promise<AudioPipeline> {
  const bytes = new Uint8Array(readFileSync(`fixtures/media/${file}`));
  const demuxer = await openDemuxer(new ByteReader(new MemorySource(bytes)), { url: file }, formats);
  return AudioPipeline.create(demuxer, factory, { outRate, outChannels, quality: 'high', decoder: 'auto' });
}

async function readAll(p: AudioPipeline, block = 1000): Promise<Float32Array[]> {
  const parts: Float32Array[][] = [];
  for (;;) {
    const b = await p.read(block);
    if (b === null) break;
    parts.push(b.planes.map((x) => x.slice(0, b.frames)));
  }
  const channels = parts[0]?.length ?? 0;
  return Array.from({ length: channels }, (_, ch) => {
    const total = parts.reduce((n, p) => n + (p[ch] as Float32Array).length, 0);
    const out = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p[ch] as Float32Array, o);
      o += (p[ch] as Float32Array).length;
    }
    return out;
  });
}

test('a WAV at its own rate comes out sample-exact, in any read size', async () => {
  for (const block of [1, 777, 4096]) {
    const p = await wavPipeline('chirp-s16.wav', 44100);
    const planes = await readAll(p, block === 1 ? 50000 : block);
    const want = expectedPcm(2, 44100, 264600, { bits: 16 });
    assert.equal(planes[0]!.length, 264600, 'every frame, no more');
    const cmp = exactCompare(planes, want);
    assert.ok(cmp.equal, `block ${block}: exact (first difference at ${cmp.firstDiff})`);
  }
});

test('seek is sample-exact and bumps the epoch; blocks carry the time of their first frame', async () => {
  const p = await wavPipeline('chirp-s16.wav', 44100);
  await p.read(1000);
  const before = p.epoch;
  await p.seek(3.0001);
  assert.equal(p.epoch, before + 1, 'epoch bumped');
  const b = await p.read(2048);
  assert.ok(b !== null, 'audio after the seek');
  assert.equal(b.epoch, p.epoch, 'block carries the new epoch');
  const start = Math.round(3.0001 * 44100);
  assert.ok(Math.abs(b.time - start / 44100) < 1e-9, `block time ${b.time}`);
  const want = expectedPcm(2, 44100, 2048, { bits: 16, startFrame: start });
  assert.ok(exactCompare(b.planes.map((x) => x.subarray(0, b.frames)), want).equal, 'first frame is the target frame');
});

test('resampling 44100→48000 keeps the timeline: output frame k is time k/48000', async () => {
  const p = await wavPipeline('chirp-s16.wav', 48000);
  const planes = await readAll(p, 4096);
  assert.equal(planes[0]!.length, 288000, 'length scales exactly');
  const a = alignTo(planes, 48000, 2.5, { start: 120000, searchMs: 5 });
  assert.ok(Math.abs(a.lagFrames) < 0.05, `lag ${a.lagFrames} frames`);
  assert.ok(a.corr > 0.9999, `corr ${a.corr}`);
});

test('mono is duplicated to stereo and stereo is mixed to mono on request', async () => {
  const up = await readAll(await wavPipeline('chirp-mono-s16-22050.wav', 22050, 2));
  assert.equal(up.length, 2);
  assert.deepEqual(up[0], up[1], 'both channels carry the mono signal');
  const down = await readAll(await wavPipeline('chirp-s16.wav', 44100, 1));
  const want = expectedPcm(2, 44100, 264600, { bits: 16 });
  const i = 123456;
  assert.ok(Math.abs(down[0]![i]! - (want[0]![i]! + want[1]![i]!) / 2) < 1e-7, 'mono is the average');
});

/** A synthetic codec-less demuxer: PCM packets with priming and padding around a ramp. */
class RampDemuxer implements Demuxer {
  private index = 0;
  readonly track: TrackInfo;
  constructor(private readonly packetFrames: number, private readonly packets: number, delay: number, total: number, preroll: number) {
    this.track = {
      container: 'wav', codec: 'pcm', codecString: 'pcm-f32', sampleRate: 1000, channels: 1,
      delayFrames: delay, totalFrames: total, prerollFrames: preroll, pcm: { format: 'f32', blockAlign: 4 },
    };
  }
  async next(): Promise<EncodedPacket | null> {
    if (this.index >= this.packets) return null;
    const frame = this.index * this.packetFrames;
    const data = new Float32Array(this.packetFrames);
    for (let i = 0; i < data.length; i++) data[i] = frame + i; // value = decoder-output frame index
    this.index += 1;
    return { data: new Uint8Array(data.buffer), frame, frames: this.packetFrames, key: true };
  }
  async seek(frame: number): Promise<number> {
    this.index = Math.max(0, Math.floor(frame / this.packetFrames));
    return this.index * this.packetFrames;
  }
}

test('encoder delay and padding are trimmed: the first frame out is the first real frame', async () => {
  const demuxer = new RampDemuxer(100, 20, 37, 1900, 0);
  const p = await AudioPipeline.create(demuxer, factory, { outRate: 1000, quality: 'high', decoder: 'auto' });
  const [plane] = await readAll(p, 64);
  assert.equal(plane!.length, 1900, 'total frames after trimming');
  assert.equal(plane![0], 37, 'starts at the delay');
  assert.equal(plane![1899], 37 + 1899, 'ends before the padding');
});

test('a seek decodes from the preroll point and discards up to the exact frame', async () => {
  const demuxer = new RampDemuxer(100, 20, 37, 1900, 250);
  const p = await AudioPipeline.create(demuxer, factory, { outRate: 1000, quality: 'high', decoder: 'auto' });
  await p.seek(1.234);
  const b = await p.read(10);
  assert.ok(b !== null);
  assert.equal(b.planes[0]![0], 37 + 1234, 'exact target frame after delay');
  assert.equal(b.time, 1.234);
  await p.seek(99);
  assert.equal(await p.read(10), null, 'a seek past the end reads nothing');
});

test('a read queued before a seek carries the old epoch, never old audio under the new one', async () => {
  const p = await wavPipeline('chirp-s16.wav', 44100);
  const queued = p.read(512); // queued before the seek, so it reads the old position
  const seeking = p.seek(4.0);
  const newEpoch = p.epoch;
  const stale = await queued;
  await seeking;
  assert.ok(stale !== null);
  assert.notEqual(stale.epoch, newEpoch, 'the queued read is tagged with the epoch it was decoded in');
  const fresh = await p.read(512);
  assert.ok(fresh !== null);
  assert.equal(fresh.epoch, newEpoch);
  assert.equal(fresh.time, 4.0, 'the first block of the new epoch starts at the target');
});
