// Scenario: the software (WASM) decoders against WebCodecs and decodeAudioData, in the same
// browser run: decode throughput of the 60 s files at their own rate (no resampling), plus the
// gzip size of the lazily loaded decoder chunks. Served by the uncapped server.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { callBench, withBenchPage } from '../lib/browser.mjs';
import { fmt, kib, summary, table } from '../lib/stats.mjs';

/** The bench files' own rate (bench/lib/media.mjs): reading at it means no resampling. */
const FILE_RATE = 44100;
/** Issue 5's targets: WASM AAC-LC and MP3 at least this many × realtime; the suite at most this much gzip. */
const TARGET_X = 100;
const SIZE_BUDGET = 150 * 1024;
/**
 * The worker is loaded by its plain URL: the bench page's default worker URL carries a query
 * string, and the lazy chunks import `../kithara.worker.js` without it, which starts a second
 * engine in the worker when a chunk loads (reported to the lead).
 */
const WORKER_URL = '/dist/kithara.worker.js';

const PATHS = [
  { id: 'wasm', label: "Resource.read, decoder 'wasm'", fn: 'resourceThroughput', arg: { decoder: 'wasm', sampleRate: FILE_RATE, workerUrl: WORKER_URL } },
  { id: 'webcodecs', label: "Resource.read, decoder 'webcodecs'", fn: 'resourceThroughput', arg: { decoder: 'webcodecs', sampleRate: FILE_RATE, workerUrl: WORKER_URL } },
  { id: 'decodeAudioData', label: 'decodeAudioData (OfflineAudioContext 44.1 kHz)', fn: 'decodeAudioDataThroughput', arg: { sampleRate: FILE_RATE } },
];

/** Relative .js imports (static or dynamic) of a built file, resolved to paths. */
function importsOf(file, kind) {
  const code = readFileSync(file, 'utf8');
  const re = kind === 'static' ? /\b(?:from\s*|import\s*)["'](\.{1,2}\/[^"']+\.js)["']/g : /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+\.js)["']\s*\)/g;
  return [...code.matchAll(re)].map((m) => normalize(join(dirname(file), m[1])));
}

/**
 * The lazily loaded decoder files in a dist folder: the chunk of src/decode/wasm/provider.ts
 * (imported dynamically by the worker's core) and every chunk or .wasm file reachable from it,
 * without the worker's core (the entry and its static imports). Same rule as
 * test/package/package.test.ts.
 */
export function wasmSuiteFiles(distDir) {
  const core = new Set();
  const pending = [normalize(join(distDir, 'kithara.worker.js'))];
  while (pending.length > 0) {
    const file = pending.pop();
    if (core.has(file)) continue;
    core.add(file);
    pending.push(...importsOf(file, 'static'));
  }
  const queue = [...core].flatMap((f) => importsOf(f, 'dynamic')).filter((f) => /chunks[\\/]provider-[^\\/]+\.js$/.test(f));
  const seen = new Set();
  while (queue.length > 0) {
    const file = normalize(queue.pop());
    if (seen.has(file) || core.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(file, 'utf8');
    const refs = [
      ...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+\.js)["']/g),
      ...code.matchAll(/["'](\.{0,2}\/?[\w./-]+\.wasm)["']/g),
    ].map((m) => join(dirname(file), m[1]));
    queue.push(...refs.filter((ref) => existsSync(ref)));
  }
  return [...seen].sort().map((file) => {
    const bytes = readFileSync(file);
    return { name: relative(distDir, file), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

export default {
  name: 'wasm',
  title: 'WASM fallback decoders',
  async run(env) {
    const out = { throughput: {}, files: wasmSuiteFiles(env.distDir) };
    const total = out.files.reduce((a, f) => a + f.gzip, 0);
    env.log(`wasm: the decoder suite is ${kib(total)} gzip in ${out.files.length} files`);
    for (const m of env.media) {
      out.throughput[m.key] = {};
      for (const p of PATHS) {
        const runs = [];
        for (let rep = 0; rep < env.throughputReps; rep++) {
          const url = env.mediaUrl(m.file);
          try {
            runs.push(await withBenchPage(env.browser, env.open.url, (page) => callBench(page, p.fn, { url, ...p.arg })));
          } catch (e) {
            runs.push({ error: String(e?.message ?? e), readMs: NaN });
          }
        }
        out.throughput[m.key][p.id] = runs;
        const ok = runs.filter((r) => Number.isFinite(r.readMs));
        const x = summary(ok.map((r) => (r.seconds * 1000) / r.readMs)).median;
        env.log(`wasm ${m.key} ${p.id}: ${fmt(x, 1)}× realtime (${ok.length}/${runs.length} runs)${ok.length < runs.length ? `; ${runs.find((r) => r.error)?.error}` : ''}`);
      }
    }
    return out;
  },
  markdown(data, env) {
    const rows = [];
    for (const m of env.media) {
      for (const p of PATHS) {
        const runs = data.throughput[m.key]?.[p.id];
        if (!runs) continue;
        const ok = runs.filter((r) => Number.isFinite(r.readMs));
        const ms = summary(ok.map((r) => r.readMs));
        const x = summary(ok.map((r) => (r.seconds * 1000) / r.readMs));
        const open = p.id === 'decodeAudioData' ? '—' : fmt(summary(ok.map((r) => r.openMs)).median);
        const decoder = p.id === 'decodeAudioData' ? 'browser' : (ok[0]?.format?.decoderName ?? '—');
        const failed = runs.find((r) => r.error)?.error;
        rows.push([m.label, p.label, fmt(ms.median), `${fmt(x.median, 1)}× (best ${fmt(x.max, 1)}×)`, open, decoder,
          `${ok.length}/${runs.length}${failed ? ` (${failed.split('\n')[0].slice(0, 80)})` : ''}`]);
      }
    }
    const files = data.files;
    const total = files.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
    const sizeRows = files.map((f) => [`dist/${f.name}`, kib(f.raw), kib(f.gzip)]);
    sizeRows.push([`**all of them** (budget ${kib(SIZE_BUDGET)} gzip)`, kib(total.raw), `**${kib(total.gzip)}**${total.gzip <= SIZE_BUDGET ? '' : ' (over)'}`]);
    return [
      'The 60 s files, fetched without latency or rate cap, read at their own rate (44.1 kHz: no resampling).',
      "Kithara: `Resource.open(url, { sampleRate: 44100, decoder })`, then `read()` into a 16384-frame buffer until it",
      'returns 0; timed from the first read to the end (open shown apart). The WASM decoders run in the engine worker',
      "(one thread); WebCodecs decodes on the browser's media thread. decodeAudioData: the fetched bytes into an",
      `OfflineAudioContext at 44.1 kHz (fetch not timed). ${env.throughputReps} runs each, fresh browser context per run.`,
      `Target (issue 5): WASM AAC-LC and MP3 at least ${TARGET_X}× realtime.`,
      '',
      table(['file', 'path', 'read ms (median)', '× realtime: median (best)', 'open ms', 'decoder', 'runs'], rows),
      '',
      'The lazily loaded decoder chunks (the provider chunk and everything it imports; gzip -9). A page loads only the',
      'chunks of the codecs it plays.',
      '',
      table(['file', 'raw', 'gzip -9'], sizeRows),
    ].join('\n');
  },
};
