import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCbcDecryptor, decryptSegment, importAesKey } from '../../src/drm/aes-cbc.js';
import { ivFromSequence, parseHexIv, segmentIv } from '../../src/drm/iv.js';
import { KitharaError } from '../../src/platform/errors.js';
import { ffmpeg } from '../lib/ffmpeg.mjs';
import { chunked, concatAll, randomBytes } from './drm-test-helpers.js';

const isParse = (e: unknown): boolean => e instanceof KitharaError && e.code === 'parse';

/** The reference: Node's Buffer writing a 64-bit big-endian integer after 8 zero bytes. */
function referenceIv(seq: bigint): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(seq, 8);
  return new Uint8Array(b);
}

test('the IV from a media sequence number is that number as a 128-bit big-endian integer', () => {
  for (const seq of [0, 1, 255, 256, 0x01020304, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 53 - 1]) {
    assert.deepEqual(ivFromSequence(seq), referenceIv(BigInt(seq)), `sequence ${seq}`);
  }
  assert.deepEqual(ivFromSequence(0x0102030405060708n), referenceIv(0x0102030405060708n));
  assert.deepEqual(ivFromSequence(2n ** 64n - 1n).subarray(8), new Uint8Array(8).fill(0xff));
  assert.deepEqual(ivFromSequence(2n ** 64n - 1n).subarray(0, 8), new Uint8Array(8));
});

test('sequence numbers that are not unsigned 64-bit integers are refused', () => {
  for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) assert.throws(() => ivFromSequence(bad), RangeError, String(bad));
  assert.throws(() => ivFromSequence(-1n), RangeError);
  assert.throws(() => ivFromSequence(2n ** 64n), RangeError);
});

test('a hex IV attribute parses with either prefix case and any digit case', () => {
  const bytes = Array.from({ length: 16 }, (_, i) => i * 17);
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  assert.deepEqual(parseHexIv(`0x${hex}`), new Uint8Array(bytes));
  assert.deepEqual(parseHexIv(`0X${hex.toUpperCase()}`), new Uint8Array(bytes));
});

test('a malformed hex IV attribute is a parse error', () => {
  const good = '00112233445566778899aabbccddeeff';
  for (const bad of [good, `0x${good.slice(1)}`, `0x${good}0`, `0x${good.slice(0, 31)}g`, '0x', '', ` 0x${good}`, `0x${good} `, `x${good}`]) {
    assert.throws(() => parseHexIv(bad), isParse, JSON.stringify(bad));
  }
});

test('segmentIv prefers the explicit attribute and falls back to the sequence number', () => {
  assert.deepEqual(segmentIv(undefined, 42), referenceIv(42n));
  assert.deepEqual(segmentIv('0x000000000000000000000000000000ff', 42), referenceIv(255n));
});

test('segments encrypted by ffmpeg decrypt with the IV of their media sequence number', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kithara-drm-'));
  try {
    const rawKey = randomBytes(16, 99);
    writeFileSync(join(dir, 'k.bin'), rawKey);
    writeFileSync(join(dir, 'keyinfo'), `k.bin\n${join(dir, 'k.bin')}\n`);
    const mediaSequence = 2 ** 32 + 7; // beyond 32 bits: the upper word must land in byte 11
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'aac', '-b:a', '64k', '-f', 'hls',
      '-hls_time', '1', '-start_number', String(mediaSequence), '-hls_key_info_file', join(dir, 'keyinfo'),
      '-hls_segment_filename', join(dir, 'seg%d.ts'), join(dir, 'out.m3u8')]);
    const playlist = readFileSync(join(dir, 'out.m3u8'), 'utf8');
    assert.equal(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1]), mediaSequence);
    // ffmpeg derives its IV from the first media sequence number and writes it out.
    const ivAttr = /IV=(0x[0-9a-fA-F]+)/.exec(playlist)?.[1];
    assert.ok(ivAttr !== undefined);
    const iv = parseHexIv(ivAttr);
    assert.deepEqual(iv, ivFromSequence(mediaSequence));
    const key = await importAesKey(rawKey);
    const segments = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(segments.length >= 3);
    for (const name of segments) {
      const cipher = new Uint8Array(readFileSync(join(dir, name)));
      const plain = await decryptSegment(key, iv, cipher);
      assert.equal(plain.length % 188, 0, `${name} is whole TS packets`);
      for (let at = 0; at < plain.length; at += 188) assert.equal(plain[at], 0x47, `${name} sync byte at ${at}`);
      const dec = createCbcDecryptor(key, iv);
      const parts = await Promise.all(chunked(cipher, [1000]).map((c) => dec.push(c)));
      parts.push(await dec.end());
      assert.deepEqual(concatAll(parts), plain, `${name} streamed`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
