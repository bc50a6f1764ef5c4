// Chromium for the benchmarks: the same executable and flags as the browser tests
// (e2e/playwright.config.ts), headless. Each measurement gets a fresh browser context (no HTTP
// cache, storage or engine worker shared with the previous one).

import { chromium } from '@playwright/test';
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
