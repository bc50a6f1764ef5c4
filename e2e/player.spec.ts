// Player through the real AudioWorklet: what reaches the speakers is recorded by a capture
// worklet and checked against the chirp. Start at 0, continuity, seek target, channels,
// events, pause and end.
import { test, expect, type Page } from '@playwright/test';
import { alignTo, checkContinuity, firstNonSilent } from '../test/lib/analyze.mjs';
import { openHarness } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';

interface Capture {
  ok: boolean;
  error?: { code: string; status?: number; message: string };
  events: { type: string; t: number; detail?: { code: string; status?: number } }[];
  playResolvedMs: number;
  currentTime: number;
  duration: number;
  paused: boolean;
  stats: { outputMode: string; underruns: number; format: { decoder: string } | null };
  recorded: number;
  firstSoundFrame: number;
  captureStartFrame: number;
  pcm: string;
  sampleRate: number;
}

async function playAndCapture(page: Page, src: string, opts: Record<string, unknown> = {}): Promise<Capture> {
  return page.evaluate(
    ([s, o]) => (window as unknown as { kt: { playAndCapture: (s: string, o: unknown) => Promise<Capture> } }).kt.playAndCapture(s, o),
    [src, opts] as const,
  );
}

function audioOf(c: Capture): { planes: Float32Array[]; start: number } {
  const planes = planar(fromBase64(c.pcm), 2);
  return { planes, start: firstNonSilent(planes, 1e-3) };
}

for (const file of ['chirp.m4a', 'chirp-cbr.mp3', 'chirp.flac', 'chirp.opus']) {
  test(`${file}: plays from t=0 through the worklet, continuous, channels in order`, async ({ page }) => {
    await openHarness(page);
    const c = await playAndCapture(page, `/fixtures/media/${file}`, { seconds: 1.5 });
    expect(c.ok, JSON.stringify(c.error)).toBe(true);
    expect(c.stats.outputMode).toBe('sab');
    const { planes, start } = audioOf(c);
    expect(start, 'audio was heard').toBeGreaterThanOrEqual(0);
    const a = alignTo(planes, c.sampleRate, 0, { start, searchMs: 20 });
    // The chirp starts at zero amplitude, so the first audible frame is a few frames in;
    // alignment tells the exact time of that frame.
    expect(a.corr).toBeGreaterThan(0.99);
    expect(Math.abs(a.t) * 1000, `first heard frame is t=0 (it is t=${(a.t * 1000).toFixed(3)} ms)`).toBeLessThan(1);
    const played = Math.min(c.recorded - start, Math.round(1.2 * c.sampleRate));
    const cont = checkContinuity(planes, c.sampleRate, a.t, { start, frames: played, minSnrDb: 12 });
    expect(cont.jumps, 'no lost or repeated frames').toEqual([]);
    expect(cont.drift).toBeLessThan(1);
    expect(c.currentTime).toBeGreaterThan(1.2);
    expect(c.currentTime).toBeLessThan(1.8);
    const order = c.events.map((e) => e.type).filter((t) => ['loadstart', 'loadedmetadata', 'play', 'playing'].includes(t));
    expect(order).toEqual(['loadstart', 'loadedmetadata', 'play', 'playing']);
  });
}

test('a seek before play starts output exactly at the target (within 1 ms)', async ({ page }) => {
  await openHarness(page);
  for (const file of ['chirp.m4a', 'chirp.flac', 'chirp-vbr.mp3']) {
    const c = await playAndCapture(page, `/fixtures/media/${file}`, { seconds: 0.6, seekTo: 3.25 });
    expect(c.ok, JSON.stringify(c.error)).toBe(true);
    const { planes, start } = audioOf(c);
    const a = alignTo(planes, c.sampleRate, 3.25, { start, searchMs: 30 });
    expect(a.corr).toBeGreaterThan(0.98);
    expect(Math.abs(a.t - 3.25) * 1000, `${file}: output starts ${((a.t - 3.25) * 1000).toFixed(3)} ms from the target`).toBeLessThan(1);
    expect(c.events.some((e) => e.type === 'seeked')).toBe(true);
  }
});

test('seeking while playing: stale audio is never heard after the seek', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, sleep, once, toBase64 } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 6);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    await player.load('/fixtures/media/chirp.flac');
    cap.arm();
    await player.play();
    await sleep(700);
    const before = cap.recorded();
    const seeked = once(player, 'seeked');
    player.currentTime = 4.0;
    await seeked;
    await sleep(600);
    const out = { pcm: cap.pcm(), before, recorded: cap.recorded(), currentTime: player.currentTime };
    await player.destroy();
    await ctx.close();
    return out;
  });
  const planes = planar(fromBase64(r.pcm), 2);
  // Find where the seeked audio begins: the last block that matches t≈4.0 start.
  const rate = 48000;
  const after = Math.min(r.recorded - 4800, r.before + Math.round(0.45 * rate));
  const a = alignTo(planes, rate, 4.0 + (after - r.before) / rate, { start: after, searchMs: 400 });
  expect(a.corr, 'audio after the seek is the chirp near t=4').toBeGreaterThan(0.98);
  // Walk back from `after` while the audio keeps matching the new timeline: the seam.
  const seam = Math.round(after - (a.t - 4.0) * rate);
  expect(seam).toBeGreaterThan(r.before - 1);
  const tail = checkContinuity(planes, rate, 4.0, { start: seam + 64, frames: r.recorded - seam - 64 - 128, minSnrDb: 20 });
  expect(tail.jumps, 'continuous from the seek target on').toEqual([]);
  expect(r.currentTime).toBeGreaterThan(4.3);
  expect(r.currentTime).toBeLessThan(4.9);
});

test('pause stops output and play resumes where it stopped', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 6);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    await player.load('/fixtures/media/chirp.flac');
    cap.arm();
    await player.play();
    await sleep(500);
    player.pause();
    const pausedAt = player.currentTime;
    const recAtPause = cap.recorded();
    await sleep(400);
    const stillAt = player.currentTime;
    await player.play();
    await sleep(500);
    const out = { pcm: cap.pcm(), pausedAt, stillAt, recAtPause, recorded: cap.recorded(), end: player.currentTime, paused: player.paused };
    await player.destroy();
    await ctx.close();
    return out;
  });
  expect(r.stillAt).toBeCloseTo(r.pausedAt, 3);
  expect(r.end - r.pausedAt).toBeGreaterThan(0.35);
  const planes = planar(fromBase64(r.pcm), 2);
  // Remove the silence of the pause and check the joined audio is one continuous chirp.
  const start = firstNonSilent(planes);
  const joined = planes.map((p) => {
    const keep: number[] = [];
    let silentRun = 0;
    for (let i = start; i < r.recorded; i++) {
      const v = p[i] as number;
      keep.push(v);
      silentRun = Math.abs(v) < 1e-6 ? silentRun + 1 : 0;
      if (silentRun > 256) {
        keep.length -= silentRun;
        silentRun = 0;
        // skip the rest of the silence
        while (i + 1 < r.recorded && Math.abs(planes[0]![i + 1]!) < 1e-6 && Math.abs(planes[1]![i + 1]!) < 1e-6) i++;
      }
    }
    return Float32Array.from(keep);
  });
  const frames = Math.min(joined[0]!.length, joined[1]!.length) - 256;
  // Playback starts at t=0; the first heard frame is a few frames into the chirp (it starts at zero
  // amplitude), and alignment says exactly which. The recorded silence before it is start-up
  // latency, which says nothing about the chirp's time.
  const a = alignTo(joined, 48000, 0, { start: 0, searchMs: 20 });
  expect(a.corr).toBeGreaterThan(0.99);
  expect(Math.abs(a.t) * 1000, 'first heard frame is t=0').toBeLessThan(1);
  const cont = checkContinuity(joined, 48000, a.t, { frames, minSnrDb: 20 });
  expect(cont.jumps, 'resume continues exactly where pause stopped').toEqual([]);
});

test('ended fires at the end, with currentTime at the duration and paused set', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, once } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const player = new Kithara.Player({ audioContext: ctx });
    const events: string[] = [];
    for (const t of ['pause', 'ended', 'seeked']) player.addEventListener(t, () => events.push(t));
    await player.load('/fixtures/media/chirp.m4a');
    player.currentTime = 5.4;
    await once(player, 'seeked');
    const ended = once(player, 'ended', 5000);
    await player.play();
    await ended;
    const out = { events, currentTime: player.currentTime, duration: player.duration, paused: player.paused, ended: player.ended };
    await player.destroy();
    await ctx.close();
    return out;
  });
  expect(r.ended).toBe(true);
  expect(r.paused).toBe(true);
  expect(r.currentTime).toBeCloseTo(6, 2);
  expect(r.duration).toBeCloseTo(6, 4);
  expect(r.events.slice(-2)).toEqual(['pause', 'ended']);
});

test('volume and mute scale the output node', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara } = (window as any).kt;
    const player = new Kithara.Player();
    const seen: string[] = [];
    player.addEventListener('volumechange', () => seen.push('volumechange'));
    player.volume = 0.25;
    const g1 = player.output.gain.value;
    player.muted = true;
    const g2 = player.output.gain.value;
    player.muted = false;
    let threw = '';
    try { player.volume = 2; } catch (e) { threw = (e as Error).name; }
    const out = { g1, g2, g3: player.output.gain.value, seen: seen.length, threw };
    await player.destroy();
    return out;
  });
  expect(r.g1).toBeCloseTo(0.25, 6);
  expect(r.g2).toBe(0);
  expect(r.g3).toBeCloseTo(0.25, 6);
  expect(r.seen).toBe(3);
  expect(r.threw).toBe('IndexSizeError');
});

test('a network slower than the bitrate underruns: waiting fires, then playing, and time never runs ahead', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, sleep } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const player = new Kithara.Player({ audioContext: ctx });
    const events: { type: string; time: number }[] = [];
    for (const t of ['playing', 'waiting']) player.addEventListener(t, () => events.push({ type: t, time: player.currentTime }));
    // 16-bit stereo WAV needs 176 kB/s; the server sends 60 kB/s.
    await player.load(`/fixtures/media/chirp-s16.wav?rate=60000&u=${Math.random()}`);
    await player.play();
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      await sleep(150);
      samples.push(player.currentTime);
    }
    const out = { events, samples, underruns: player.stats.underruns };
    await player.destroy();
    await ctx.close();
    return out;
  });
  const types = r.events.map((e) => e.type);
  expect(types[0]).toBe('playing');
  expect(types).toContain('waiting');
  expect(types.lastIndexOf('playing')).toBeGreaterThan(types.indexOf('waiting'));
  expect(r.underruns).toBeGreaterThan(0);
  for (let i = 1; i < r.samples.length; i++) expect(r.samples[i]!).toBeGreaterThanOrEqual(r.samples[i - 1]!);
  // 3 s of wall time at a third of the needed rate: about 1 s of audio, never more than 2.
  expect(r.samples.at(-1)!).toBeLessThan(2);
  expect(r.samples.at(-1)!).toBeGreaterThan(0.3);
});

test('a stream with no length in its container (ADTS) ends cleanly and learns its duration', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, once } = (window as any).kt;
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const player = new Kithara.Player({ audioContext: ctx });
    await player.load('/fixtures/media/chirp.aac');
    const before = player.duration;
    player.currentTime = 5.5;
    await once(player, 'seeked');
    const ended = once(player, 'ended', 5000);
    await player.play();
    await ended;
    const at = player.currentTime;
    await new Promise((res) => setTimeout(res, 300));
    const out = { before, at, later: player.currentTime, duration: player.duration };
    await player.destroy();
    await ctx.close();
    return out;
  });
  expect(Number.isNaN(r.before)).toBe(true);
  expect(r.at).toBeGreaterThan(5.95);
  expect(r.at).toBeLessThan(6.1);
  expect(r.later).toBe(r.at);
  expect(r.duration).toBe(r.at);
});
