/** Helpers of the cache end-to-end tests (e2e/cache-*.spec.ts). */
import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { exactCompare, expectedPcm } from '../../test/lib/analyze.mjs';
import { startServer, type TestServer } from '../server/test-server.mjs';
import { openHarness, readResource, type ReadOutcome } from './harness.js';

/**
 * A media server of the test's own (its log holds only this test's requests). It is another
 * origin than the page, which is fine (CORS and CORP headers are sent); the cache lives in the
 * page origin's storage.
 */
export function mediaServer(options: { latencyMs?: number } = {}): Promise<TestServer> {
  return startServer({ root: process.cwd(), port: 0, ...options });
}

/**
 * Blocks the media server for the page's whole browser context (the engine worker's fetches
 * included): every request to it is aborted as a network failure, and counted.
 */
export async function blockMedia(page: Page, server: TestServer): Promise<{ count(): number }> {
  let n = 0;
  await page.context().route(`${server.url}/**`, (route) => {
    n++;
    return route.abort('internetdisconnected');
  });
  return { count: () => n };
}

/**
 * Opens the harness with `cacheKey` set to a function that drops the `token` query parameter
 * (signed URLs); the page records each URL it is asked about in `window.keyCalls`.
 */
export async function openWithTokenKey(page: Page): Promise<void> {
  await openHarness(page);
  const applied = await page.evaluate(async () => {
    const w = window as unknown as { keyCalls: string[]; kt: { Kithara: { cache: { configure(s: unknown): Promise<boolean> } } } };
    w.keyCalls = [];
    return w.kt.Kithara.cache.configure({
      cacheKey: async (url: string) => {
        w.keyCalls.push(url);
        const u = new URL(url);
        u.searchParams.delete('token');
        return u.href;
      },
    });
  });
  expect(applied, 'the key function is set before the cache is made').toBe(true);
}

/** The URLs the page's `cacheKey` function was asked about (see {@link openWithTokenKey}). */
export function keyCalls(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { keyCalls: string[] }).keyCalls);
}

/** Requests for paths ending in `suffix` (every request when omitted). */
export function requests(server: TestServer, suffix = ''): TestServer['log'] {
  return server.log.filter((r) => r.path.endsWith(suffix));
}

/** The 6 s chirp-s16.wav fixture: 44100 Hz stereo 16-bit. */
export const WAV = { path: '/fixtures/media/chirp-s16.wav', rate: 44100, frames: 6 * 44100, bytes: 1058444 };

/** Asserts `out` is sample-exact chirp PCM from `startFrame` (lossless WAV read at its own rate). */
export function expectExactChirp(out: ReadOutcome, startFrame = 0): void {
  const want = expectedPcm(2, WAV.rate, out.frames, { startFrame, bits: 16 });
  for (let ch = 0; ch < 2; ch++) {
    const cmp = exactCompare(out.planes[ch] as Float32Array, want[ch] as Float32Array);
    expect(cmp.equal, `channel ${ch}: first difference at frame ${cmp.firstDiff}, max |diff| ${cmp.maxAbsDiff}`).toBe(true);
  }
}

/** Reads the whole WAV through Resource at its own rate and checks every sample. */
export async function readWavExact(page: Page, url: string, read: { seek?: number } = {}): Promise<ReadOutcome> {
  const out = await readResource(page, url, { sampleRate: WAV.rate, channels: 2 }, read);
  const start = Math.round((read.seek ?? 0) * WAV.rate);
  expect(out.frames).toBe(WAV.frames - start);
  expectExactChirp(out, start);
  return out;
}

/** Opens the harness and applies cache settings before anything else touches the engine. */
export async function openWithCache(page: Page, settings: Record<string, unknown> = {}): Promise<void> {
  await openHarness(page);
  await page.evaluate(async (s) => {
    const { Kithara } = (window as unknown as { kt: { Kithara: { cache: { configure(s: unknown): Promise<boolean> } } } }).kt;
    (window as unknown as { cacheEvents: unknown[] }).cacheEvents = [];
    const c = Kithara.cache as unknown as EventTarget & { configure(s: unknown): Promise<boolean>; ready(): Promise<void> };
    for (const type of ['fallback', 'evicted', 'indexrebuilt', 'backend']) {
      c.addEventListener(type, (e) => (window as unknown as { cacheEvents: unknown[] }).cacheEvents.push((e as CustomEvent).detail));
    }
    await c.ready();
    if (Object.keys(s).length > 0) await c.configure(s);
  }, settings);
}

/** The cache events the page has seen since {@link openWithCache}. */
export function cacheEvents(page: Page): Promise<{ type: string; key?: string; url?: string; reason?: string; bytes?: number }[]> {
  return page.evaluate(() => (window as unknown as { cacheEvents: { type: string }[] }).cacheEvents);
}

/** Calls `Kithara.cache[method](...args)` in the page. */
export function cacheCall<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([m, a]) => {
      const c = (window as unknown as { kt: { Kithara: { cache: Record<string, (...x: unknown[]) => Promise<unknown>> } } }).kt.Kithara.cache;
      return c[m as string]!(...(a as unknown[]));
    },
    [method, args] as const,
  ) as Promise<T>;
}

/** Every cache entry, as `cache.list()` returns it. */
export interface Entry {
  key: string;
  url: string;
  bytes: number;
  length: number;
  complete: boolean;
  pinned: boolean;
}
