// The engine's start-up warm-up (src/engine/warm-up.ts): a new Player makes the worker play its
// built-in silence in every container, the M4A through the persistent cache (OPFS), while the
// page idles. Checked on the worker's timeline marks (`Kithara.debug`), the requests the page
// made, and what the cache holds afterwards.
import { test, expect, type Page } from '@playwright/test';
import { alignTo, checkContinuity, firstNonSilent } from '../test/lib/analyze.mjs';
import { openHarness } from './lib/harness.js';
import { fromBase64, planar } from './lib/pcm.js';
import { E2E_PORT } from './lib/port.js';

/** Every warm-up step, in order. */
const STEPS = ['start', 'm4a', 'mp3', 'flac', 'aac', 'opus', 'wav'].map((s) => `worker:warm-up:${s}`);

/** Makes a Player with tracing on, waits (up to 10 s) for the warm-up's last step, destroys it; the marks' names. */
async function warmUp(page: Page): Promise<{ names: string[]; isolated: boolean }> {
  return page.evaluate(async () => {
    const { Kithara, sleep } = (window as any).kt;
    await Kithara.debug.trace(true);
    const ctx = new AudioContext({ sampleRate: 48000 });
    const player = new Kithara.Player({ audioContext: ctx });
    const names: string[] = [];
    for (let i = 0; i < 200 && !names.includes('worker:warm-up:wav'); i++) {
      await sleep(50);
      names.push(...(await Kithara.debug.marks()).map((m: { name: string }) => m.name));
    }
    await player.destroy();
    await ctx.close();
    await Kithara.debug.trace(false);
    return { names, isolated: globalThis.crossOriginIsolated };
  });
}

test('a new Player warms the engine up: every container decoded into a ring, the M4A through OPFS; no request, nothing left in the cache', async ({ page }) => {
  await openHarness(page);
  const requests: string[] = [];
  page.context().on('request', (r) => requests.push(new URL(r.url()).pathname));
  const { names } = await warmUp(page);
  const r = await page.evaluate(async () => {
    const { Kithara } = (window as any).kt;
    const usage = await Kithara.cache.usage();
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('kithara-cache');
    const files: string[] = [];
    for await (const name of (dir as any).keys()) files.push(name);
    return { list: await Kithara.cache.list(), entries: usage.entries, bytes: usage.bytes, files };
  });
  expect(names.filter((n) => n.startsWith('worker:warm-up:'))).toEqual(STEPS);
  // The M4A was stored and read back through OPFS access handles, then played.
  const m4a = names.slice(names.indexOf('worker:warm-up:start'), names.indexOf('worker:warm-up:m4a'));
  expect(m4a).toContain('worker:opfs:sync');
  expect(m4a).toContain('worker:session:demuxer-open');
  // Each of the six sessions decoded audio and wrote it into its ring.
  expect(names.filter((n) => n.startsWith('worker:session:first-write')).length).toBe(6);
  // Nothing of it is in the cache: no entry, no bytes, no scratch file left.
  expect(r.list).toEqual([]);
  expect(r.entries).toBe(0);
  expect(r.bytes).toBe(0);
  expect(r.files.filter((f) => f.startsWith('_scratch'))).toEqual([]);
  // And it fetched nothing but the SDK's own scripts.
  expect(requests.filter((p) => !p.startsWith('/dist/') && !p.startsWith('/e2e/') && !p.startsWith('/node_modules/'))).toEqual([]);
});

test('a play() during the warm-up starts at t=0 and plays continuously; the warm-up stops after its step in flight', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { Kithara, makeCapture, sleep } = (window as any).kt;
    await Kithara.debug.trace(true);
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const cap = await makeCapture(ctx, 3);
    const player = new Kithara.Player({ audioContext: ctx, destination: cap.node });
    const names: string[] = [];
    for (let i = 0; i < 2000 && !names.includes('worker:warm-up:start'); i++) {
      await sleep(2);
      names.push(...(await Kithara.debug.marks()).map((m: { name: string }) => m.name));
    }
    cap.arm();
    player.src = '/fixtures/media/chirp.m4a';
    await player.play();
    await sleep(1500);
    names.push(...(await Kithara.debug.marks()).map((m: { name: string }) => m.name));
    const out = { names, pcm: cap.pcm(), recorded: cap.recorded(), underruns: player.stats.underruns, currentTime: player.currentTime };
    await player.destroy();
    await ctx.close();
    await Kithara.debug.trace(false);
    return out;
  });
  expect(r.names, 'the warm-up had started').toContain('worker:warm-up:start');
  const opened = r.names.indexOf('worker:session:open');
  expect(opened).toBeGreaterThan(r.names.indexOf('worker:warm-up:start'));
  const after = r.names.slice(opened).filter((n) => n.startsWith('worker:warm-up:'));
  expect(after.length, `warm-up steps after the real open: ${after.join(', ')}`).toBeLessThanOrEqual(1);
  expect(r.names).not.toContain('worker:warm-up:wav');
  const planes = planar(fromBase64(r.pcm), 2);
  const start = firstNonSilent(planes, 1e-3);
  expect(start, 'audio was heard').toBeGreaterThanOrEqual(0);
  const a = alignTo(planes, 48000, 0, { start, searchMs: 20 });
  expect(a.corr).toBeGreaterThan(0.99);
  expect(Math.abs(a.t) * 1000, `first heard frame is t=0 (it is t=${(a.t * 1000).toFixed(3)} ms)`).toBeLessThan(1);
  const cont = checkContinuity(planes, 48000, a.t, { start, frames: Math.min(r.recorded - start, 48000), minSnrDb: 12 });
  expect(cont.jumps, 'no lost or repeated frames').toEqual([]);
  expect(r.underruns).toBe(0);
  expect(r.currentTime).toBeGreaterThan(1.2);
});

test('without cross-origin isolation (no SharedArrayBuffer) the warm-up reads each session as a Resource would, to the end', async ({ page }) => {
  await openHarness(page, `http://127.0.0.1:${E2E_PORT + 1}`);
  const r = await warmUp(page);
  expect(r.isolated).toBe(false);
  expect(r.names.filter((n) => n.startsWith('worker:warm-up:'))).toEqual(STEPS);
  expect(r.names.filter((n) => n === 'worker:pipeline:first-packet').length, 'six sessions decoded').toBe(6);
  expect(r.names.filter((n) => n.startsWith('worker:session:first-write')), 'no ring').toEqual([]);
});
