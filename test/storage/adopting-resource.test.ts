import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdoptingResource, MEMORY_MIRROR_BYTES } from '../../src/storage/adopting-resource.js';
import { MemoryResource } from '../../src/storage/memory-resource.js';
import { pattern } from './contract.js';

/** A target whose writes resolve later (as an asynchronous store's do), counting them. */
class SlowTarget extends MemoryResource {
  writes: [number, number][] = [];
  override writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    this.writes.push([offset, bytes.byteLength]);
    const copy = bytes.slice();
    return new Promise((resolve, reject) => setTimeout(() => Promise.resolve(super.writeAt(offset, copy)).then(resolve, reject), 1));
  }
}

test('bytes written before adoption are readable at once, and waits on them resolve', async () => {
  const r = new AdoptingResource('k');
  const wait = r.waitRange(0, 3000);
  await r.writeAt(0, pattern(0, 2000));
  await r.writeAt(2000, pattern(2000, 1000));
  assert.equal(await wait, 'ready');
  assert.deepEqual(await r.read(500, 2000), pattern(500, 2000));
  assert.equal(r.adopted, false);
});

test('adoption copies every early byte into the target once, and later writes go straight through', async () => {
  const r = new AdoptingResource('k');
  await r.writeAt(0, pattern(0, 1000));
  await r.writeAt(4000, pattern(4000, 1000)); // a gap: a seek's range request
  const target = new SlowTarget('t');
  await r.adopt(target);
  assert.deepEqual(target.available.toJSON(), [[0, 1000], [4000, 5000]]);
  await r.writeAt(1000, pattern(1000, 3000));
  assert.deepEqual(target.writes, [[0, 1000], [4000, 1000], [1000, 3000]], 'each byte written to the target exactly once');
  assert.deepEqual(await target.read(0, 5000), pattern(0, 5000));
  assert.deepEqual(await r.read(0, 5000), pattern(0, 5000), 'reads after adoption see every byte');
});

test('the caller may reuse its buffer after a write before adoption', async () => {
  const r = new AdoptingResource('k');
  const buf = pattern(0, 100);
  await r.writeAt(0, buf);
  buf.fill(0);
  const target = new MemoryResource('t');
  await r.adopt(target);
  assert.deepEqual(await target.read(0, 100), pattern(0, 100));
});

test('the length and a commit made before adoption reach the target with the bytes', async () => {
  const r = new AdoptingResource('k');
  r.setLength(300);
  await r.writeAt(0, pattern(0, 300));
  r.commit();
  const target = new SlowTarget('t');
  await r.adopt(target);
  await r.settled();
  assert.equal(target.length, 300);
  assert.equal(target.status, 'committed');
  assert.deepEqual(await target.read(0, 300), pattern(0, 300));
});

test('a commit after adoption waits for the writes in flight, then commits the target', async () => {
  const r = new AdoptingResource('k');
  const target = new SlowTarget('t');
  await r.adopt(target);
  const w = r.writeAt(0, pattern(0, 500));
  assert.equal(target.status, 'active');
  await w;
  r.commit(500);
  await r.settled();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(target.status, 'committed');
  assert.equal(target.length, 500);
});

test('a target already complete (another page finished it) is read, never written', async () => {
  const target = new MemoryResource('t');
  await target.writeAt(0, pattern(0, 800));
  target.commit();
  const r = new AdoptingResource('k');
  await r.writeAt(0, pattern(0, 100));
  await r.adopt(target);
  await r.writeAt(100, pattern(100, 200));
  assert.equal(target.status, 'committed');
  assert.deepEqual(await r.read(0, 300), pattern(0, 300));
});

test('a failed download does not fail the target: what arrived stays, to be resumed', async () => {
  const r = new AdoptingResource('k');
  await r.writeAt(0, pattern(0, 100));
  const target = new MemoryResource('t');
  await r.adopt(target);
  r.fail(new (await import('../../src/platform/errors.js')).KitharaError('network', 'dropped'));
  assert.equal(target.status, 'active');
  assert.deepEqual(target.available.toJSON(), [[0, 100]]);
});

/** A target that counts its reads. */
class CountingTarget extends SlowTarget {
  reads = 0;
  override read(offset: number, length: number): Uint8Array | Promise<Uint8Array> {
    this.reads++;
    return super.read(offset, length);
  }
}

test('while it fits the mirror, what was received is read from memory, before and after adoption', async () => {
  const r = new AdoptingResource('k');
  await r.writeAt(0, pattern(0, 3000));
  const target = new CountingTarget('t');
  await r.adopt(target);
  await r.writeAt(3000, pattern(3000, 2000));
  assert.deepEqual(target.writes, [[0, 3000], [3000, 2000]], 'the target still gets every byte once');
  assert.deepEqual(await r.read(1000, 3500), pattern(1000, 3500));
  assert.equal(target.reads, 0, 'no read reached the target');
});

test('a resource that outgrows the mirror drops it and reads from the target', async () => {
  const r = new AdoptingResource('k');
  const chunk = 1024 * 1024;
  const chunks = MEMORY_MIRROR_BYTES / chunk;
  await r.writeAt(0, pattern(0, chunk));
  const target = new CountingTarget('t');
  await r.adopt(target);
  for (let i = 1; i <= chunks; i++) await r.writeAt(i * chunk, pattern(i * chunk, chunk));
  await r.settled().catch(() => undefined);
  assert.deepEqual(target.available.toJSON(), [[0, (chunks + 1) * chunk]]);
  assert.deepEqual(await r.read(chunk - 10, 20), pattern(chunk - 10, 20));
  assert.deepEqual(await r.read(chunks * chunk, 100), pattern(chunks * chunk, 100));
  assert.equal(target.reads, 2, 'both reads went to the target');
});
