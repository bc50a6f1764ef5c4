// Diagnostic (not a benchmark scenario): the cached-seek timeline. For each rep, in a fresh
// profile: prefetch the file into the cache, then in a second page with the media blocked (or
// online, from the capped server, with `online`), turn Kithara.debug tracing on, run
// bench.seekWhilePlaying to 45 s, and print the seek's latency (as the cache scenario measures
// it) and the marks from `session:seek` on.
// Usage: npm run build && node bench/trace-seek.mjs [file=chirp-60s.mp3] [reps=3] [disk|incognito] [online]
import { resolve } from 'node:path';
import { startServer } from '../e2e/server/test-server.mjs';
import { launchBrowser, callBench, freshProfile, openBenchPage, prefetchInto } from './lib/browser.mjs';
import { ensureBenchMedia } from './lib/media.mjs';
import { analyseSeek } from './lib/seek-analysis.mjs';
import { deinterleave } from '../test/lib/analyze.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const file = process.argv[2] ?? 'chirp-60s.mp3';
const reps = Number(process.argv[3] ?? 3);
const kind = process.argv[4] ?? 'disk';
const online = process.argv[5] === 'online';
const TARGET = 45;
const WORKER = '/dist/kithara.worker.js?latency=0.001&rate=1e12';

function decode(b64) {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

ensureBenchMedia(resolve(ROOT, 'bench/media'));
const server = await startServer({ root: ROOT, latencyMs: 50, bytesPerSec: 500000 });
const browser = kind === 'disk' ? undefined : await launchBrowser();
try {
  for (let rep = 0; rep < reps; rep++) {
    const url = `/bench/media/${file}?r=${Date.now()}-${rep}`;
    const profile = await freshProfile(kind, browser);
    try {
      if (!online) await prefetchInto(profile.context, server.url, url);
      const { page } = await openBenchPage(profile.context, server.url, { offline: !online });
      await page.evaluate((w) => window.kt.Kithara.debug.trace(true, w), WORKER);
      const s = await callBench(page, 'seekWhilePlaying', { who: 'kithara', url, target: TARGET });
      const marks = await page.evaluate((w) => window.kt.Kithara.debug.marks(w), WORKER);
      const a = s.ok ? analyseSeek(deinterleave(decode(s.pcm), 2), s.sampleRate, s.seekIndex, TARGET) : { reason: s.error };
      const t0 = marks.find((m) => m.name === 'worker:session:seek')?.at ?? 0;
      console.log(`rep ${rep}: seek ${a.latencyMs?.toFixed(1)} ms (stale ${a.staleMs?.toFixed(1)}, silence ${a.silenceMs?.toFixed(1)}${a.reason ? `, ${a.reason}` : ''}); 'seeked' event at ${s.events?.seeked?.toFixed(1)} ms`);
      console.log('  ' + marks.filter((m) => m.at >= t0 - 3 && m.at < t0 + 100).map((m) => `${m.name} +${(m.at - t0).toFixed(1)}`).join('\n  '));
      await page.close();
    } finally {
      await profile.close();
    }
  }
} finally {
  await browser?.close();
  await server.close();
}
