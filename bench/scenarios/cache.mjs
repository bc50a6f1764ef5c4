// Scenario: the persistent cache. For each bench file, in one browser profile:
// a first page prefetches the file into the cache (`Kithara.cache.prefetch`); a second page,
// with every request for the bench media aborted (the network is gone), measures
// - time to first audio (play() → first non-silent sample), as in the ttfa scenario, and
// - a seek while playing to 45 s, until audio at the target, as in the seek scenario.
// Then OPFS write throughput: `measureOpfsWriteThroughput()` (src/storage/opfs-bench.ts) in a
// dedicated worker, 32 MiB in 256 KiB writes with coverage updates, until durable.
// Everything runs twice: in an on-disk profile (a user's browser; the figures), and in an
// off-the-record context (incognito, where OPFS lives in the browser process's memory and every
// access-handle call is a round trip to it; see launchProfile in lib/browser.mjs), shown apart.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { callBench, freshProfile, openBenchPage, prefetchInto } from '../lib/browser.mjs';
import { analyseSeek } from '../lib/seek-analysis.mjs';
import { deinterleave } from '../../test/lib/analyze.mjs';
import { fmt, summary, table } from '../lib/stats.mjs';

const TARGET = 45;
const TARGETS = { ttfa: 30, seek: 20, opfs: 50 };

function decode(b64) {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

/** Warms a fresh profile's cache with `url`, then runs `fn(page)` offline in a second page. */
async function warmThenOffline(env, kind, url, fn) {
  // As in every scenario, the SDK's own scripts come as if cached (an offline app has them).
  const profile = await freshProfile(kind, env.browser);
  try {
    const pre = await prefetchInto(profile.context, env.capped.url, url);
    if (!pre.ok) return { ok: false, error: pre.error };
    const { page, blocked } = await openBenchPage(profile.context, env.capped.url, { offline: true });
    try {
      return { ...(await fn(page)), blocked: blocked() };
    } finally {
      await page.close();
    }
  } finally {
    await profile.close();
  }
}

async function opfsWorkerUrl(env) {
  // Bundled into the served dist snapshot, so the page loads it from its own origin.
  const dir = join(env.distDir, 'bench');
  mkdirSync(dir, { recursive: true });
  await build({
    stdin: {
      contents: "import { measureOpfsWriteThroughput } from './src/storage/opfs-bench.ts';\n" +
        'onmessage = async () => { try { postMessage({ ok: true, ...(await measureOpfsWriteThroughput()) }); } catch (e) { postMessage({ ok: false, error: String(e) }); } };\n',
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(dir, 'opfs-bench-worker.js'),
    logLevel: 'silent',
  });
  return '/dist/bench/opfs-bench-worker.js';
}

/** Profiles measured, the figures' first (BENCH_CACHE_PROFILES=disk runs only that one). */
const PROFILES = (process.env.BENCH_CACHE_PROFILES ?? 'disk,incognito').split(',').map((p) => p.trim());

async function runProfile(env, kind) {
  const out = { files: {}, opfs: [] };
  for (const m of env.media) {
    const runs = { ttfa: [], seek: [] };
    for (let rep = 0; rep < env.reps; rep++) {
      const url = env.mediaUrl(m.file);
      const t = await warmThenOffline(env, kind, url, (page) => callBench(page, 'ttfa', { who: 'kithara', url, construct: 'before' }));
      runs.ttfa.push(t);
      const url2 = env.mediaUrl(m.file);
      const s = await warmThenOffline(env, kind, url2, (page) => callBench(page, 'seekWhilePlaying', { who: 'kithara', url: url2, target: TARGET }));
      const a = s.ok ? analyseSeek(deinterleave(decode(s.pcm), 2), s.sampleRate, s.seekIndex, TARGET) : { ok: false, reason: s.error };
      runs.seek.push({ ...a, blocked: s.blocked, seeked: s.events?.seeked });
      env.log(`cache ${kind} ${m.key} rep ${rep + 1}/${env.reps}: warm ttfa ${fmt(t.ttfaMs)} ms (${t.blocked} requests), offline seek ${fmt(a.latencyMs)} ms (${s.blocked} requests)`);
    }
    out.files[m.key] = runs;
  }
  const workerUrl = await opfsWorkerUrl(env);
  for (let rep = 0; rep < env.throughputReps; rep++) {
    const profile = await freshProfile(kind, env.browser);
    try {
      const { page } = await openBenchPage(profile.context, env.capped.url);
      const r = await callBench(page, 'opfsWriteThroughput', { workerUrl });
      out.opfs.push(r);
      env.log(`cache ${kind} opfs rep ${rep + 1}/${env.throughputReps}: ${fmt(r.mbPerSec, 1)} MB/s (${r.access ?? r.error})`);
    } finally {
      await profile.close();
    }
  }
  return out;
}

export default {
  name: 'cache',
  title: 'Persistent cache: warm start and seek offline, OPFS writes',
  async run(env) {
    const out = {};
    for (const kind of PROFILES) out[kind] = await runProfile(env, kind);
    return out;
  },
  markdown(data, env) {
    const rowsOf = (d) => {
      const rows = [];
      for (const m of env.media) {
        const runs = d?.files?.[m.key];
        if (!runs) continue;
        const t = summary(runs.ttfa.map((r) => r.ttfaMs));
        const s = summary(runs.seek.map((r) => r.latencyMs));
        const req = Math.max(...runs.ttfa.map((r) => r.blocked ?? 0), ...runs.seek.map((r) => r.blocked ?? 0));
        rows.push([m.label, `${fmt(t.median)} (p90 ${fmt(t.p90)})`, t.median <= TARGETS.ttfa ? 'yes' : '**no**',
          `${fmt(s.median)} (p90 ${fmt(s.p90)})`, s.median <= TARGETS.seek ? 'yes' : '**no**', String(req)]);
      }
      return rows;
    };
    const opfsLine = (d) => {
      const o = summary((d?.opfs ?? []).map((r) => r.mbPerSec));
      return `median ${fmt(o.median, 1)} MB/s (min ${fmt(o.min, 1)}, ${(d?.opfs ?? []).length} runs, ${(d?.opfs ?? [])[0]?.access ?? '—'} access handles)`;
    };
    const head = ['file', 'warm TTFA ms', `≤ ${TARGETS.ttfa} ms?`, 'cached seek ms', `≤ ${TARGETS.seek} ms?`, 'media requests'];
    const disk = data.disk ?? data;
    const o = summary((disk.opfs ?? []).map((r) => r.mbPerSec));
    return [
      'Each run uses one fresh browser profile: a first page stores the file with `Kithara.cache.prefetch(url)`;',
      'a second page, with every request for the bench media aborted (the network is gone), measures time',
      `to first audio (as in *Time to first audio*, player constructed ${'first'}) and a seek to ${TARGET} s while`,
      'playing until audio at the target (as in *Seek*). Median (p90), ms. "media requests" counts requests',
      'for the file the offline page attempted (all were blocked; 0 means it played from the cache alone).',
      "The SDK's own scripts (worker, worklet, code-split chunks) are served without the caps, as if cached, as in",
      'every other scenario (an app that plays offline has its scripts).',
      '',
      '**On-disk profile** (Chromium with its own user-data directory, as a user\'s browser; the figures):',
      '',
      table(head, rowsOf(disk)),
      '',
      'OPFS write throughput (`measureOpfsWriteThroughput()` in a dedicated worker, 32 MiB in 256 KiB writes',
      `with coverage-index updates, until committed and closed): ${opfsLine(disk)}; target ≥ ${TARGETS.opfs} MB/s: ${o.median >= TARGETS.opfs ? 'yes' : '**no**'}.`,
      '',
      '**Off-the-record context** (`browser.newContext()`, as incognito; for comparison). Chromium keeps OPFS',
      "in the browser process's memory there, and every access-handle read and write is a round trip to it,",
      'so writes are several times slower (and nothing survives the session, so a persistent cache has',
      'little to offer in a private window):',
      '',
      data.incognito === undefined ? '(not run)' : table(head, rowsOf(data.incognito)),
      '',
      data.incognito === undefined ? '' : `OPFS write throughput: ${opfsLine(data.incognito)}.`,
    ].join('\n');
  },
};
