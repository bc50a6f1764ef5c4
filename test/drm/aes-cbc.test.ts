import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCbcDecryptor, decryptSegment, importAesKey } from '../../src/drm/aes-cbc.js';
import { KitharaError } from '../../src/platform/errors.js';
import {
  chunked,
  concatAll,
  hasValidPadding,
  nodeDecryptRaw,
  nodeEncrypt,
  nodeEncryptRaw,
  randomBytes,
  rng,
} from './drm-test-helpers.js';

const RAW_KEY = randomBytes(16, 1);
const IV = randomBytes(16, 2);
const SIZES = [0, 1, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000, 4095, 4096, 4097, 65_537];
const isDecrypt = (e: unknown): boolean => e instanceof KitharaError && e.code === 'decrypt';

/** Pushes `chunks` one by one and checks how much each push may release. */
async function streamDecrypt(key: CryptoKey, iv: Uint8Array, chunks: Uint8Array[]): Promise<Uint8Array> {
  const dec = createCbcDecryptor(key, iv);
  const out: Uint8Array[] = [];
  let pushed = 0;
  let released = 0;
  for (const chunk of chunks) {
    const part = await dec.push(chunk);
    pushed += chunk.length;
    released += part.length;
    // Every complete block is released, except the last one when nothing follows it yet.
    const whole = Math.floor(pushed / 16);
    const expected = 16 * Math.max(0, pushed % 16 === 0 ? whole - 1 : whole);
    assert.equal(released, expected, `released after ${pushed} bytes`);
    out.push(part);
  }
  out.push(await dec.end());
  return concatAll(out);
}

test('decryptSegment matches OpenSSL for many sizes and strips the padding', async () => {
  const key = await importAesKey(RAW_KEY);
  for (const size of SIZES) {
    const plain = randomBytes(size, 100 + size);
    const cipher = nodeEncrypt(RAW_KEY, IV, plain);
    assert.equal(cipher.length % 16, 0);
    assert.deepEqual(await decryptSegment(key, IV, cipher), plain, `size ${size}`);
  }
});

test('the streaming decryptor matches OpenSSL for many sizes and fixed chunk sizes', async () => {
  const key = await importAesKey(RAW_KEY);
  for (const chunk of [1, 15, 16, 17, 4096]) {
    for (const size of SIZES) {
      if (chunk === 1 && size > 1000) continue; // one push per byte: keep it quick
      const plain = randomBytes(size, 200 + size);
      const cipher = nodeEncrypt(RAW_KEY, IV, plain);
      const out = await streamDecrypt(key, IV, chunked(cipher, [chunk]));
      assert.deepEqual(out, plain, `size ${size}, chunks of ${chunk}`);
    }
  }
});

test('the streaming decryptor matches OpenSSL for random sizes and random chunkings', async () => {
  const key = await importAesKey(RAW_KEY);
  const next = rng(77);
  for (let round = 0; round < 60; round++) {
    const size = Math.floor(next() * 20_000);
    const plain = randomBytes(size, 300 + round);
    const iv = randomBytes(16, 400 + round);
    const cipher = nodeEncrypt(RAW_KEY, iv, plain);
    const sizes = Array.from({ length: 7 }, () => Math.floor(next() * (next() < 0.5 ? 40 : 5000)));
    const out = await streamDecrypt(key, iv, chunked(cipher, sizes.map((s) => Math.max(1, s))));
    assert.deepEqual(out, plain, `round ${round}: size ${size}, chunk sizes ${sizes.join(',')}`);
  }
});

test('empty pushes are harmless', async () => {
  const key = await importAesKey(RAW_KEY);
  const plain = randomBytes(40, 5);
  const cipher = nodeEncrypt(RAW_KEY, IV, plain);
  const dec = createCbcDecryptor(key, IV);
  const parts = [await dec.push(new Uint8Array(0)), await dec.push(cipher), await dec.push(new Uint8Array(0)), await dec.end()];
  assert.deepEqual(concatAll(parts), plain);
});

test('pushes that are not awaited still come out in order', async () => {
  const key = await importAesKey(RAW_KEY);
  const plain = randomBytes(10_000, 6);
  const cipher = nodeEncrypt(RAW_KEY, IV, plain);
  const dec = createCbcDecryptor(key, IV);
  const pending = chunked(cipher, [700, 3, 1600]).map((c) => dec.push(c));
  pending.push(dec.end());
  const parts = await Promise.all(pending);
  assert.deepEqual(concatAll(parts), plain);
  // Queued pushes are batched: the first one releases everything but the final block.
  assert.equal(parts[0]?.length, cipher.length - 16);
  assert.ok(parts.slice(1, -1).every((p) => p.length === 0));
});

test('the caller may reuse its buffer as soon as push returns', async () => {
  const key = await importAesKey(RAW_KEY);
  const plain = randomBytes(3 * 1024, 7);
  const cipher = nodeEncrypt(RAW_KEY, IV, plain);
  const dec = createCbcDecryptor(key, IV);
  const scratch = new Uint8Array(1024);
  const pending: Promise<Uint8Array>[] = [];
  for (let at = 0; at < cipher.length; at += scratch.length) {
    const piece = cipher.subarray(at, at + scratch.length);
    scratch.set(piece);
    pending.push(dec.push(scratch.subarray(0, piece.length)));
    scratch.fill(0xee);
  }
  pending.push(dec.end());
  assert.deepEqual(concatAll(await Promise.all(pending)), plain);
});

/** A key under which the final block of `cipher` does not decrypt to valid padding (checked with OpenSSL). */
function wrongKeyFor(cipher: Uint8Array): Uint8Array {
  for (let seed = 1000; ; seed++) {
    const wrong = randomBytes(16, seed);
    if (!hasValidPadding(nodeDecryptRaw(wrong, IV, cipher))) return wrong;
  }
}

test('a wrong key gives a decrypt error, whole or streamed', async () => {
  const plain = randomBytes(5000, 8);
  const cipher = nodeEncrypt(RAW_KEY, IV, plain);
  const wrong = await importAesKey(wrongKeyFor(cipher));
  await assert.rejects(decryptSegment(wrong, IV, cipher), (e: unknown) => isDecrypt(e) && /padding/.test((e as Error).message));
  const dec = createCbcDecryptor(wrong, IV);
  const released = await dec.push(cipher);
  assert.equal(released.length, cipher.length - 16);
  assert.notDeepEqual(released, plain.subarray(0, released.length));
  await assert.rejects(dec.end(), isDecrypt);
});

test('every padding byte is checked, not only the last', async () => {
  const key = await importAesKey(RAW_KEY);
  // A final block ending in ... 0x01 0x02 0x03: the last byte says 3, the two before disagree.
  const block = randomBytes(16, 9);
  block.set([1, 2, 3], 13);
  const cipher = nodeEncryptRaw(RAW_KEY, IV, concatAll([randomBytes(32, 10), block]));
  await assert.rejects(decryptSegment(key, IV, cipher), isDecrypt);
  const dec = createCbcDecryptor(key, IV);
  await dec.push(cipher);
  await assert.rejects(dec.end(), isDecrypt);
  // Padding byte 0 and 17 are invalid too.
  for (const last of [0, 17]) {
    block[15] = last;
    const c = nodeEncryptRaw(RAW_KEY, IV, block);
    const d = createCbcDecryptor(key, IV);
    await d.push(c);
    await assert.rejects(d.end(), isDecrypt, `padding byte ${last}`);
  }
});

test('a ciphertext that is not a positive multiple of 16 bytes is a decrypt error', async () => {
  const key = await importAesKey(RAW_KEY);
  const cipher = nodeEncrypt(RAW_KEY, IV, randomBytes(100, 11));
  await assert.rejects(decryptSegment(key, IV, cipher.subarray(0, 100)), isDecrypt);
  await assert.rejects(decryptSegment(key, IV, new Uint8Array(0)), isDecrypt);
  const dec = createCbcDecryptor(key, IV);
  await dec.push(cipher.subarray(0, 100));
  await assert.rejects(dec.end(), (e: unknown) => isDecrypt(e) && /100 bytes/.test((e as Error).message));
  await assert.rejects(createCbcDecryptor(key, IV).end(), isDecrypt);
});

test('keys and IVs of the wrong size are refused; push after end is a bug', async () => {
  await assert.rejects(importAesKey(new Uint8Array(15)), isDecrypt);
  await assert.rejects(importAesKey(new Uint8Array(32)), isDecrypt);
  const key = await importAesKey(RAW_KEY);
  await assert.rejects(decryptSegment(key, new Uint8Array(8), new Uint8Array(16)), isDecrypt);
  assert.throws(() => createCbcDecryptor(key, new Uint8Array(17)), isDecrypt);
  const dec = createCbcDecryptor(key, IV);
  await dec.push(nodeEncrypt(RAW_KEY, IV, randomBytes(20, 12)));
  await dec.end();
  assert.throws(() => dec.push(new Uint8Array(16)), /push after end/);
});

test('views into a larger buffer and SharedArrayBuffer-backed data decrypt correctly', async () => {
  const key = await importAesKey(RAW_KEY);
  const plain = randomBytes(777, 13);
  const cipher = nodeEncrypt(RAW_KEY, IV, plain);
  const big = new Uint8Array(cipher.length + 64);
  big.set(cipher, 32);
  assert.deepEqual(await decryptSegment(key, IV, big.subarray(32, 32 + cipher.length)), plain);
  const shared = new Uint8Array(new SharedArrayBuffer(cipher.length));
  shared.set(cipher);
  assert.deepEqual(await decryptSegment(key, IV, shared), plain);
  assert.deepEqual(await streamDecrypt(key, IV, chunked(shared, [100])), plain);
});
