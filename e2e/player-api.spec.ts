// Streaming-core behaviours of the public API that the other specs leave out: two players at
// once on one engine worker, engine-worker jank absorbed by the ring, Blob sources with an
// unconnected output, readyState/buffered/progress, the Resource `channels` option, the IIFE
// build, a moov-at-the-end M4A over a slow link, and the demo server. Every test asserts on the
// samples or on exact state.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { alignTo, checkContinuity, exactCompare, expectedPcm, firstNonSilent } from '../test/lib/analyze.mjs';
import { openHarness, readResource } from './lib/harness.js';
import { fromBase64, planar, manifest } from './lib/pcm.js';
import type { RequestRecord } from './server/test-server.mjs';

/** The capture context's rate. */
const RATE = 48000;
/** 24-bit stereo at 48 kHz: a 48 kHz context plays it with no resampling, so output is exact. */
const WAV48 = '/fixtures/media/chirp-s24-48000.wav';

/** What `kt.takeCapture` returns. */
interface Recording {
  recorded: number;
  firstSoundFrame: number;
  startFrame: number;
  pcm: string;
}

/** Server log records whose query has `u` equal to `unique`. */
async function serverLog(page: Page, unique: string): Promise<RequestRecord[]> {
  const res = await page.request.get('/__log');
  return ((await res.json()) as RequestRecord[]).filter((r) => r.query.u === unique);
}

function planesOf(rec: Recording, channels = 2): Float32Array[] {
  return planar(fromBase64(rec.pcm), channels).map((p) => p.subarray(0, rec.recorded));
}

/** Planes from `start` for `frames` frames. */
function slice(planes: Float32Array[], start: number, frames: number): Float32Array[] {
  return planes.map((p) => p.slice(start, start + frames));
}

/** The longest run of frames, from `start` on, where every channel is exactly zero. */
function longestSilence(planes: Float32Array[], start: number): { frames: number; at: number } {
  let best = { frames: 0, at: -1 };
  let run = 0;
  const n = planes[0]!.length;
  for (let i = start; i < n; i++) {
    if (planes.every((p) => p[i] === 0)) {
      run++;
      if (run > best.frames) best = { frames: run, at: i - run + 1 };
    } else run = 0;
  }
  return best;
}

const rand = (): string => Math.random().toString(36).slice(2);

test('two Players in one page play different files at once through one engine worker, each into its own capture', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, takeCapture, watchWorkers, sleep } = (window as any).kt;
    const workers = watchWorkers();
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const capA = await makeCapture(ctx, 4);
    const capB = await makeCapture(ctx, 4);
    // A: stereo FLAC at 44.1 kHz (resampled); B: mono FLAC at 48 kHz (duplicated to L = R, exact).
    const a = new Kithara.Player({ audioContext: ctx, destination: capA.node });
    const b = new Kithara.Player({ audioContext: ctx, destination: capB.node });
    await Promise.all([a.load('/fixtures/media/chirp.flac'), b.load('/fixtures/media/chirp-mono-48000.flac')]);
    capA.arm();
    capB.arm();
    await Promise.all([a.play(), b.play()]);
    await sleep(1500);
    const out = {
      a: takeCapture(capA),
      b: takeCapture(capB),
      timeA: a.currentTime,
      timeB: b.currentTime,
      modes: [a.stats.outputMode, b.stats.outputMode],
      underruns: [a.stats.underruns, b.stats.underruns],
      workers: workers.names(),
    };
    workers.stop();
    await a.destroy();
    await b.destroy();
    await ctx.close();
    return out;
  });
  expect(r.workers, 'both players share one engine worker').toEqual(['kithara-engine']);
  expect(r.modes).toEqual(['sab', 'sab']);
  for (const t of [r.timeA, r.timeB]) {
    expect(t).toBeGreaterThan(1.2);
    expect(t).toBeLessThan(1.8);
  }

  // A: the stereo chirp, from t=0, continuous, left and right in order.
  const a = planesOf(r.a);
  const startA = firstNonSilent(a);
  expect(startA, 'A was heard').toBeGreaterThanOrEqual(0);
  const alA = alignTo(a, RATE, 0, { start: startA, searchMs: 20 });
  expect(alA.corr, 'A is the stereo chirp with channels in order').toBeGreaterThan(0.99);
  expect(Math.abs(alA.t) * 1000, `A's first heard frame is t=0 (it is ${(alA.t * 1000).toFixed(3)} ms)`).toBeLessThan(1);
  const contA = checkContinuity(a, RATE, alA.t, { start: startA, frames: Math.min(r.a.recorded - startA, Math.round(1.2 * RATE)), minSnrDb: 12 });
  expect(contA.jumps, 'A: no lost or repeated frames').toEqual([]);
  expect(contA.gain, 'A holds only its own player (unity gain)').toBeGreaterThan(0.95);
  expect(contA.gain).toBeLessThan(1.05);
  const swapped = alignTo(a, RATE, 0, { start: startA, searchMs: 20, channelMap: [1, 0] });
  expect(swapped.corr, 'A with channels swapped does not match').toBeLessThan(0.5);

  // B: the mono chirp on both channels, from t=0, sample-exact.
  const b = planesOf(r.b);
  const startB = firstNonSilent(b);
  expect(startB, 'B was heard').toBeGreaterThanOrEqual(0);
  const alB = alignTo(b, RATE, 0, { start: startB, searchMs: 20, channelMap: [0, 0] });
  expect(Math.abs(alB.t) * 1000, `B's first heard frame is t=0 (it is ${(alB.t * 1000).toFixed(3)} ms)`).toBeLessThan(1);
  const n0 = Math.round(alB.t * RATE);
  const frames = Math.min(r.b.recorded - startB, Math.round(1.2 * RATE));
  const mono = expectedPcm(1, RATE, frames, { startFrame: n0, bits: 16 })[0]!;
  const cmpB = exactCompare(slice(b, startB, frames), [mono, mono]);
  expect(cmpB.equal, `B is the mono FLAC exactly on both channels (first difference at ${cmpB.firstDiff}, channel ${cmpB.channel})`).toBe(true);
});

test('engine-worker jank (the worker thread blocked 200 ms, three times) is absorbed: output exact and continuous, no underrun, no waiting', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, takeCapture, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 6);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    const events: string[] = [];
    for (const t of ['waiting', 'playing', 'error', 'ended']) player.addEventListener(t, () => events.push(t));
    await player.load('/fixtures/media/chirp-s24-48000.wav');
    cap.arm();
    await player.play();
    await sleep(700);
    const underrunsBefore = player.stats.underruns;
    const blocks: { before: number; lowest: number; ms: number; underruns: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const before = player.stats.bufferedAheadSec;
      const t0 = performance.now();
      let done = false;
      const blocked = Kithara.debug.block(200).then(() => {
        done = true;
      });
      // The main thread is free; the worker is not: the ring drains and nothing refills it.
      let lowest = before;
      while (!done) {
        lowest = Math.min(lowest, player.stats.bufferedAheadSec);
        await sleep(5);
      }
      await blocked;
      blocks.push({ before, lowest, ms: performance.now() - t0, underruns: player.stats.underruns });
      await sleep(450);
    }
    const out = { rec: takeCapture(cap), events, underrunsBefore, underruns: player.stats.underruns, blocks, currentTime: player.currentTime };
    await player.destroy();
    await ctx.close();
    return out;
  });
  for (const b of r.blocks) {
    expect(b.ms, 'debug.block held the worker ~200 ms').toBeGreaterThanOrEqual(199);
    expect(b.before - b.lowest, `the ring drained while the worker was blocked (${JSON.stringify(b)})`).toBeGreaterThan(0.15);
    expect(b.lowest, `audio was left in the ring at the worst moment (${JSON.stringify(b)})`).toBeGreaterThan(0.05);
  }
  expect(r.underruns, `no short render quantum (before the blocks: ${r.underrunsBefore}; blocks: ${JSON.stringify(r.blocks)})`).toBe(0);
  expect(r.events).toEqual(['playing']);

  const planes = planesOf(r.rec);
  const start = firstNonSilent(planes);
  expect(start, 'audio was heard').toBeGreaterThanOrEqual(0);
  const frames = r.rec.recorded - start;
  expect(frames / RATE, 'the capture spans the three blocks').toBeGreaterThan(2.5);
  const al = alignTo(planes, RATE, 0, { start, searchMs: 20 });
  expect(Math.abs(al.t) * 1000).toBeLessThan(1);
  const gap = longestSilence(planes, start);
  expect(gap.frames, `no silent gap after the first sound (longest run of zeros: ${gap.frames} frames at ${gap.at})`).toBeLessThan(8);
  const cont = checkContinuity(planes, RATE, al.t, { start, frames, minSnrDb: 40 });
  expect(cont.jumps, 'no lost or repeated frames').toEqual([]);
  expect(cont.drift).toBeLessThan(1);
  const want = expectedPcm(2, RATE, frames, { startFrame: Math.round(al.t * RATE), bits: 24 });
  const cmp = exactCompare(slice(planes, start, frames), want);
  expect(cmp.equal, `every frame is the WAV's (first difference at ${cmp.firstDiff})`).toBe(true);
});

test('load(Blob) with destination null: output unconnected until the page connects it, then exact; readyState 0 → 1 at loadedmetadata → 4', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async (src) => {
    const { Kithara, makeCapture, takeCapture, watchConnects, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 4);
    const conns = watchConnects();
    // The spy sees the default (output → destination), so an empty list below means "unconnected".
    const control = new Kithara.Player({ audioContext: ctx });
    const player = new Kithara.Player({ audioContext: ctx, destination: null });
    const targets = { control: conns.targetsOf(control.output), player: conns.targetsOf(player.output).length };
    conns.stop();
    await control.destroy();
    const states: Record<string, number> = { initial: player.readyState };
    player.addEventListener('loadedmetadata', () => {
      states.atLoadedmetadata = player.readyState;
    });
    player.addEventListener('playing', () => {
      states.atPlaying = player.readyState;
    });
    const blob = await (await fetch(src)).blob();
    await player.load(blob);
    states.afterLoad = player.readyState;
    cap.arm();
    await player.play();
    await sleep(500);
    const unconnected = { recorded: cap.recorded(), firstSoundFrame: cap.firstSoundFrame(), currentTime: player.currentTime };
    player.output.connect(cap.node);
    await sleep(900);
    states.whilePlaying = player.readyState;
    const out = { targets, states, unconnected, rec: takeCapture(cap), src: player.src, duration: player.duration, paused: player.paused };
    await player.destroy();
    await ctx.close();
    return out;
  }, WAV48);
  expect(r.targets.control, 'the connect spy sees the default connection').toEqual(['destination']);
  expect(r.targets.player, 'destination: null connects player.output nowhere').toBe(0);
  expect(r.states).toEqual({ initial: 0, atLoadedmetadata: 1, afterLoad: 4, atPlaying: 4, whilePlaying: 4 });
  expect(r.src).toBe('blob:');
  expect(r.duration).toBe(6);
  expect(r.paused).toBe(false);
  // Playing but unconnected: the capture recorded only silence. (Chromium does not render a worklet
  // whose output reaches no destination, so the player holds at 0 until connected; either way the
  // capture then hears the file exactly from where the player is.)
  expect(r.unconnected.recorded, 'the capture was running').toBeGreaterThan(0.3 * RATE);
  expect(r.unconnected.firstSoundFrame, 'nothing reached the capture before the page connected output').toBe(-1);
  // Connected: the capture hears the WAV from where playback is, every sample exact.
  const planes = planesOf(r.rec);
  const start = firstNonSilent(planes);
  expect(start, 'audio reached the capture once connected').toBeGreaterThan(0);
  const heardAt = start / RATE;
  expect(heardAt, 'no sound before the connection').toBeGreaterThan(0.4);
  const al = alignTo(planes, RATE, r.unconnected.currentTime, { start, searchMs: 300 });
  expect(al.corr).toBeGreaterThan(0.99);
  const n0 = Math.round(al.t * RATE);
  expect(Math.abs(al.t * RATE - n0), 'aligned on a whole frame').toBeLessThan(0.05);
  const frames = r.rec.recorded - start;
  expect(frames).toBeGreaterThan(0.6 * RATE);
  const cmp = exactCompare(slice(planes, start, frames), expectedPcm(2, RATE, frames, { startFrame: n0, bits: 24 }));
  expect(cmp.equal, `the Blob's samples, exact from frame ${n0} (first difference at ${cmp.firstDiff})`).toBe(true);
});

test('buffered grows to cover the whole file and progress fires until a progressive URL is downloaded', async ({ page }) => {
  await openHarness(page);
  const size = readFileSync('fixtures/media/chirp.flac').byteLength;
  const r = await page.evaluate(async (src) => {
    const { Kithara } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    const player = new Kithara.Player({ audioContext: ctx, destination: null });
    const before = { buffered: player.buffered.length, readyState: player.readyState };
    const progress: { loaded: number; total: number; ranges: [number, number][]; metadata: boolean }[] = [];
    let metadata = false;
    player.addEventListener('loadedmetadata', () => {
      metadata = true;
    });
    const done = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the download never completed')), 20000);
      player.addEventListener('progress', () => {
        const b = player.buffered;
        const ranges: [number, number][] = [];
        for (let i = 0; i < b.length; i++) ranges.push([b.start(i), b.end(i)]);
        const s = player.stats;
        progress.push({ loaded: s.bytesLoaded, total: s.bytesTotal, ranges, metadata });
        if (s.bytesLoaded === s.bytesTotal) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    await player.load(src);
    const atLoad = player.buffered.length === 0 ? 0 : player.buffered.end(0);
    await done;
    const out = { before, progress, atLoad, duration: player.duration };
    await player.destroy();
    await ctx.close();
    return out;
  }, `/fixtures/media/chirp.flac?rate=150000&u=${rand()}`);
  expect(r.before).toEqual({ buffered: 0, readyState: 0 });
  expect(r.duration).toBe(6);
  expect(r.progress.length, 'progress fired during the download, not only at its end').toBeGreaterThan(2);
  for (const [i, p] of r.progress.entries()) {
    expect(p.total).toBe(size);
    if (i > 0) expect(p.loaded).toBeGreaterThanOrEqual(r.progress[i - 1]!.loaded);
  }
  // Before the duration is known buffered is empty (bytes cannot be mapped to time yet).
  for (const p of r.progress.filter((q) => !q.metadata)) expect(p.ranges).toEqual([]);
  const timed = r.progress.filter((q) => q.metadata);
  expect(timed.length, `progress fired after loadedmetadata while downloading (${JSON.stringify(r.progress)})`).toBeGreaterThan(1);
  const first = timed[0]!;
  expect(first.ranges.length).toBe(1);
  expect(first.ranges[0]![0]).toBe(0);
  expect(first.ranges[0]![1], 'buffered starts partial at 150 kB/s').toBeLessThan(6);
  expect(first.ranges[0]![1]).toBeCloseTo((first.loaded / size) * 6, 6);
  const last = r.progress.at(-1)!;
  expect(last.loaded).toBe(size);
  expect(last.ranges, 'buffered is one range covering the whole file').toEqual([[0, 6]]);
});

test('Resource channels: a stereo file read as mono is 0.5·(L+R); a mono file read as stereo is two copies', async ({ page }) => {
  await openHarness(page);
  const stereo = await readResource(page, '/fixtures/media/chirp.flac', { sampleRate: 44100 });
  const down = await readResource(page, '/fixtures/media/chirp.flac', { sampleRate: 44100, channels: 1 });
  expect([stereo.channels, down.channels]).toEqual([2, 1]);
  expect(down.frames).toBe(264600);
  expect(stereo.frames).toBe(264600);
  // The stereo read is the lossless file (so the reference below is right).
  expect(exactCompare(stereo.planes, expectedPcm(2, 44100, 264600, { bits: 16 })).equal).toBe(true);
  const [l, rr] = stereo.planes as [Float32Array, Float32Array];
  const mix = l.map((v, i) => 0.5 * (v + rr[i]!));
  const cmpDown = exactCompare(down.planes, [mix], { tolerance: 1e-6 });
  expect(cmpDown.equal, `mono = 0.5·(L+R) (first difference at ${cmpDown.firstDiff}, max ${cmpDown.maxAbsDiff})`).toBe(true);
  // Not trivially true: the mix differs from either channel.
  expect(exactCompare([l], [mix], { tolerance: 1e-3 }).equal).toBe(false);

  const mono = await readResource(page, '/fixtures/media/chirp-mono-s16-22050.wav', { sampleRate: 22050 });
  const up = await readResource(page, '/fixtures/media/chirp-mono-s16-22050.wav', { sampleRate: 22050, channels: 2 });
  expect([mono.channels, up.channels]).toEqual([1, 2]);
  expect(up.frames).toBe(132300);
  expect(exactCompare(mono.planes, expectedPcm(1, 22050, 132300, { bits: 16 })).equal).toBe(true);
  const m = mono.planes[0]!;
  const cmpUp = exactCompare(up.planes, [m, m], { tolerance: 1e-6 });
  expect(cmpUp.equal, `both channels equal the mono read (first difference at ${cmpUp.firstDiff}, channel ${cmpUp.channel})`).toBe(true);
});

test('the IIFE build in a classic <script> page: the global Kithara.Resource reads a WAV exactly', async ({ page }) => {
  await page.goto('/e2e/pages/iife.html');
  // The second (classic) script has run once `iifeReady` exists; a failed load has set `iifeError`.
  await page.waitForFunction(() => 'iifeReady' in window);
  const loaded = await page.evaluate(() => {
    const w = window as unknown as { iifeReady?: boolean; iifeError?: string };
    return { ready: w.iifeReady, error: w.iifeError };
  });
  expect(loaded).toEqual({ ready: true });
  const r = await page.evaluate(async () => {
    const K = (window as any).Kithara;
    const res = await K.Resource.open('/fixtures/media/chirp-s16.wav', { sampleRate: 44100 });
    const info = { sampleRate: res.sampleRate, channels: res.channels, duration: res.duration };
    const all = new Float32Array(264600 * 2 + 4096);
    let filled = 0;
    const buf = new Float32Array(4096 * 2);
    for (;;) {
      const n = await res.read(buf);
      if (n === 0) break;
      all.set(buf.subarray(0, n * 2), filled);
      filled += n * 2;
    }
    await res.close();
    const bytes = new Uint8Array(all.buffer, 0, filled * 4);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
    return {
      ...info,
      frames: filled / 2,
      pcm: btoa(s),
      version: K.version,
      exports: ['Player', 'Resource', 'KitharaPlayerElement'].map((k) => typeof K[k]),
      moduleScripts: document.querySelectorAll('script[type=module]').length,
    };
  });
  expect(r.moduleScripts).toBe(0);
  expect(r.exports).toEqual(['function', 'function', 'function']);
  expect(r.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  expect(r).toMatchObject({ sampleRate: 44100, channels: 2, duration: 6, frames: 264600 });
  const cmp = exactCompare(planar(fromBase64(r.pcm), 2), expectedPcm(2, 44100, 264600, { bits: 16 }));
  expect(cmp.equal, `first difference at ${cmp.firstDiff}`).toBe(true);
});

/** Top-level MP4 boxes of `file`: type, offset and size. */
function topBoxes(file: Buffer): { type: string; at: number; size: number }[] {
  const boxes = [];
  for (let o = 0; o + 8 <= file.length; o += file.readUInt32BE(o)) boxes.push({ type: file.toString('latin1', o + 4, o + 8), at: o, size: file.readUInt32BE(o) });
  return boxes;
}

/**
 * Reads a moov-at-the-end M4A through a `rate`-capped link and checks that the moov was asked for
 * by a Range request long before the sequential download could reach it, and that the audio is
 * the faststart encode's (chirp.m4a: the same stream), exactly.
 */
async function moovByRange(page: Page, path: string, file: Buffer, rate: number): Promise<void> {
  const moov = topBoxes(file).find((b) => b.type === 'moov')!;
  expect(moov.at + moov.size, 'the moov is the last box').toBe(file.length);
  const unique = rand();
  const slow = await readResource(page, `${path}?rate=${rate}&u=${unique}`, { sampleRate: 44100 });
  const gets = (await serverLog(page, unique)).filter((q) => q.method === 'GET');
  const seen = JSON.stringify(gets.map((q) => [q.range, Math.round(q.t)]));
  const first = gets[0]!;
  expect(first.range === null || /^bytes=0-/.test(first.range), `the download starts at byte 0 (${seen})`).toBe(true);
  const reachesMoovMs = (moov.at / rate) * 1000;
  const moovReq = gets.find((q) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(q.range ?? '');
    if (m === null) return false;
    const from = Number(m[1]);
    const to = m[2] === '' ? file.length - 1 : Number(m[2]);
    return from <= moov.at && from >= moov.at - 64 * 1024 && to >= moov.at + 8;
  });
  expect(moovReq, `a Range request for the moov (requests: ${seen}; open took ${Math.round(slow.openMs)} ms)`).toBeDefined();
  expect(moovReq!.t - first.t, `the moov was asked for long before the download could reach it (${seen})`).toBeLessThan(reachesMoovMs - 2000);
  expect(slow.openMs, 'open did not wait for the sequential download').toBeLessThan(reachesMoovMs - 2000);

  const clean = await readResource(page, `/fixtures/media/chirp.m4a?u=${rand()}`, { sampleRate: 44100 });
  expect(slow.frames).toBe(clean.frames);
  const cmp = exactCompare(slow.planes, clean.planes);
  expect(cmp.equal, `the same samples as the faststart file (first difference at ${cmp.firstDiff})`).toBe(true);
  const al = alignTo(slow.planes, 44100, 0, { searchMs: 20 });
  expect(Math.abs(al.lagFrames), 'the chirp from t=0').toBeLessThan(1);
  const cont = checkContinuity(slow.planes, 44100, 0, { frames: slow.frames - 2048, minSnrDb: 12 });
  expect(cont.jumps).toEqual([]);
}

test('an M4A whose moov lies past the demand threshold, over a slow link, gets its moov by Range before the download reaches it; audio exact', async ({ page }, testInfo) => {
  // chirp-moov-end.m4a with 320 KiB of padding at the end of its mdat (chunk offsets unchanged),
  // so the moov starts beyond FILE_DEFAULTS.demandThresholdBytes (256 KiB) from byte 0.
  const original = readFileSync('fixtures/media/chirp-moov-end.m4a');
  const boxes = topBoxes(original);
  const mdat = boxes.find((b) => b.type === 'mdat')!;
  const moov = boxes.find((b) => b.type === 'moov')!;
  expect(moov.at, 'the fixture has its moov after the mdat').toBe(mdat.at + mdat.size);
  const pad = 320 * 1024;
  const padded = Buffer.concat([original.subarray(0, moov.at), Buffer.alloc(pad), original.subarray(moov.at)]);
  padded.writeUInt32BE(mdat.size + pad, mdat.at);
  const out = testInfo.outputPath('chirp-moov-far.m4a');
  const rel = relative(process.cwd(), out).split(sep).join('/');
  if (rel.startsWith('..')) throw new Error(`the test server serves ${process.cwd()}, and ${out} is outside it (set KITHARA_RESULTS inside the repository)`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, padded);
  await openHarness(page);
  await moovByRange(page, `/${rel}`, padded, 32000);
});

test('chirp-moov-end.m4a (moov 94 KB in, inside the byte threshold) over 16 kB/s gets its moov by Range too: the stream would take ~6 s', async ({ page }) => {
  await openHarness(page);
  await moovByRange(page, '/fixtures/media/chirp-moov-end.m4a', readFileSync('fixtures/media/chirp-moov-end.m4a'), 16000);
});

test('the demo server (PORT=0) serves a cross-origin isolated page and the media, and Play plays', async ({ page }) => {
  const child = spawn(process.execPath, ['demo/server.mjs'], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`demo server printed no URL: ${out}`)), 10000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/\S+\/)/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      void exited.then((code) => reject(new Error(`demo server exited (${code}): ${out}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(Number(new URL(url).port), 'PORT=0 picked a real port').toBeGreaterThan(0);

    const listed = await page.request.get(`${url}media/manifest.json`);
    expect(listed.status()).toBe(200);
    expect(((await listed.json()) as { file: string }[]).map((m) => m.file)).toEqual(manifest().map((m) => m.file));
    const part = await page.request.get(`${url}media/chirp.m4a`, { headers: { Range: 'bytes=100-199' } });
    expect(part.status()).toBe(206);
    expect(Buffer.compare(await part.body(), readFileSync('fixtures/media/chirp.m4a').subarray(100, 200))).toBe(0);

    await page.goto(url);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    await page.click('#play');
    const time = () => page.evaluate(() => (window as any).demo.player.currentTime as number);
    await expect.poll(time).toBeGreaterThan(0.5);
    const a = await time();
    await page.waitForTimeout(500);
    const b = await time();
    expect(b - a, 'the clock keeps running').toBeGreaterThan(0.3);
    const state = await page.evaluate(() => {
      const p = (window as any).demo.player;
      return { paused: p.paused, mode: p.stats.outputMode, src: p.src as string, underruns: p.stats.underruns };
    });
    expect(state.paused).toBe(false);
    expect(state.mode, 'the SharedArrayBuffer ring (needs isolation)').toBe('sab');
    expect(new URL(state.src, url).pathname).toMatch(/^\/media\//);
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    expect(code, 'the demo server shut down cleanly on SIGTERM').toBe(0);
  }
});

test('a worker script that does not load fails open() and play() with a network error instead of hanging', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara } = (window as any).kt;
    const started = performance.now();
    const res = await Kithara.Resource.open('/fixtures/media/chirp.flac', { workerUrl: '/dist/no-such-worker.js' }).then(
      () => ({ ok: true }),
      (e: any) => ({ ok: false, code: e?.code, isKithara: e instanceof Kithara.KitharaError, message: String(e?.message) }),
    );
    const ms = performance.now() - started;
    const player = new Kithara.Player({ workerUrl: '/dist/no-such-worker-2.js', destination: null });
    const events: string[] = [];
    player.addEventListener('error', (e: any) => events.push(e.error?.code));
    const played = await player.play().then(() => 'resolved', (e: any) => e?.code);
    player.src = '/fixtures/media/chirp.flac';
    const played2 = await player.play().then(() => 'resolved', (e: any) => e?.code);
    return { res, ms, played, played2, events };
  });
  expect(r.res.ok).toBe(false);
  expect(r.res.isKithara).toBe(true);
  expect(r.res.code).toBe('network');
  expect(r.res.message).toMatch(/no-such-worker\.js could not be started/);
  expect(r.ms, 'it fails promptly').toBeLessThan(5000);
  expect(r.played2).toBe('network');
  expect(r.events).toContain('network');
});

test('an uncaught error in a task of a started engine worker does not end the engine', async ({ page }) => {
  await openHarness(page);
  const r = await readResource(page, `/fixtures/media/chirp-s16.wav?stray=${rand()}`, { workerUrl: '/e2e/pages/stray-error-worker.js' });
  const clean = await readResource(page, `/fixtures/media/chirp-s16.wav?clean=${rand()}`, { cache: 'memory' });
  expect(r.frames).toBe(clean.frames);
  expect(exactCompare(r.planes, clean.planes).equal, 'the engine still decodes exactly').toBe(true);
});
