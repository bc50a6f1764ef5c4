import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deinterleave, interleave, mapChannels } from '../../src/audio/channel-map.js';

const H = Math.SQRT1_2;
const f = Math.fround;

/** Planes whose values identify channel and frame: channel c, frame n → (c + 1) / 8 + n / 1024. */
function planes(channels: number, frames: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, n) => (c + 1) / 8 + n / 1024));
}

function map(inChannels: number, outChannels: number, frames = 5): { i: Float32Array[]; o: Float32Array[] } {
  const i = planes(inChannels, frames);
  // Output planes start as garbage so zero-fill is observable.
  const o = Array.from({ length: outChannels }, () => new Float32Array(frames).fill(9));
  mapChannels(i, frames, outChannels, o);
  return { i, o };
}

/** Asserts every frame of `got` equals `want(n)` rounded to float32. */
function expectPlane(got: Float32Array, want: (n: number) => number, label: string): void {
  for (let n = 0; n < got.length; n++) assert.equal(got[n], f(want(n)), `${label} frame ${n}`);
}

describe('mapChannels', () => {
  it('copies when the counts match', () => {
    const { i, o } = map(6, 6);
    for (let c = 0; c < 6; c++) assert.deepEqual(o[c], i[c]);
  });

  it('duplicates mono into both stereo channels', () => {
    const { i, o } = map(1, 2);
    assert.deepEqual(o[0], i[0]);
    assert.deepEqual(o[1], i[0]);
  });

  it('averages stereo to mono', () => {
    const { i, o } = map(2, 1);
    expectPlane(o[0]!, (n) => (i[0]![n]! + i[1]![n]!) / 2, 'M');
    // A concrete value: frame 0 is (1/8 + 2/8) / 2.
    assert.equal(o[0]![0], 0.1875);
  });

  it('folds L R C into stereo with √½ centre', () => {
    const { i, o } = map(3, 2);
    const [l, r, c] = i as [Float32Array, Float32Array, Float32Array];
    expectPlane(o[0]!, (n) => l[n]! + H * c[n]!, 'L');
    expectPlane(o[1]!, (n) => r[n]! + H * c[n]!, 'R');
  });

  it('folds quad into stereo as (front + surround) / 2', () => {
    const { i, o } = map(4, 2);
    expectPlane(o[0]!, (n) => 0.5 * i[0]![n]! + 0.5 * i[2]![n]!, 'L');
    expectPlane(o[1]!, (n) => 0.5 * i[1]![n]! + 0.5 * i[3]![n]!, 'R');
    assert.equal(o[0]![0], (1 / 8 + 3 / 8) / 2);
  });

  it('folds 5.0 (L R C SL SR) into stereo with the ITU coefficients', () => {
    const { i, o } = map(5, 2);
    const [l, r, c, sl, sr] = i as Float32Array[];
    expectPlane(o[0]!, (n) => l![n]! + H * (c![n]! + sl![n]!), 'L');
    expectPlane(o[1]!, (n) => r![n]! + H * (c![n]! + sr![n]!), 'R');
  });

  it('folds 5.1 into stereo with the WebAudio coefficients and drops the LFE', () => {
    const { i, o } = map(6, 2);
    const [l, r, c, , sl, sr] = i as Float32Array[];
    expectPlane(o[0]!, (n) => l![n]! + H * (c![n]! + sl![n]!), 'L');
    expectPlane(o[1]!, (n) => r![n]! + H * (c![n]! + sr![n]!), 'R');
    // Changing only the LFE changes nothing.
    const j = planes(6, 5);
    j[3]!.fill(0.75);
    const o2 = [new Float32Array(5), new Float32Array(5)];
    mapChannels(j, 5, 2, o2);
    assert.deepEqual(o2, o);
  });

  it('folds 7.1 (L R C LFE BL BR SL SR) into stereo, both surround pairs at √½', () => {
    const { i, o } = map(8, 2);
    const [l, r, c, , bl, br, sl, sr] = i as Float32Array[];
    expectPlane(o[0]!, (n) => l![n]! + H * (c![n]! + bl![n]! + sl![n]!), 'L');
    expectPlane(o[1]!, (n) => r![n]! + H * (c![n]! + br![n]! + sr![n]!), 'R');
  });

  it('down-mixes to mono with the WebAudio rules', () => {
    const q = map(4, 1);
    expectPlane(q.o[0]!, (n) => 0.25 * (q.i[0]![n]! + q.i[1]![n]! + q.i[2]![n]! + q.i[3]![n]!), 'quad');
    const s = map(6, 1);
    const [l, r, c, , sl, sr] = s.i as Float32Array[];
    expectPlane(s.o[0]!, (n) => H * (l![n]! + r![n]!) + c![n]! + 0.5 * (sl![n]! + sr![n]!), '5.1');
    const t3 = map(3, 1);
    expectPlane(t3.o[0]!, (n) => H * t3.i[0]![n]! + H * t3.i[1]![n]! + t3.i[2]![n]!, '3.0');
    const e = map(8, 1);
    const [l8, r8, c8, , bl, br, sl8, sr8] = e.i as Float32Array[];
    expectPlane(
      e.o[0]!,
      (n) => H * (l8![n]! + r8![n]!) + c8![n]! + 0.5 * (bl![n]! + br![n]! + sl8![n]! + sr8![n]!),
      '7.1',
    );
  });

  it('up-mixes mono to quad and 5.1 as WebAudio does', () => {
    const q = map(1, 4);
    assert.deepEqual(q.o[0], q.i[0]);
    assert.deepEqual(q.o[1], q.i[0]);
    assert.deepEqual([...q.o[2]!, ...q.o[3]!], new Array(10).fill(0));
    const s = map(1, 6);
    assert.deepEqual(s.o[2], s.i[0]);
    for (const ch of [0, 1, 3, 4, 5]) assert.deepEqual([...s.o[ch]!], [0, 0, 0, 0, 0], `channel ${ch}`);
  });

  it('maps quad to 5.1 and 5.1 to quad', () => {
    const up = map(4, 6);
    assert.deepEqual(up.o[0], up.i[0]);
    assert.deepEqual(up.o[1], up.i[1]);
    assert.deepEqual([...up.o[2]!, ...up.o[3]!], new Array(10).fill(0));
    assert.deepEqual(up.o[4], up.i[2]);
    assert.deepEqual(up.o[5], up.i[3]);
    const down = map(6, 4);
    expectPlane(down.o[0]!, (n) => down.i[0]![n]! + H * down.i[2]![n]!, 'L');
    expectPlane(down.o[1]!, (n) => down.i[1]![n]! + H * down.i[2]![n]!, 'R');
    assert.deepEqual(down.o[2], down.i[4]);
    assert.deepEqual(down.o[3], down.i[5]);
  });

  it('maps other pairs discretely: first channels copied, the rest zero-filled', () => {
    const up = map(2, 6);
    assert.deepEqual(up.o[0], up.i[0]);
    assert.deepEqual(up.o[1], up.i[1]);
    for (let c = 2; c < 6; c++) assert.deepEqual([...up.o[c]!], [0, 0, 0, 0, 0]);
    const down = map(7, 3);
    for (let c = 0; c < 3; c++) assert.deepEqual(down.o[c], down.i[c]);
  });

  it('touches only the first `frames` frames', () => {
    const i = planes(2, 8);
    const o = [new Float32Array(8).fill(9)];
    mapChannels(i, 3, 1, o);
    assert.deepEqual([...o[0]!.subarray(3)], [9, 9, 9, 9, 9]);
  });

  it('up-mixes mono to stereo in place', () => {
    const m = Float32Array.from([0.1, 0.2, 0.3]);
    const r = new Float32Array(3);
    mapChannels([m], 3, 2, [m, r]);
    assert.deepEqual(r, m);
    assert.deepEqual(m, Float32Array.from([0.1, 0.2, 0.3]));
  });
});

describe('interleave and deinterleave', () => {
  for (const channels of [1, 2, 3, 6]) {
    it(`round-trips ${channels} channel(s) exactly, with offsets`, () => {
      const p = planes(channels, 7);
      const inter = new Float32Array(3 + 7 * channels).fill(-1);
      interleave(p, 7, inter, 3);
      assert.deepEqual([...inter.subarray(0, 3)], [-1, -1, -1]);
      for (let n = 0; n < 7; n++) {
        for (let c = 0; c < channels; c++) assert.equal(inter[3 + n * channels + c], p[c]![n]);
      }
      const back = Array.from({ length: channels }, () => new Float32Array(7));
      deinterleave(inter, channels, 7, back, 3);
      assert.deepEqual(back, p);
    });
  }

  it('refuses an output that is too short', () => {
    assert.throws(() => interleave(planes(2, 4), 4, new Float32Array(7)));
  });
});
