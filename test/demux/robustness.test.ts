import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDemuxer } from '../../src/demux/detect.js';
import { adtsFormat } from '../../src/demux/adts/index.js';
import { flacFormat } from '../../src/demux/flac/index.js';
import { mp3Format } from '../../src/demux/mp3/index.js';
import { wavFormat } from '../../src/demux/wav/index.js';
import type { DemuxerFormat } from '../../src/demux/types.js';
import { KitharaError } from '../../src/platform/errors.js';
import { fixture, memoryReader, noise, trickleReader } from './fixture-io.js';

const MINE: DemuxerFormat[] = [flacFormat, wavFormat, adtsFormat, mp3Format];
const tally: string[] = [];
const FILES = ['chirp-cbr.mp3', 'chirp-vbr.mp3', 'chirp-id3.mp3', 'chirp.aac', 'chirp.flac', 'chirp-mono-s16-22050.wav'];

/** Opens, reads to the end and seeks around; the only acceptable failure is a parse/unsupported KitharaError. */
async function exercise(bytes: Uint8Array, slow: boolean): Promise<string> {
  try {
    const d = await openDemuxer(slow ? trickleReader(bytes, 4096) : memoryReader(bytes), {}, MINE);
    let packets = 0;
    for (let p = await d.next(); p; p = await d.next()) {
      assert.ok(p.data.length > 0 && Number.isInteger(p.frame) && p.frames > 0, 'a sane packet');
      if (++packets > 100000) assert.fail('runaway packet loop');
    }
    for (const f of [100000, 0, 50000]) {
      const at = await d.seek(f);
      assert.ok(Number.isInteger(at) && at >= 0, `seek result ${at}`);
      await d.next();
    }
    return 'ok';
  } catch (err) {
    if (err instanceof KitharaError && (err.code === 'parse' || err.code === 'unsupported')) return err.code;
    throw err;
  }
}

test('cut at any point: every fixture either plays what is there or fails with parse', async () => {
  for (const file of FILES) {
    const bytes = fixture(file);
    for (let i = 1; i <= 24; i++) {
      const cut = Math.floor((bytes.length * i * i) / (24 * 24 * 3));
      tally.push(await exercise(bytes.subarray(0, cut), i % 3 === 0));
    }
  }
});

test('random byte damage never throws anything but a KitharaError and never hangs', async () => {
  for (const file of FILES) {
    const clean = fixture(file);
    for (let round = 0; round < 8; round++) {
      const bytes = clean.slice();
      const hits = noise(64, round * 7919 + file.length);
      for (let i = 0; i < hits.length; i += 4) {
        const at = ((hits[i]! << 16) | (hits[i + 1]! << 8) | hits[i + 2]!) % bytes.length;
        bytes[at] = hits[i + 3]!;
      }
      // Damage the first bytes too in half the rounds, where the headers are.
      if (round % 2) {
        const at = (hits[0]! * 7) % 64;
        bytes[at] = bytes[at]! ^ 0xff;
      }
      tally.push(await exercise(bytes, round === 0));
    }
  }
});

test('the damage tests above mostly still play (they are not trivially failing at open)', () => {
  const ok = tally.filter((t) => t === 'ok').length;
  assert.ok(ok > tally.length / 2, `${ok} of ${tally.length} played`);
});
