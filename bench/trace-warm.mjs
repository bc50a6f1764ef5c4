// Diagnostic (not a benchmark scenario): the warm-cache start timeline. For each rep, in a fresh
// profile: prefetch the file into the cache, then in a second page with the media blocked, turn
// Kithara.debug tracing on, run bench.ttfa, and print the marks relative to `player:load`.
// Usage: npm run build && node bench/trace-warm.mjs [file=chirp-60s.m4a] [reps=5] [disk|incognito]
// (the profile: an on-disk one, as the cache scenario's figures, or an off-the-record context).
import { startServer } from '../e2e/server/test-server.mjs';
import { launchBrowser, callBench, freshProfile, openBenchPage, prefetchInto } from './lib/browser.mjs';
import { ensureBenchMedia } from './lib/media.mjs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const file = process.argv[2] ?? 'chirp-60s.m4a';
const reps = Number(process.argv[3] ?? 5);
const kind = process.argv[4] ?? 'disk';
ensureBenchMedia(resolve(ROOT, 'bench/media'));
const server = await startServer({ root: ROOT, latencyMs: 50, bytesPerSec: 500000 });
const browser = kind === 'disk' ? undefined : await launchBrowser();
const WORKER = '/dist/kithara.worker.js?latency=0.001&rate=1e12';
try {
  for (let rep = 0; rep < reps; rep++) {
    const url = `/bench/media/${file}?r=${Date.now()}-${rep}`;
    const profile = await freshProfile(kind, browser);
    try {
      await prefetchInto(profile.context, server.url, url);
      const { page } = await openBenchPage(profile.context, server.url, { offline: true });
      const requests = [];
      page.on('request', (r) => requests.push(r.url().replace(server.url, '')));
      await page.evaluate((w) => window.kt.Kithara.debug.trace(true, w), WORKER);
      const before = requests.length;
      const r = await callBench(page, 'ttfa', { who: 'kithara', url, construct: 'before' });
      const marks = await page.evaluate((w) => window.kt.Kithara.debug.marks(w), WORKER);
      const t0 = marks.find((m) => m.name === 'player:load')?.at ?? marks[0]?.at ?? 0;
      console.log(`rep ${rep}: ttfa ${r.ttfaMs?.toFixed(1)} ms, play resolved ${r.playResolvedMs?.toFixed(1)}; requests during: ${requests.slice(before).join(' ')}`);
      console.log('  ' + marks.filter((m) => m.at >= t0 - 1).map((m) => `${m.name} +${(m.at - t0).toFixed(1)}`).join('\n  '));
      await page.close();
    } finally {
      await profile.close();
    }
  }
} finally {
  await browser?.close();
  await server.close();
}
