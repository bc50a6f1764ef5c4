import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRing } from '../../src/ring/spsc-ring.js';
import { RingWriter } from '../../src/ring/ring-writer.js';
import { OutputHost } from '../../src/ring/output-host.js';
import { SabOutputControl } from '../../src/ring/output-control.js';
import type { OutputNotice, OutputStats } from '../../src/ring/protocol.js';
import { outputs, sentinel, sentinelPlanes } from './helpers.js';

/** A fake port pair: what one side posts is delivered synchronously to the other's onmessage. */
function fakePortPair() {
  const log: unknown[] = [];
  const a = { onmessage: null as ((ev: { data: unknown }) => void) | null, postMessage: (m: unknown) => b.onmessage?.({ data: structuredClone(m) }) };
  const b = { onmessage: null as ((ev: { data: unknown }) => void) | null, postMessage: (m: unknown) => { log.push(structuredClone(m)); a.onmessage?.({ data: structuredClone(m) }); } };
  return { main: a, worklet: b, fromWorklet: log };
}

/** A SAB-mode output: writer, worklet host, main-thread control, and the notices it received. */
function sabOutput(channels = 2, capacity = 4096, startThresholdFrames = 0) {
  const sab = createRing(channels, capacity);
  const ports = fakePortPair();
  const writer = new RingWriter(sab);
  const host = new OutputHost({ mode: 'sab', sab, startThresholdFrames }, ports.worklet as never);
  const control = new SabOutputControl(sab, ports.main as never);
  const notices: OutputNotice[] = [];
  control.onnotice = (n) => notices.push(n);
  let frame = 0;
  const out = outputs(channels);
  /** Renders one quantum at the running context frame. */
  const quantum = (): Float32Array[] => {
    assert.equal(host.process(out, frame), true);
    frame += 128;
    return out;
  };
  return { sab, writer, host, control, notices, quantum, ports, now: () => frame };
}

function checkSentinel(out: Float32Array[], first: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    for (let c = 0; c < out.length; c++) assert.equal(out[c]![i], sentinel(first + i - from, c), `frame ${i} ch ${c}`);
  }
}

test('paused: outputs silence and consumes nothing', () => {
  const o = sabOutput();
  o.writer.write(sentinelPlanes(2, 0, 1000), 1000);
  const out = outputs(2);
  out[0]!.fill(1);
  o.host.process(out, 0);
  assert.ok(out.every((ch) => ch.every((v) => v === 0)));
  assert.equal(o.writer.available(), 1000);
  assert.equal(o.control.stats().totalFrames, 0);
  assert.equal(o.notices.length, 0);
});

test('playing: outputs exactly the written samples, then silence for the rest of the quantum', () => {
  const o = sabOutput();
  o.writer.write(sentinelPlanes(2, 0, 300), 300);
  o.control.setPlaying(true);
  checkSentinel(o.quantum(), 0, 0, 128);
  checkSentinel(o.quantum(), 128, 0, 128);
  const out = o.quantum();
  checkSentinel(out, 256, 0, 44);
  for (let i = 44; i < 128; i++) assert.equal(out[0]![i], 0);
  assert.equal(o.control.stats().epochFrames, 300);
});

test('records the context frame of the first real frame since play and posts one playing notice', () => {
  const o = sabOutput();
  o.control.setPlaying(true);
  o.quantum();
  o.quantum(); // nothing written yet: start-up, not an underrun
  const startAt = o.now();
  o.writer.write(sentinelPlanes(2, 0, 5000), 4096);
  for (let i = 0; i < 10; i++) o.quantum();
  const s = o.control.stats();
  assert.equal(s.startFrame, startAt);
  assert.equal(s.started, true);
  assert.equal(s.underrunQuanta, 0, 'waiting for the first frame is not an underrun');
  assert.deepEqual(o.notices.map((n) => [n.kind, n.contextFrame]), [['playing', startAt]]);
  // Pause and play again: the start frame is measured anew.
  o.control.setPlaying(false);
  o.quantum();
  o.control.setPlaying(true);
  const again = o.now();
  o.quantum();
  assert.equal(o.control.stats().startFrame, again);
  assert.equal(o.notices.length, 2);
});

test('counts underrun quanta and missing frames after start; one underrun notice per episode', () => {
  const o = sabOutput();
  o.control.setPlaying(true);
  o.writer.write(sentinelPlanes(2, 0, 200), 200);
  o.quantum();
  const out = o.quantum(); // 72 real frames, 56 missing
  checkSentinel(out, 128, 0, 72);
  o.quantum(); // 128 missing
  o.quantum(); // 128 missing
  let s = o.control.stats();
  assert.equal(s.underrunQuanta, 3);
  assert.equal(s.underrunFrames, 56 + 128 + 128);
  assert.equal(s.starved, true);
  o.writer.write(sentinelPlanes(2, 200, 128), 128);
  checkSentinel(o.quantum(), 200, 0, 128);
  s = o.control.stats();
  assert.equal(s.starved, false);
  assert.deepEqual(o.notices.map((n) => n.kind), ['playing', 'underrun', 'playing']);
});

test('reports ended once, at the frame after the last real frame, and counts no underrun after it', () => {
  const o = sabOutput(1);
  o.control.setPlaying(true);
  o.writer.write(sentinelPlanes(1, 0, 300), 300);
  o.writer.setEnded();
  o.quantum();
  o.quantum();
  const t = o.now();
  o.quantum(); // 44 frames then the end
  o.quantum();
  o.quantum();
  const s = o.control.stats();
  assert.equal(s.ended, true);
  assert.equal(s.endFrame, t + 44);
  assert.equal(s.underrunQuanta, 0);
  assert.deepEqual(o.notices.map((n) => [n.kind, n.contextFrame]), [['playing', 0], ['ended', t + 44]]);
});

test('a flush restarts the epoch position and the start measurement; stale frames are never output', () => {
  const o = sabOutput(1);
  o.control.setPlaying(true);
  o.writer.write(sentinelPlanes(1, 0, 2000), 2000);
  o.quantum();
  o.quantum();
  o.writer.flush(4);
  const fresh = new Float32Array(256).fill(0.5);
  o.writer.write([fresh], 256);
  const t = o.now();
  const out = o.quantum();
  assert.ok(out[0]!.every((v) => v === 0.5), 'first quantum after the flush is the new epoch');
  const s = o.control.stats();
  assert.equal(s.epoch, 4);
  assert.equal(s.epochFrames, 128);
  assert.equal(s.totalFrames, 384);
  assert.equal(s.startFrame, t);
  assert.deepEqual(o.notices.map((n) => [n.kind, n.epoch]), [['playing', 0], ['playing', 4]]);
});

test('posts no message per quantum in steady playback', () => {
  const o = sabOutput(2, 65536);
  o.control.setPlaying(true);
  o.writer.write(sentinelPlanes(2, 0, 65536), 65536);
  for (let i = 0; i < 500; i++) o.quantum();
  assert.equal(o.ports.fromWorklet.length, 1, 'only the playing transition');
  const s: OutputStats = o.control.stats();
  assert.equal(s.totalFrames, 500 * 128);
  assert.equal(s.contextFrame, o.now());
});

test('dispose makes process return false', () => {
  const o = sabOutput();
  o.control.dispose();
  assert.equal(o.host.process(outputs(2), 0), false);
});

test('64-bit stats survive the 2^32 boundary of the context frame', () => {
  const o = sabOutput(1);
  o.control.setPlaying(true);
  o.writer.write(sentinelPlanes(1, 0, 256), 256);
  const base = 2 ** 32 - 64;
  o.host.process(outputs(1), base);
  o.host.process(outputs(1), base + 128);
  const s = o.control.stats();
  assert.equal(s.startFrame, base);
  assert.equal(s.contextFrame, base + 256);
});

test('an epoch starts only once the start threshold is buffered, or when the writer has ended it', () => {
  const o = sabOutput(2, 8192, 1000);
  o.control.setPlaying(true);
  const planes = [new Float32Array(1200).fill(0.5), new Float32Array(1200).fill(-0.5)];
  o.writer.write(planes, 600);
  let out = o.quantum();
  assert.equal(out[0]![0], 0, 'below the threshold: silence, nothing consumed');
  assert.equal(o.control.stats().underrunQuanta, 0, 'priming is not an underrun');
  o.writer.write(planes, 600, 600);
  out = o.quantum();
  assert.equal(out[0]![0], 0.5, 'at the threshold: playing');
  assert.equal(o.notices.filter((n) => n.kind === 'playing').length, 1, 'one playing notice');
  // A short final epoch plays even though it never reaches the threshold.
  o.writer.flush(7);
  o.writer.write(planes, 200);
  o.writer.setEnded();
  out = o.quantum();
  assert.equal(out[0]![0], 0.5, 'an ended epoch below the threshold still plays');
});

test('after an underrun, playback resumes only with twice the start threshold buffered', () => {
  const o = sabOutput(2, 8192, 256);
  o.control.setPlaying(true);
  o.writer.write(sentinelPlanes(2, 0, 256), 256);
  checkSentinel(o.quantum(), 0, 0, 128);
  checkSentinel(o.quantum(), 128, 0, 128);
  o.quantum(); // empty: an underrun
  assert.equal(o.control.stats().starved, true);
  o.writer.write(sentinelPlanes(2, 256, 300), 300);
  let out = o.quantum();
  assert.equal(out[0]![0], 0, '300 frames (≥ the start threshold, < twice it): still priming');
  assert.equal(o.control.stats().starved, true);
  o.writer.write(sentinelPlanes(2, 556, 300), 300);
  out = o.quantum();
  checkSentinel(out, 256, 0, 128);
  assert.equal(o.control.stats().starved, false);
});
