// A/B of HLS time to first audio between two builds' engine workers, interleaved in one browser
// run (as ab-throughput.mjs), on the bench HLS ladder over the capped server (50 ms, 4 Mbit/s).
// Only the worker (and its chunks) comes from each build; the page's main-thread SDK is dist/.
//
// usage: node bench/ab-hls-ttfa.mjs DIST_A DIST_B [runs=10] [variant=1|auto]
//   e.g. cp -r dist /tmp/dist-before; (change, npm run build); node bench/ab-hls-ttfa.mjs /tmp/dist-before dist
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../e2e/server/test-server.mjs';
import { callBench, launchBrowser } from './lib/browser.mjs';
import { ensureBenchHls, withHlsPage } from './lib/hls-media.mjs';
import { summary } from './lib/stats.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [a, b, runs = '10', v = '1'] = process.argv.slice(2);
if (a === undefined || b === undefined) {
  console.error('usage: node bench/ab-hls-ttfa.mjs DIST_A DIST_B [runs] [variant]');
  process.exit(2);
}
const variant = v === 'auto' ? undefined : Number(v);
const hls = ensureBenchHls(resolve(ROOT, 'bench/media'));
const capped = await startServer({ root: ROOT, latencyMs: 50, bytesPerSec: 500000, extraRoots: { '/distA': resolve(a), '/distB': resolve(b) } });
const browser = await launchBrowser();
const env = { browser, capped };
const times = { A: [], B: [] };
try {
  for (let i = 0; i < Number(runs); i++) {
    for (const k of i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const url = `/bench/media/${hls.master}?ab=${Date.now()}-${k}`;
      const r = await withHlsPage(env, (page) => callBench(page, 'hlsTtfa', { who: 'kithara', url, variant, workerUrl: `/dist${k}/kithara.worker.js?latency=0.001&rate=1e12` }));
      times[k].push(r.ttfaMs);
    }
  }
} finally {
  await browser.close();
  await capped.close();
}
for (const k of ['A', 'B']) {
  console.log(`${k} ${k === 'A' ? a : b}: ${times[k].map((t) => t.toFixed(0)).join(' ')} ms; median ${summary(times[k]).median.toFixed(1)} ms`);
}
