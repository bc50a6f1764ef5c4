// Chromium for the benchmarks: the same executable and flags as the browser tests
// (e2e/playwright.config.ts), headless. Each measurement gets a fresh browser context (no HTTP
// cache, storage or engine worker shared with the previous one).

import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../../test/lib/chromium-args.mjs';

/** Flags of e2e/playwright.config.ts (one list, in test/lib/chromium-args.mjs). */
export { CHROMIUM_ARGS };

/** The SDK's lazily imported files under dist/chunks/. */
const SDK_CHUNK = /\/dist[^/]*\/chunks\/[^?#]+\.(?:js|wasm)$/;

/** Launches headless Chromium. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh on-disk profile: Chromium launched with a new user-data directory (removed by
 * `close`), as a user's browser is. Contexts made by `browser.newContext()` are off the record
 * (incognito), and there the origin private file system lives in the browser process's memory:
 * every access-handle read and write is a round trip to it (measured here: ~40 MB/s writes,
 * ~0.4 ms per 64 KiB read, against ~700 MB/s and ~0.015 ms on disk). The cache scenario measures
 * the persistent cache where it persists. Returns `{ context, close }`.
 */
export async function launchProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'kithara-bench-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh profile for the cache measurements: `'disk'` ({@link launchProfile}) or `'incognito'`
 * (a new context of `browser`). Returns `{ context, close }`; the SDK's scripts are served
 * uncapped in it (see {@link routeSdkUncapped}).
 */
export async function freshProfile(kind, browser) {
  const profile = kind === 'disk' ? await launchProfile() : await (async () => {
    const context = await browser.newContext();
    return { context, close: () => context.close() };
  })();
  await routeSdkUncapped(profile.context);
  return profile;
}

/**
 * Opens the bench page in a new page of `context`. With `offline`, every request for the bench
 * media is aborted as a network failure; `blocked()` counts them.
 */
export async function openBenchPage(context, origin, { offline = false } = {}) {
  const page = await context.newPage();
  let blocked = 0;
  if (offline) {
    await page.route('**/bench/media/**', (route) => {
      blocked++;
      return route.abort('internetdisconnected');
    });
  }
  await page.goto(`${origin}/bench/pages/bench.html`, { timeout: 20000 });
  await page.waitForFunction(() => window.benchReady === true, undefined, { timeout: 20000 });
  return { page, blocked: () => blocked };
}

/** Stores `url` in `context`'s cache from a page of its own (`Kithara.cache.prefetch`). */
export async function prefetchInto(context, origin, url) {
  const { page } = await openBenchPage(context, origin);
  try {
    return await callBench(page, 'cachePrefetch', { url });
  } finally {
    await page.close();
  }
}

/**
 * Serves the SDK's code-split chunks (the worker's core, HLS, decoders) in `context` without the
 * caps, as if cached, like the worker and worklet scripts themselves (see SDK_URLS in bench.js).
 */
export function routeSdkUncapped(context) {
  return context.route(SDK_CHUNK, (route) => route.continue({ url: `${route.request().url()}?latency=0.001&rate=1e12` }));
}

/**
 * Runs `fn(page)` on a fresh context and page at `${origin}/bench/pages/bench.html`, then closes
 * the context. Page errors are collected into `errors`. A page that does not get ready within
 * 20 s (seen rarely under load) is retried on a new context, up to `attempts` times.
 */
export async function withBenchPage(browser, origin, fn, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    const context = await browser.newContext();
    await routeSdkUncapped(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      try {
        await page.goto(`${origin}/bench/pages/bench.html`, { timeout: 20000 });
        await page.waitForFunction(() => window.benchReady === true, undefined, { timeout: 20000 });
      } catch (e) {
        if (attempt >= attempts) throw e;
        console.warn(`bench page not ready (${String(e?.message ?? e).split('\n')[0]}; ${errors.join('; ')}), retrying`);
        continue;
      }
      return await fn(page, errors);
    } finally {
      await context.close();
    }
  }
}

/** Calls window.bench[name](arg) in the page. */
export function callBench(page, name, arg) {
  return page.evaluate(([n, a]) => window.bench[n](a), [name, arg]);
}
