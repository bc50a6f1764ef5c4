// The HLS segment loader hands the bytes to its caller as they arrive, ahead of the cache: a
// cache whose writes are slow never holds back what a player could already decode, and the
// asset is still stored whole (and only committed once every write is done).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { AssetStore } from '../../src/assets/asset-store.js';
import { KeyManager } from '../../src/drm/key-manager.js';
import { decryptOnRead } from '../../src/hls/segment-decrypt.js';
import { SegmentLoader, type HlsCache } from '../../src/hls/segment-loader.js';
import type { HlsSegment } from '../../src/hls/playlist/types.js';
import { ivFromSequence } from '../../src/drm/iv.js';
import { createNet, resolveRetryPolicy } from '../../src/net/net-options.js';
import { concatBytes } from '../../src/platform/bytes.js';
import { patternBytes, serve, type Served } from '../net/net-test-helpers.js';

const T = { timeout: 20_000 };
const KEY = new Uint8Array([...Array(16).keys()].map((i) => (i * 11 + 3) & 255));

let srv: Served;
let plain: Uint8Array;

before(async () => {
  srv = await serve();
  plain = srv.generate('stream-seg.bin', patternBytes(150_001, 7));
  const c = createCipheriv('aes-128-cbc', KEY, ivFromSequence(3));
  srv.generate('stream-seg-aes.bin', new Uint8Array(Buffer.concat([c.update(plain), c.final()])));
  srv.generate('stream-key.bin', KEY);
});
after(() => srv.close());

/** A memory cache whose writes wait until `open()` is called on the returned gate. */
async function gatedCache(storeDecrypted: boolean) {
  const store = await AssetStore.create({ cache: 'memory', locks: 'local', process: decryptOnRead });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const cache: HlsCache = {
    storeDecrypted,
    async open(url, options) {
      const handle = await store.open(url, options);
      const resource = handle.resource;
      const writeAt = resource.writeAt.bind(resource);
      resource.writeAt = async (offset: number, bytes: Uint8Array) => {
        await gate;
        return writeAt(offset, bytes);
      };
      return handle;
    },
  };
  return { store, cache, open: release };
}

/** Resolves when `received()` reaches `n` bytes, checked on every delivery. */
function collector(n: number) {
  const parts: Uint8Array[] = [];
  let total = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  return {
    onBytes(b: Uint8Array) {
      parts.push(b.slice());
      total += b.byteLength;
      if (total >= n) done();
    },
    all,
    bytes: () => concatBytes(parts),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

describe('SegmentLoader delivers bytes ahead of the cache', () => {
  for (const encrypted of [false, true]) {
    test(`${encrypted ? 'an AES-128' : 'a clear'} segment reaches the caller whole while every cache write is still waiting, then is stored`, T, async () => {
      const { store, cache, open } = await gatedCache(false);
      const net = createNet({});
      const keys = new KeyManager({ fetchKey: (uri, signal) => net.getBytes(uri, { signal }) });
      const loader = new SegmentLoader({ net, keys, retry: resolveRetryPolicy({}), cache });
      const name = encrypted ? 'stream-seg-aes.bin' : 'stream-seg.bin';
      const s = {
        uri: srv.url(`/gen/${name}`),
        duration: 2,
        startTime: 0,
        sequence: 3,
        discontinuity: false,
        ...(encrypted && { key: { method: 'AES-128', uri: srv.url('/gen/stream-key.bin') } }),
      } as HlsSegment;
      const sink = collector(plain.byteLength);
      const loading = loader.segment(s, (b) => sink.onBytes(b));
      await withTimeout(sink.all, 10_000, 'delivery of the whole segment while the cache is blocked');
      assert.deepEqual(sink.bytes(), plain, 'the caller has every byte, in order');
      const raw = await store.open(s.uri);
      assert.notEqual(raw.resource.status, 'committed', 'nothing is committed before its writes are done');
      await raw.release();
      open();
      const stats = await loading;
      assert.equal(stats.cached, false);
      const again = collector(plain.byteLength);
      const second = await loader.segment(s, (b) => again.onBytes(b));
      assert.equal(second.cached, true, 'stored whole once the writes went through');
      assert.deepEqual(again.bytes(), plain);
    });
  }

  test('an init segment resolves once its bytes are in, while its cache write still waits; it is stored after', T, async () => {
    const { store, cache, open } = await gatedCache(false);
    const net = createNet({});
    const keys = new KeyManager({ fetchKey: (uri, signal) => net.getBytes(uri, { signal }) });
    const loader = new SegmentLoader({ net, keys, retry: resolveRetryPolicy({}), cache });
    const map = { uri: srv.url('/gen/stream-seg.bin?case=init'), byteRange: { offset: 1000, length: 20_000 } };
    const bytes = await withTimeout(loader.init(map, 0), 10_000, 'the init segment while the cache is blocked');
    assert.deepEqual(bytes, plain.subarray(1000, 21_000));
    const held = await store.open(map.uri, { range: map.byteRange, length: map.byteRange.length });
    assert.notEqual(held.resource.status, 'committed', 'not stored yet: its write waits');
    await held.release();
    open();
    // Stored whole once the write went through (a new loader has no init segments in memory).
    const fresh = new SegmentLoader({ net, keys, retry: resolveRetryPolicy({}), cache });
    for (let i = 0; i < 50; i++) {
      const h = await store.open(map.uri, { range: map.byteRange, length: map.byteRange.length });
      const status = h.resource.status;
      await h.release();
      if (status === 'committed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const stats = await fresh.store(map, 0);
    assert.equal(stats.cached, true, 'committed after its write');
  });
});

