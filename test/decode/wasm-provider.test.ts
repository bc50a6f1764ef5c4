import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeAll, demux } from './wasm-helpers.js';
import { SOFTWARE_CODECS, wasmDecoderProvider } from '../../src/decode/wasm/provider.js';
import { PacketDecoder, type PacketCodec } from '../../src/decode/wasm/packet-decoder.js';
import { DefaultDecoderFactory } from '../../src/decode/factory.js';
import type { EncodedPacket, TrackInfo } from '../../src/demux/types.js';
import { KitharaError } from '../../src/platform/errors.js';

const MEDIA = join(process.cwd(), 'fixtures', 'media');

const track = (over: Partial<TrackInfo>): TrackInfo => ({
  container: 'mp3', codec: 'mp3', codecString: 'mp3', sampleRate: 44100, channels: 2, delayFrames: 0, prerollFrames: 0, ...over,
});

test('the provider supports every demuxed fixture codec and names the implementation', async () => {
  const expected: Record<string, string> = {
    'chirp-cbr.mp3': 'WASM MPEG audio (Kithara)',
    'chirp.opus': 'WASM libopus (Opus)',
    'chirp.ogg': 'WASM Vorbis (Kithara)',
    'chirp.flac': 'Software FLAC (TypeScript)',
  };
  for (const [file, name] of Object.entries(expected)) {
    const { track: t } = await demux(join(MEDIA, file));
    assert.equal(await wasmDecoderProvider.supports(t), true, file);
    const d = await wasmDecoderProvider.create(t);
    assert.equal(d.kind, 'wasm');
    assert.equal(d.name, name);
    d.close();
  }
  const alac = await demux('alac-16-22050-mono.m4a');
  assert.equal((await wasmDecoderProvider.create(alac.track)).name, 'Software ALAC (TypeScript)');
  const mp2 = await demux('mp2-l2-24000-mono.mp2');
  assert.equal((await wasmDecoderProvider.create(mp2.track)).name, 'WASM MPEG audio (Kithara)');
});

test('the provider refuses tracks it cannot decode, and says why on create', async () => {
  assert.equal(await wasmDecoderProvider.supports(track({ codec: 'pcm', codecString: 'pcm-s16' })), false);
  assert.equal(await wasmDecoderProvider.supports(track({ codec: 'vorbis', codecString: 'vorbis' })), false, 'Vorbis needs its headers');
  assert.equal(await wasmDecoderProvider.supports(track({ codec: 'alac', codecString: 'alac' })), false, 'ALAC needs its cookie');
  assert.equal(typeof (await wasmDecoderProvider.supports(track({ codec: 'aac', codecString: 'mp4a.40.2' }))), 'boolean');
  await assert.rejects(wasmDecoderProvider.create(track({ codec: 'pcm', codecString: 'pcm-s16' })), (e: unknown) => e instanceof KitharaError && e.code === 'unsupported');
  assert.deepEqual([...SOFTWARE_CODECS].sort(), ['aac', 'alac', 'flac', 'mp1', 'mp2', 'mp3', 'opus', 'vorbis']);
});

test('DefaultDecoderFactory falls back to the provider without WebCodecs and when WASM is forced', async () => {
  const { track: t, packets } = await demux(join(MEDIA, 'chirp.flac'));
  const factory = new DefaultDecoderFactory(() => import('../../src/decode/wasm/provider.js').then((m) => m.wasmDecoderProvider));
  for (const preference of ['auto', 'wasm'] as const) {
    const d = await factory.create(t, preference);
    assert.equal(d.kind, 'wasm');
    const chunks = await decodeAll(d, packets.slice(0, 3));
    assert.deepEqual(chunks.map((c) => c.frame), [0, 4608, 9216]);
  }
  await assert.rejects(factory.create(t, 'webcodecs'), (e: unknown) => e instanceof KitharaError && e.code === 'unsupported');
});

/** A codec that doubles each packet's first byte into `frames` samples, loading after `gate`. */
function fakeCodec(log: string[]): PacketCodec {
  return {
    decode(p: EncodedPacket) {
      if (p.data[0] === 0xff) throw new Error('bad packet');
      log.push(`decode ${p.frame}`);
      return { planes: [new Float32Array(p.frames).fill(p.data[0]! * 2)], sampleRate: 8000 };
    },
    reset() {
      log.push('reset');
      return new Promise<void>((resolve) => setTimeout(resolve, 5));
    },
    close() {
      log.push('close');
    },
  };
}

const packet = (frame: number, byte = 1): EncodedPacket => ({ data: Uint8Array.of(byte), frame, frames: 10, key: true });

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('PacketDecoder queues packets while the codec loads, waits at the high-water mark, then drains in order', async () => {
  const log: string[] = [];
  const loading = gate();
  const d = new PacketDecoder('fake', track({}), () => loading.promise.then(() => fakeCodec(log)), 3);
  for (let i = 0; i < 3; i++) d.decode(packet(i * 10, i + 1));
  assert.equal(d.queueSize, 3);
  let ready = false;
  void d.ready().then(() => (ready = true));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(ready, false, 'ready() waits while the queue is full and nothing is decoded');
  loading.open();
  await d.flush();
  assert.equal(ready, true);
  assert.equal(d.queueSize, 0);
  const out = d.takeOutput();
  assert.deepEqual(out.map((c) => [c.frame, c.frames, c.planes[0]![0]]), [[0, 10, 2], [10, 10, 4], [20, 10, 6]]);
  assert.deepEqual(d.takeOutput(), []);
});

test('PacketDecoder reset() drops queued work and output, and waits for an asynchronous codec reset', async () => {
  const log: string[] = [];
  const d = new PacketDecoder('fake', track({}), () => Promise.resolve(fakeCodec(log)));
  await d.flush();
  d.decode(packet(0));
  d.reset();
  assert.deepEqual(d.takeOutput(), [], 'output from before the reset is gone');
  d.decode(packet(500, 3));
  d.reset(); // again while the codec resets: only the queue is cleared
  d.decode(packet(600, 4));
  assert.equal(d.queueSize, 1);
  await d.flush();
  assert.deepEqual(d.takeOutput().map((c) => c.frame), [600]);
  assert.deepEqual(log, ['decode 0', 'reset', 'decode 600']);
});

test('PacketDecoder turns load and decode failures into a decode KitharaError and ignores later calls', async () => {
  const failing = new PacketDecoder('fake', track({}), () => Promise.reject(new Error('no wasm')));
  failing.decode(packet(0));
  await failing.flush();
  assert.equal(failing.error?.code, 'decode');
  assert.ok(failing.error?.cause instanceof Error);

  const log: string[] = [];
  const d = new PacketDecoder('fake', track({}), () => Promise.resolve(fakeCodec(log)));
  await d.flush();
  d.decode(packet(0));
  d.decode(packet(10, 0xff));
  d.decode(packet(20));
  await d.ready();
  assert.equal(d.error?.code, 'decode');
  assert.match(d.error?.message ?? '', /frame 10/);
  assert.deepEqual(d.takeOutput().map((c) => c.frame), [0]);
  d.decode(packet(30));
  await d.flush();
  assert.deepEqual(d.takeOutput(), []);
});

test('PacketDecoder close() releases the codec, also when it is still loading', async () => {
  const log: string[] = [];
  const loading = gate();
  const d = new PacketDecoder('fake', track({}), () => loading.promise.then(() => fakeCodec(log)));
  d.decode(packet(0));
  d.close();
  loading.open();
  await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(log, ['close']);
  d.decode(packet(10));
  await d.flush();
  assert.deepEqual(d.takeOutput(), []);
});
