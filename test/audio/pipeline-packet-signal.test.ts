// A player's pipeline over a demuxer that says when a packet is at hand (HLS): audio already
// decoded comes out while the next packet is still on the network, instead of waiting for it.
// The decoder here is the exact PCM decoder with its output handed back one task later, the way
// WebCodecs hands back output (a callback task after the decode call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AudioPipeline } from '../../src/audio/pipeline.js';
import { PcmDecoder } from '../../src/decode/pcm-decoder.js';
import type { DecodedChunk, Decoder, DecoderFactory, DecoderOptions } from '../../src/decode/types.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../../src/demux/types.js';

const T = { timeout: 20_000 };

/** PCM decoding whose output arrives in a later task; `ready()` as WebCodecs' (output waiting or below the queue depth). */
class LaterDecoder implements Decoder {
  readonly kind = 'pcm' as const;
  readonly name = 'PCM, output one task later';
  readonly error = undefined;
  private readonly inner: PcmDecoder;
  private output: DecodedChunk[] = [];
  private fed = 0;
  private outs = 0;
  private waiters: (() => void)[] = [];
  private generation = 0;

  constructor(track: TrackInfo, private readonly highWater: number) {
    this.inner = new PcmDecoder(track);
  }
  get queueSize(): number {
    return this.fed - this.outs;
  }
  decode(packet: EncodedPacket): void {
    this.fed++;
    this.inner.decode(packet);
    const chunks = this.inner.takeOutput();
    const gen = this.generation;
    setTimeout(() => {
      if (gen !== this.generation) return;
      this.output.push(...chunks);
      this.outs++;
      this.wake();
    }, 0);
  }
  ready(): Promise<void> {
    if (this.output.length > 0 || this.queueSize < this.highWater) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  takeOutput(): DecodedChunk[] {
    const out = this.output;
    this.output = [];
    return out;
  }
  async flush(): Promise<void> {
    while (this.queueSize > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  reset(): void {
    this.generation++;
    this.output = [];
    this.fed = 0;
    this.outs = 0;
    this.wake();
  }
  close(): void {
    this.reset();
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

const factory: DecoderFactory = {
  async create(track: TrackInfo, _p, options?: DecoderOptions) {
    return new LaterDecoder(track, options?.queueDepth ?? 8);
  },
};

/**
 * A ramp of 100-frame PCM packets (value = decoder-output frame index) at 1000 Hz, of which the
 * first `available` are at hand and the rest arrive only when `release()` is called.
 */
class GatedDemuxer implements Demuxer {
  readonly track: TrackInfo = {
    container: 'wav', codec: 'pcm', codecString: 'pcm-f32', sampleRate: 1000, channels: 1,
    delayFrames: 0, totalFrames: 2000, prerollFrames: 0, pcm: { format: 'f32', blockAlign: 4 },
  };
  private index = 0;
  private released = false;
  private waiters: (() => void)[] = [];
  constructor(private readonly available: number, private readonly packets = 20) {}

  release(): void {
    this.released = true;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  get packetsReady(): number {
    const limit = this.released ? this.packets : Math.min(this.available, this.packets);
    return Math.max(0, limit - this.index);
  }
  packetReady(): Promise<void> {
    if (this.packetsReady > 0 || this.index >= this.packets) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  async next(): Promise<EncodedPacket | null> {
    if (this.index >= this.packets) return null;
    while (this.packetsReady === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const frame = this.index * 100;
    const data = new Float32Array(100);
    for (let i = 0; i < 100; i++) data[i] = frame + i;
    this.index++;
    return { data: new Uint8Array(data.buffer), frame, frames: 100, key: true };
  }
  async seek(frame: number): Promise<number> {
    this.index = Math.floor(frame / 100);
    return this.index * 100;
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

test('decoded audio is read while the next packet is still on its way, and nothing is lost or repeated after it lands', T, async () => {
  const demuxer = new GatedDemuxer(5);
  const p = await AudioPipeline.create(demuxer, factory, { outRate: 1000, quality: 'high', decoder: 'auto' });
  const first = await within(p.read(10_000), 5000, 'reading the 500 frames at hand');
  assert.ok(first !== null && first.frames > 0, 'a block while the sixth packet has not arrived');
  const got: number[] = Array.from(first.planes[0]!.subarray(0, first.frames));
  // Everything at hand comes out before the gate opens.
  while (got.length < 500) {
    const b = await within(p.read(10_000), 5000, `reading frame ${got.length}`);
    assert.ok(b !== null);
    got.push(...b.planes[0]!.subarray(0, b.frames));
  }
  assert.equal(got.length, 500, 'exactly the frames at hand');
  demuxer.release();
  for (;;) {
    const b = await p.read(10_000);
    if (b === null) break;
    got.push(...b.planes[0]!.subarray(0, b.frames));
  }
  assert.equal(got.length, 2000);
  for (let i = 0; i < got.length; i++) if (got[i] !== i) assert.fail(`frame ${i} is ${got[i]}`);
});

test('a seek while the pipeline waits for a packet lands exactly, and the wait does not leak into the new position', T, async () => {
  const demuxer = new GatedDemuxer(3);
  const p = await AudioPipeline.create(demuxer, factory, { outRate: 1000, quality: 'high', decoder: 'auto' });
  const b = await within(p.read(10_000), 5000, 'first read');
  assert.ok(b !== null);
  const seeking = p.seek(1.234);
  demuxer.release();
  await seeking;
  const after = await p.read(100);
  assert.ok(after !== null && after.epoch === p.epoch);
  assert.equal(after.planes[0]![0], 1234, 'the first frame after the seek is the target frame');
});
