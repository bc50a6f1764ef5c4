import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDriver, MemoryResource } from '../../src/storage/memory-resource.js';
import { KitharaError } from '../../src/platform/errors.js';

function bytes(start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (start + i) * 7 % 251;
  return out;
}

/** Resolves to the settled state of a promise without waiting for it. */
async function state<T>(p: Promise<T>): Promise<'pending' | { value: T } | { error: unknown }> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), Promise.resolve().then(() => marker)]);
  return r === marker ? 'pending' : (r as { value: T } | { error: unknown });
}

test('written bytes read back exactly, across buffer growth', async () => {
  const res = new MemoryResource('t');
  await res.writeAt(0, bytes(0, 1000));
  await res.writeAt(200_000, bytes(200_000, 5000)); // forces growth past the initial capacity
  await res.writeAt(1000, bytes(1000, 199_000));
  const got = await res.read(0, 205_000);
  assert.deepEqual(got, bytes(0, 205_000));
  assert.equal(res.available.coveredBytes, 205_000);
  assert.deepEqual(res.readView(100, 10), bytes(100, 10));
});

test('read returns a copy that later writes do not touch', async () => {
  const res = new MemoryResource('t', { length: 20 });
  await res.writeAt(0, bytes(0, 10));
  const copy = await res.read(0, 10);
  copy.fill(0);
  assert.deepEqual(await res.read(0, 10), bytes(0, 10));
});

test('reading bytes that are not held rejects with a storage error', async () => {
  const res = new MemoryResource('t');
  await res.writeAt(0, bytes(0, 10));
  await assert.rejects(res.read(5, 10), (e: unknown) => e instanceof KitharaError && e.code === 'storage');
});

test('concurrent waiters resolve as soon as their own range is written', async () => {
  const res = new MemoryResource('t');
  const a = res.waitRange(0, 100);
  const b = res.waitRange(50, 150);
  const c = res.waitRange(1000, 1010);
  await res.writeAt(0, bytes(0, 100));
  assert.deepEqual(await state(a), { value: 'ready' });
  assert.equal(await state(b), 'pending');
  await res.writeAt(100, bytes(100, 49));
  assert.equal(await state(b), 'pending', 'one byte still missing');
  await res.writeAt(149, bytes(149, 1));
  assert.deepEqual(await state(b), { value: 'ready' });
  assert.equal(await state(c), 'pending');
  assert.equal(res.pendingWaits, 1);
  res.commit(1010);
  await assert.rejects(c, (e: unknown) => e instanceof KitharaError && e.code === 'storage');
});

test('a waiter for a range that passes the end resolves when the tail is held', async () => {
  const res = new MemoryResource('t');
  const w = res.waitRange(90, 200);
  await res.writeAt(0, bytes(0, 95));
  res.setLength(100);
  assert.equal(await state(w), 'pending');
  await res.writeAt(95, bytes(95, 5));
  assert.deepEqual(await state(w), { value: 'ready' });
});

test('commit resolves waiters past the end with eof', async () => {
  const res = new MemoryResource('t');
  const past = res.waitRange(64, 80);
  await res.writeAt(0, bytes(0, 64));
  res.commit();
  assert.equal(res.length, 64);
  assert.equal(res.status, 'committed');
  assert.equal(await past, 'eof');
  assert.equal(await res.waitRange(64, 64), 'eof');
  assert.equal(await res.waitRange(10, 70), 'ready');
  assert.throws(() => res.writeAt(64, bytes(0, 1)), (e: unknown) => e instanceof KitharaError && e.code === 'storage');
});

test('fail rejects every pending and future waiter with the failure', async () => {
  const res = new MemoryResource('t');
  const w1 = res.waitRange(0, 10);
  const w2 = res.waitRange(5, 6);
  const err = new KitharaError('http', 'not found', { status: 404, url: 'x' });
  res.fail(err);
  await assert.rejects(w1, (e) => e === err);
  await assert.rejects(w2, (e) => e === err);
  await assert.rejects(res.waitRange(0, 1), (e) => e === err);
  assert.equal(res.error, err);
  res.reactivate();
  assert.equal(res.status, 'active');
  const w3 = res.waitRange(0, 4);
  await res.writeAt(0, bytes(0, 4));
  assert.equal(await w3, 'ready');
});

test('an aborted signal rejects only its own waiter with an aborted error', async () => {
  const res = new MemoryResource('t');
  const ctl = new AbortController();
  const mine = res.waitRange(0, 10, ctl.signal);
  const other = res.waitRange(0, 10);
  ctl.abort();
  await assert.rejects(mine, (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
  assert.equal(res.pendingWaits, 1);
  await res.writeAt(0, bytes(0, 10));
  assert.equal(await other, 'ready');
  await assert.rejects(res.waitRange(0, 1, ctl.signal), (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
});

test('setLength rejects writes past the length and lengths shorter than the held bytes', async () => {
  const res = new MemoryResource('t');
  await res.writeAt(0, bytes(0, 50));
  assert.throws(() => res.setLength(40), (e: unknown) => e instanceof KitharaError && e.code === 'storage');
  res.setLength(60);
  assert.throws(() => res.writeAt(55, bytes(55, 10)), (e: unknown) => e instanceof KitharaError && e.code === 'storage');
  assert.equal(await res.waitRange(60, 70), 'eof');
  await res.writeAt(50, bytes(50, 10));
  assert.deepEqual(await res.read(0, 100), bytes(0, 60));
});

test('the memory driver reopens the same resource by key until removed', async () => {
  const driver = new MemoryDriver();
  const a = await driver.open('k', { length: 4 });
  await a.writeAt(0, bytes(0, 4));
  const again = await driver.open('k');
  assert.equal(again, a);
  await driver.remove('k');
  const fresh = await driver.open('k');
  assert.notEqual(fresh, a);
  assert.equal(fresh.available.coveredBytes, 0);
});
