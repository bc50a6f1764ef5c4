// A/B of Resource.read throughput between two builds, interleaved in one browser run so that
// both see the same machine state (run-to-run noise on a shared 2-core machine is ±15 %, more
// than most changes). Each run gets a fresh context, as in the throughput scenario.
//
// usage: node bench/ab-throughput.mjs DIST_A DIST_B [file=chirp-60s.mp3] [runs=8] [quality=high]
//   e.g. cp -r dist /tmp/dist-before; (change, npm run build); node bench/ab-throughput.mjs /tmp/dist-before dist
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../e2e/server/test-server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { summary } from './lib/stats.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [a, b, file = 'chirp-60s.mp3', runs = '8', quality = 'high'] = process.argv.slice(2);
if (a === undefined || b === undefined) {
  console.error('usage: node bench/ab-throughput.mjs DIST_A DIST_B [file] [runs] [quality]');
  process.exit(2);
}
const server = await startServer({ root: ROOT, extraRoots: { '/distA': resolve(a), '/distB': resolve(b) } });
const browser = await launchBrowser();
const times = { A: [], B: [] };
try {
  for (let i = 0; i < Number(runs); i++) {
    for (const k of i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}/bench/pages/bench.html`);
      await page.waitForFunction(() => window.benchReady === true);
      const r = await page.evaluate((arg) => window.bench.resourceThroughput(arg), {
        url: `/bench/media/${file}?ab=${Date.now()}-${k}`,
        resamplerQuality: quality,
        sampleRate: 48000,
        workerUrl: `/dist${k}/kithara.worker.js`,
      });
      times[k].push(r.readMs);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
for (const k of ['A', 'B']) {
  const med = summary(times[k]).median;
  console.log(`${k} ${k === 'A' ? a : b}: ${times[k].map((t) => t.toFixed(0)).join(' ')} ms; median ${med.toFixed(0)} ms = ${(60000 / med).toFixed(1)}× realtime`);
}
