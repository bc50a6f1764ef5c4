import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobSource } from '../../src/file/blob-source.js';
import { KitharaError } from '../../src/platform/errors.js';
import { patternBytes } from '../net/net-test-helpers.js';

test('a Blob source reads any range exactly and knows its length', async () => {
  const bytes = patternBytes(100_000, 9);
  const src = new BlobSource(new Blob([bytes]));
  assert.equal(src.length, bytes.length);
  assert.deepEqual(await src.read(0, 10), bytes.subarray(0, 10));
  assert.deepEqual(await src.read(54_321, 20_000), bytes.subarray(54_321, 74_321));
  assert.deepEqual(await src.read(99_990, 100), bytes.subarray(99_990));
  assert.equal((await src.read(100_000, 10)).byteLength, 0);
  assert.equal((await src.read(200_000, 10)).byteLength, 0);
});

test('a Blob source read honours an aborted signal', async () => {
  const src = new BlobSource(new Blob([patternBytes(1000)]));
  const ctl = new AbortController();
  ctl.abort();
  await assert.rejects(src.read(0, 10, ctl.signal), (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
});
