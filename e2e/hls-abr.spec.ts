// Mid-stream HLS variant switching on the multi-variant ladder (fixtures/hls/multi: 22.05 kHz
// mono, 44.1 kHz stereo, 48 kHz stereo, fMP4 AAC-LC). Every switch crosses a sample rate and
// a channel count, so the decoder is recreated each time; the output must stay one unbroken,
// click-free chirp (the left chirp is in every variant: the mono one carries it alone).
import { test, expect } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { alignTo, checkContinuity } from '../test/lib/analyze.mjs';
import { openHarness } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';

const VARIANTS = ['a0', 'a1', 'a2'];

/**
 * Writes a copy of the multi master whose media playlists send every segment request with
 * `query(variant)` (e.g. a rate cap), under test-results/hls/. Init segments stay uncapped.
 */
function ladderWith(query: (variant: number) => string): string {
  const id = Math.random().toString(36).slice(2);
  const dir = `test-results/hls/multi-${id}`;
  mkdirSync(dir, { recursive: true });
  VARIANTS.forEach((v, i) => {
    const src = readFileSync(`fixtures/hls/multi/${v}/index.m3u8`, 'utf8');
    const text = src
      .split('\n')
      .map((line) => (line.length > 0 && !line.startsWith('#') ? `/fixtures/hls/multi/${v}/${line}?${query(i)}&u=${id}` : line))
      .map((line) => line.replace(/URI="(?![a-z]+:|\/)([^"]+)"/g, `URI="/fixtures/hls/multi/${v}/$1"`))
      .join('\n');
    writeFileSync(`${dir}/${v}.m3u8`, text);
  });
  const master = readFileSync('fixtures/hls/multi/master.m3u8', 'utf8').replace(/^(a\d)\/index\.m3u8$/gm, '$1.m3u8');
  writeFileSync(`${dir}/master.m3u8`, master);
  return `/${dir}/master.m3u8`;
}

/** Reads a whole HLS stream through Resource at 48 kHz stereo, with the variant events. */
async function readWithEvents(page: import('@playwright/test').Page, url: string, abr: Record<string, unknown>) {
  const r = await page.evaluate(
    async ([src, abrOptions]) => {
      const { Kithara, toBase64 } = (window as any).kt;
      const res = await Kithara.Resource.open(src, { sampleRate: 48000, channels: 2, abr: abrOptions });
      const changes: unknown[] = [];
      const formats: unknown[] = [];
      res.addEventListener('variantchange', (e: CustomEvent) => changes.push({ ...e.detail, at: res.position }));
      res.addEventListener('formatchange', (e: CustomEvent) => formats.push(e.detail));
      const chunks: Float32Array[] = [];
      let frames = 0;
      for (;;) {
        const buf = new Float32Array(8192 * 2);
        const n = await res.read(buf);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n * 2));
        frames += n;
      }
      const all = new Float32Array(frames * 2);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      await res.close();
      return { changes, formats, frames, pcm: toBase64(all) };
    },
    [url, abr] as const,
  );
  return { ...r, planes: planar(fromBase64(r.pcm), 2) };
}

/** Largest sample-to-sample step of the left channel, against the chirp's own largest step. */
function worstStep(left: Float32Array, from: number, to: number): number {
  let worst = 0;
  for (let i = Math.max(1, from); i < to; i++) worst = Math.max(worst, Math.abs(left[i]! - left[i - 1]!));
  return worst;
}

test('unthrottled, auto ABR switches up mid-stream across sample rates with an unbroken timeline', async ({ page }) => {
  await openHarness(page);
  // 3.2 Mbit/s: every variant fits. Starts on the 44.1 kHz one (the 22.05 kHz one's 12 kB segments
  // are under the estimator's 16 kB noise floor, so alone they never yield an estimate).
  const url = ladderWith(() => 'rate=400000');
  const out = await readWithEvents(page, url, { startVariant: 1, minSwitchIntervalSec: 0, minBufferForUpSwitchSec: 0 });
  const ups = (out.changes as { from: number; to: number; reason: string }[]).filter((c) => c.to > c.from);
  expect(ups.length, JSON.stringify(out.changes)).toBeGreaterThan(0);
  expect(ups[0]!.reason).toBe('up');
  // A new decoder for a new rate and channel count: formatchange says so.
  expect((out.formats as { sampleRate: number }[]).some((f) => f.sampleRate === 48000)).toBe(true);
  // Full length: nothing skipped or repeated at the seams.
  expect(Math.abs(out.frames - 7.9 * 48000), `frames ${out.frames}`).toBeLessThan(96);
  const left = out.planes[0]!;
  const a = alignTo([left], 48000, 0, { searchMs: 40, channelMap: [0] });
  expect(Math.abs(a.lagFrames)).toBeLessThan(1);
  // The left chirp runs on without a jump through every seam (SNR against the analytic chirp per block).
  const cont = checkContinuity([left], 48000, 0, { frames: out.frames - 4800, channelMap: [0], minSnrDb: 20 });
  expect(cont.jumps).toEqual([]);
  // No click: no step larger than the chirp's own steepest (4 kHz at full scale ≈ 0.52 per sample at 48 kHz).
  expect(worstStep(left, 0, out.frames - 4800)).toBeLessThan(0.6);
  // The right channel carries the right chirp once a stereo variant plays.
  const right = out.planes[1]!;
  const tail = Math.round(6 * 48000);
  const ar = alignTo([left, right], 48000, 6, { start: tail, searchMs: 5 });
  expect(ar.corr, 'stereo variant: both chirps, in order').toBeGreaterThan(0.98);
});

test('throttled, auto ABR switches down from the top variant and the timeline stays unbroken', async ({ page }) => {
  await openHarness(page);
  // ~12 kB/s on every segment: only the 48 kbit/s variant fits (with the 1.25 safety factor).
  const url = ladderWith(() => 'rate=12000');
  const out = await readWithEvents(page, url, { startVariant: 2, minSwitchIntervalSec: 0 });
  const downs = (out.changes as { from: number; to: number; reason: string }[]).filter((c) => c.to < c.from);
  expect(downs.length, JSON.stringify(out.changes)).toBeGreaterThan(0);
  expect(['down', 'urgent-down']).toContain(downs[0]!.reason);
  expect(Math.abs(out.frames - 7.9 * 48000), `frames ${out.frames}`).toBeLessThan(96);
  const left = out.planes[0]!;
  const cont = checkContinuity([left], 48000, 0, { frames: out.frames - 4800, channelMap: [0], minSnrDb: 20 });
  expect(cont.jumps).toEqual([]);
  expect(worstStep(left, 0, out.frames - 4800)).toBeLessThan(0.6);
});

test('Player: setting variant switches at the next segment, through the worklet, without a gap', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 12);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node, abr: { mode: 0 } });
    const changes: unknown[] = [];
    const formats: unknown[] = [];
    let waiting = 0;
    player.addEventListener('variantchange', (e: CustomEvent) => changes.push(e.detail));
    player.addEventListener('formatchange', (e: CustomEvent) => formats.push(e.detail));
    player.addEventListener('waiting', () => waiting++);
    await player.load('/fixtures/hls/multi/master.m3u8');
    cap.arm();
    await player.play();
    await sleep(700);
    player.variant = 2;
    const pinned = player.variant;
    await sleep(2600);
    player.variant = 1;
    await sleep(2600);
    const out = { changes, formats, waiting, pinned, variant: player.variant, pcm: cap.pcm(), recorded: cap.recorded(), underruns: player.stats.underruns };
    await player.destroy();
    await ctx.close();
    return out;
  });
  const changes = r.changes as { from: number; to: number; reason: string }[];
  expect(changes.map((c) => c.to), JSON.stringify(changes)).toEqual(expect.arrayContaining([2, 1]));
  expect(changes.every((c) => c.reason === 'manual' || c.reason === 'initial')).toBe(true);
  expect(r.variant).toBe(1);
  expect((r.formats as { sampleRate: number }[]).map((f) => f.sampleRate)).toEqual(expect.arrayContaining([48000, 44100]));
  const planes = planar(fromBase64(r.pcm), 2);
  const left = planes[0]!;
  const start = left.findIndex((v) => Math.abs(v) > 1e-3);
  const frames = Math.min(r.recorded - start, Math.round(5.5 * 48000));
  const a = alignTo([left], 48000, 0, { start, searchMs: 20, channelMap: [0] });
  expect(Math.abs(a.t) * 1000).toBeLessThan(1);
  const cont = checkContinuity([left], 48000, a.t, { start, frames, channelMap: [0], minSnrDb: 12 });
  expect(cont.jumps).toEqual([]);
  expect(worstStep(left, start, start + frames)).toBeLessThan(0.6);
  expect(r.underruns).toBe(0);
});

test('Player: switching between variants of different codec and segment format (MP3 in MPEG-TS ↔ AAC in fMP4) keeps one unbroken timeline both ways', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 12);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node, abr: { mode: 0 } });
    const changes: unknown[] = [];
    const formats: unknown[] = [];
    const errors: unknown[] = [];
    player.addEventListener('variantchange', (e: CustomEvent) => changes.push(e.detail));
    player.addEventListener('formatchange', (e: CustomEvent) => formats.push(e.detail));
    player.addEventListener('error', (e: ErrorEvent) => errors.push(String((e.error as Error)?.message)));
    await player.load('/fixtures/hls/multi-codec/master.m3u8');
    const first = player.stats.format;
    cap.arm();
    await player.play();
    await sleep(700);
    player.variant = 1; // MP3/TS → AAC/fMP4
    await sleep(2600);
    player.variant = 0; // AAC/fMP4 → MP3/TS
    await sleep(4300);
    const out = { changes, formats, errors, first, variants: player.variants, variant: player.variant, pcm: cap.pcm(), recorded: cap.recorded(), underruns: player.stats.underruns };
    await player.destroy();
    await ctx.close();
    return out;
  });
  expect(r.errors).toEqual([]);
  expect((r.variants as { codecs: string }[]).map((v) => v.codecs)).toEqual(['mp4a.40.34', 'mp4a.40.2']);
  expect((r.first as { codec: string }).codec).toBe('mp3');
  const changes = r.changes as { from: number; to: number; reason: string }[];
  expect(changes.filter((c) => c.reason === 'manual').map((c) => [c.from, c.to]), JSON.stringify(changes)).toEqual([[0, 1], [1, 0]]);
  expect(r.variant).toBe(0);
  // A formatchange names each codec as it takes over: MP3 in TS at the load, AAC in fMP4, MP3 in TS again.
  const codecs = (r.formats as { codec: string; container: string; codecString: string }[]).map((f) => `${f.codec}/${f.container}/${f.codecString}`);
  expect(codecs, JSON.stringify(r.formats)).toEqual(['mp3/ts/mp3', 'aac/fmp4/mp4a.40.2', 'mp3/ts/mp3']);
  // One unbroken chirp in both channels through both seams (they fall at segment boundaries
  // between ~2 s and ~6 s; the window runs to 7.3 s).
  const planes = planar(fromBase64(r.pcm), 2);
  const left = planes[0]!;
  const start = left.findIndex((v) => Math.abs(v) > 1e-3);
  const frames = Math.min(r.recorded - start, Math.round(7.3 * 48000));
  expect(frames, 'the capture reached 7.3 s of the stream').toBeGreaterThan(Math.round(7.2 * 48000));
  const a = alignTo(planes, 48000, 0, { start, searchMs: 20 });
  expect(Math.abs(a.t) * 1000).toBeLessThan(1);
  const cont = checkContinuity(planes, 48000, a.t, { start, frames, minSnrDb: 12 });
  expect(cont.jumps).toEqual([]);
  expect(worstStep(left, start, start + frames)).toBeLessThan(0.6);
  expect(worstStep(planes[1]!, start, start + frames)).toBeLessThan(0.6);
  expect(r.underruns).toBe(0);
});
