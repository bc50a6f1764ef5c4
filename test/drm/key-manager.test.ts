import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptSegment } from '../../src/drm/aes-cbc.js';
import { KeyManager } from '../../src/drm/key-manager.js';
import { KitharaError } from '../../src/platform/errors.js';
import { nodeEncrypt, randomBytes } from './drm-test-helpers.js';

const IV = randomBytes(16, 3);

/** A fake network: keys by URI, every call counted, answers released by hand. */
class FakeKeyServer {
  readonly keys = new Map<string, Uint8Array>();
  readonly calls: string[] = [];
  readonly signals: AbortSignal[] = [];
  private gates: (() => void)[] = [];
  hold = false;
  failWith: Map<string, unknown> = new Map();

  fetchKey = async (uri: string, signal: AbortSignal): Promise<Uint8Array> => {
    this.calls.push(uri);
    this.signals.push(signal);
    if (this.hold) await new Promise<void>((resolve) => this.gates.push(resolve));
    const failure = this.failWith.get(uri);
    if (failure !== undefined) throw failure;
    const key = this.keys.get(uri);
    if (key === undefined) throw new KitharaError('http', `HTTP 404 for ${uri}`, { status: 404, url: uri });
    return key.slice();
  };

  release(): void {
    for (const g of this.gates.splice(0)) g();
  }
}

/** Proves `key` is the AES key `raw` by decrypting real data encrypted with `raw`. */
async function assertIsKey(key: CryptoKey, raw: Uint8Array): Promise<void> {
  const plain = randomBytes(1000, raw[0] ?? 0);
  assert.deepEqual(await decryptSegment(key, IV, nodeEncrypt(raw, IV, plain)), plain);
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a key is fetched once, imported, and then served from the cache', async () => {
  const server = new FakeKeyServer();
  const raw = randomBytes(16, 10);
  server.keys.set('https://k/1', raw);
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  const first = await keys.getKey('https://k/1');
  await assertIsKey(first, raw);
  assert.equal(keys.has('https://k/1'), true);
  assert.equal(await keys.getKey('https://k/1'), first);
  assert.deepEqual(server.calls, ['https://k/1']);
});

test('concurrent requests for one URI share a single fetch; other URIs fetch separately', async () => {
  const server = new FakeKeyServer();
  const a = randomBytes(16, 11);
  const b = randomBytes(16, 12);
  server.keys.set('a', a);
  server.keys.set('b', b);
  server.hold = true;
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  const waits = [keys.getKey('a'), keys.getKey('a'), keys.getKey('b'), keys.getKey('a', new AbortController().signal)];
  await tick();
  assert.deepEqual(server.calls, ['a', 'b']);
  server.release();
  const [a1, a2, b1, a3] = await Promise.all(waits);
  assert.equal(a1, a2);
  assert.equal(a1, a3);
  assert.notEqual(a1, b1);
  await assertIsKey(a1!, a);
  await assertIsKey(b1!, b);
  assert.equal(keys.size, 2);
});

test('a fetch failure reaches every waiter unchanged and is not cached', async () => {
  const server = new FakeKeyServer();
  server.hold = true;
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  const waits = [keys.getKey('missing'), keys.getKey('missing')];
  await tick();
  server.release();
  const results = await Promise.allSettled(waits);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const e = (r as PromiseRejectedResult).reason as KitharaError;
    assert.ok(e instanceof KitharaError);
    assert.equal(e.code, 'http');
    assert.equal(e.status, 404);
    assert.equal(e.url, 'missing');
  }
  assert.equal(keys.has('missing'), false);
  // The next request tries again, and succeeds once the key exists.
  server.hold = false;
  const raw = randomBytes(16, 13);
  server.keys.set('missing', raw);
  await assertIsKey(await keys.getKey('missing'), raw);
  assert.deepEqual(server.calls, ['missing', 'missing']);
});

test('a key that is not 16 bytes is a decrypt error naming the URI and the size', async () => {
  const server = new FakeKeyServer();
  server.keys.set('https://k/short', new Uint8Array(15));
  server.keys.set('https://k/html', new TextEncoder().encode('<html>Not a key, a login page</html>'));
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  await assert.rejects(keys.getKey('https://k/short'), (e: unknown) =>
    e instanceof KitharaError && e.code === 'decrypt' && e.url === 'https://k/short' &&
    e.message === 'key at https://k/short is 15 bytes, expected 16');
  await assert.rejects(keys.getKey('https://k/html'), (e: unknown) =>
    e instanceof KitharaError && e.code === 'decrypt' && /is 36 bytes, expected 16/.test(e.message));
  assert.equal(keys.size, 0);
});

test('a plain error from the network becomes a network KitharaError keeping the cause', async () => {
  const server = new FakeKeyServer();
  const cause = new TypeError('Failed to fetch');
  server.failWith.set('u', cause);
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  await assert.rejects(keys.getKey('u'), (e: unknown) =>
    e instanceof KitharaError && e.code === 'network' && e.url === 'u' && e.cause === cause);
});

test('keyLoader supplies keys instead of the network', async () => {
  const server = new FakeKeyServer();
  const raw = randomBytes(16, 14);
  const asked: string[] = [];
  const keys = new KeyManager({
    fetchKey: server.fetchKey,
    keyLoader: async (uri) => {
      asked.push(uri);
      return raw;
    },
  });
  await assertIsKey(await keys.getKey('skd://whatever'), raw);
  await keys.getKey('skd://whatever');
  assert.deepEqual(asked, ['skd://whatever']);
  assert.deepEqual(server.calls, []);
});

test('a failing keyLoader is a decrypt error; its own KitharaError passes through', async () => {
  const mine = new KitharaError('http', 'licence server said no', { status: 403 });
  const keys = new KeyManager({
    fetchKey: async () => new Uint8Array(16),
    keyLoader: async (uri) => {
      if (uri === 'typed') throw mine;
      throw new Error('no licence');
    },
  });
  await assert.rejects(keys.getKey('typed'), (e: unknown) => e === mine);
  await assert.rejects(keys.getKey('plain'), (e: unknown) => e instanceof KitharaError && e.code === 'decrypt' && /no licence/.test(e.message));
});

test('aborting one waiter leaves the shared fetch to the others; aborting all cancels it', async () => {
  const server = new FakeKeyServer();
  const raw = randomBytes(16, 15);
  server.keys.set('k', raw);
  server.hold = true;
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  const one = new AbortController();
  const two = new AbortController();
  const p1 = keys.getKey('k', one.signal);
  const p2 = keys.getKey('k', two.signal);
  await tick();
  one.abort();
  await assert.rejects(p1, (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
  assert.equal(server.signals[0]?.aborted, false);
  server.release();
  await assertIsKey(await p2, raw);

  // Now everyone leaves: the request itself is aborted and nothing is cached.
  const three = new AbortController();
  server.hold = true;
  const p3 = keys.getKey('other', three.signal);
  await tick();
  three.abort();
  await assert.rejects(p3, (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
  assert.equal(server.signals[1]?.aborted, true);
  server.release();
  await tick();
  assert.equal(keys.has('other'), false);
  // An already aborted signal never starts a request.
  await assert.rejects(keys.getKey('never', AbortSignal.abort()), (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
  assert.equal(server.calls.includes('never'), false);
});

test('close aborts requests in flight and forgets cached keys', async () => {
  const server = new FakeKeyServer();
  server.keys.set('x', randomBytes(16, 16));
  server.keys.set('y', randomBytes(16, 17));
  const keys = new KeyManager({ fetchKey: server.fetchKey });
  await keys.getKey('x');
  server.hold = true;
  const pending = keys.getKey('y', new AbortController().signal);
  await tick();
  keys.close();
  assert.equal(server.signals[1]?.aborted, true);
  assert.equal(keys.size, 0);
  server.release();
  await pending; // the fake ignores its signal; the waiter still gets the key, but it is not cached
  assert.equal(keys.has('y'), false);
});

test('the cache keeps at most maxCachedKeys, dropping the least recently used', async () => {
  const server = new FakeKeyServer();
  for (let i = 0; i < 5; i++) server.keys.set(`k${i}`, randomBytes(16, 20 + i));
  const keys = new KeyManager({ fetchKey: server.fetchKey, maxCachedKeys: 3 });
  for (let i = 0; i < 3; i++) await keys.getKey(`k${i}`);
  await keys.getKey('k0'); // a hit makes k0 the most recent
  await keys.getKey('k3');
  await keys.getKey('k4');
  assert.equal(keys.size, 3);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => keys.has(`k${i}`)), [true, false, false, true, true]);
  assert.deepEqual(server.calls, ['k0', 'k1', 'k2', 'k3', 'k4']);
  assert.throws(() => new KeyManager({ fetchKey: server.fetchKey, maxCachedKeys: 0 }), TypeError);
});
