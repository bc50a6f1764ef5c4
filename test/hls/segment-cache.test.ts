// The HLS segment loader over the asset store: segments, byte ranges and VOD playlists are
// served from the cache with no request once held; AES-128 segments are stored as ciphertext and
// decrypted on read by default, or stored decrypted on request; the key is never stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { AssetStore } from '../../src/assets/asset-store.js';
import { KeyManager } from '../../src/drm/key-manager.js';
import { decryptOnRead } from '../../src/hls/segment-decrypt.js';
import { SegmentLoader, type HlsCache } from '../../src/hls/segment-loader.js';
import type { HlsSegment } from '../../src/hls/playlist/types.js';
import { ivFromSequence } from '../../src/drm/iv.js';
import { createNet } from '../../src/net/net-options.js';
import { resolveRetryPolicy } from '../../src/net/net-options.js';
import { concatBytes } from '../../src/platform/bytes.js';
import { patternBytes, serve, type Served } from '../net/net-test-helpers.js';

const T = { timeout: 20_000 };
const KEY = new Uint8Array([...Array(16).keys()].map((i) => (i * 37 + 5) & 255));

let srv: Served;
let plain: Uint8Array;
let cipherSeq7: Uint8Array;

before(async () => {
  srv = await serve();
  plain = srv.generate('seg.bin', patternBytes(100_003, 31));
  const c = createCipheriv('aes-128-cbc', KEY, ivFromSequence(7));
  cipherSeq7 = srv.generate('seg-aes.bin', new Uint8Array(Buffer.concat([c.update(plain), c.final()])));
  srv.generate('key.bin', KEY);
  srv.generate('vod.m3u8', new TextEncoder().encode('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.bin\n#EXT-X-ENDLIST\n'));
  srv.generate('live.m3u8', new TextEncoder().encode('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.bin\n'));
});
after(() => srv.close());

async function setup(storeDecrypted = false) {
  const store = await AssetStore.create({ cache: 'memory', locks: 'local', process: decryptOnRead });
  const cache: HlsCache = { open: (url, o) => store.open(url, o), storeDecrypted };
  const net = createNet({});
  const keys = new KeyManager({ fetchKey: (uri, signal) => net.getBytes(uri, { signal }) });
  const loader = new SegmentLoader({ net, keys, retry: resolveRetryPolicy({}), cache });
  return { store, loader };
}

function seg(path: string, extra: Partial<HlsSegment> = {}): HlsSegment {
  return { uri: srv.url(path), duration: 2, startTime: 0, sequence: 7, discontinuity: false, ...extra } as HlsSegment;
}

async function load(loader: SegmentLoader, s: HlsSegment) {
  const parts: Uint8Array[] = [];
  const stats = await loader.segment(s, (b) => parts.push(b.slice()));
  return { bytes: concatBytes(parts), stats };
}

const count = (path: string, query?: string) => srv.server.log.filter((r) => r.path === path && (query === undefined || r.query.case === query)).length;

describe('SegmentLoader with a cache', () => {
  test('a clear segment is fetched once, then served from the cache with no request', T, async () => {
    const { loader } = await setup();
    const s = seg('/gen/seg.bin?case=clear');
    const first = await load(loader, s);
    assert.equal(first.stats.cached, false);
    assert.deepEqual(first.bytes, plain);
    const second = await load(loader, s);
    assert.equal(second.stats.cached, true);
    assert.deepEqual(second.bytes, plain);
    assert.equal(count('/gen/seg.bin', 'clear'), 1);
  });

  test('byte ranges of one URI are separate assets', T, async () => {
    const { loader, store } = await setup();
    const a = seg('/gen/seg.bin?case=range', { byteRange: { offset: 0, length: 40_000 } });
    const b = seg('/gen/seg.bin?case=range', { byteRange: { offset: 40_000, length: 60_003 } });
    assert.deepEqual((await load(loader, a)).bytes, plain.subarray(0, 40_000));
    assert.deepEqual((await load(loader, b)).bytes, plain.subarray(40_000));
    const again = await load(loader, b);
    assert.equal(again.stats.cached, true);
    assert.deepEqual(again.bytes, plain.subarray(40_000));
    assert.equal(count('/gen/seg.bin', 'range'), 2);
    assert.equal((await store.list()).length, 2);
  });

  test('an AES-128 segment is stored as ciphertext and decrypted on read', T, async () => {
    const { loader, store } = await setup();
    const s = seg('/gen/seg-aes.bin?case=enc', { key: { method: 'AES-128', uri: srv.url('/gen/key.bin') } } as Partial<HlsSegment>);
    assert.deepEqual((await load(loader, s)).bytes, plain);
    const raw = await store.open(s.uri);
    assert.equal(raw.resource.status, 'committed');
    assert.deepEqual(await raw.resource.read(0, raw.resource.length ?? 0), cipherSeq7, 'the stored bytes are the ciphertext');
    await raw.release();
    const second = await load(loader, s);
    assert.equal(second.stats.cached, true);
    assert.deepEqual(second.bytes, plain);
    assert.equal(count('/gen/seg-aes.bin', 'enc'), 1);
  });

  test('decryption on read serves any sub-range exactly', T, async () => {
    const { loader, store } = await setup();
    const s = seg('/gen/seg-aes.bin?case=sub', { key: { method: 'AES-128', uri: srv.url('/gen/key.bin') } } as Partial<HlsSegment>);
    await load(loader, s);
    const net = createNet({});
    const key = await new KeyManager({ fetchKey: (u, sig) => net.getBytes(u, { signal: sig }) }).getKey(srv.url('/gen/key.bin'));
    const h = await store.open(s.uri, { ctx: { key, iv: ivFromSequence(7) } });
    for (const [o, n] of [[0, 10], [5, 33], [16, 16], [99_990, 100], [50_001, 7_777], [100_000, 3]] as const) {
      const got = await h.resource.read(o, n);
      assert.deepEqual(got, plain.subarray(o, Math.min(o + n, plain.length)), `[${o}, +${n})`);
    }
    await h.release();
  });

  test('with storeDecrypted the plaintext is stored and a held segment needs no key request', T, async () => {
    const { loader, store } = await setup(true);
    const s = seg('/gen/seg-aes.bin?case=dec', { key: { method: 'AES-128', uri: srv.url('/gen/key.bin?case=dec') } } as Partial<HlsSegment>);
    assert.deepEqual((await load(loader, s)).bytes, plain);
    const raw = await store.open(s.uri);
    assert.deepEqual(await raw.resource.read(0, raw.resource.length ?? 0), plain);
    await raw.release();
    const fresh = new SegmentLoader({
      net: createNet({}),
      keys: new KeyManager({ fetchKey: () => Promise.reject(new Error('no key request expected')) }),
      retry: resolveRetryPolicy({}),
      cache: { open: (u, o) => store.open(u, o), storeDecrypted: true },
    });
    const second = await load(fresh, s);
    assert.equal(second.stats.cached, true);
    assert.deepEqual(second.bytes, plain);
    assert.equal(count('/gen/key.bin', 'dec'), 1);
  });

  test('a VOD playlist is cached, a live one is not', T, async () => {
    const { loader } = await setup();
    const parse = (t: string) => ({ text: t, vod: t.includes('#EXT-X-ENDLIST') });
    for (let i = 0; i < 2; i++) {
      await loader.playlist(srv.url('/gen/vod.m3u8?case=pl'), parse, (p) => p.vod);
      await loader.playlist(srv.url('/gen/live.m3u8?case=pl'), parse, (p) => p.vod);
    }
    assert.equal(count('/gen/vod.m3u8', 'pl'), 1);
    assert.equal(count('/gen/live.m3u8', 'pl'), 2);
  });

  test('store() fills the cache without delivering, then playback reads it with no request', T, async () => {
    const { loader } = await setup();
    const s = seg('/gen/seg-aes.bin?case=store', { key: { method: 'AES-128', uri: srv.url('/gen/key.bin') } } as Partial<HlsSegment>);
    const stored = await loader.store(s, s.sequence);
    assert.equal(stored.cached, false);
    assert.equal(stored.bytes, cipherSeq7.length);
    const played = await load(loader, s);
    assert.equal(played.stats.cached, true);
    assert.deepEqual(played.bytes, plain);
    assert.equal(count('/gen/seg-aes.bin', 'store'), 1);
  });
});
