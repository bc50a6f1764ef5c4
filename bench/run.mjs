#!/usr/bin/env node
// Kithara benchmarks: `npm run bench` (builds first). Runs a list of named scenarios in one
// headless Chromium against the in-process test server (50 ms latency, 4 Mbit/s), prints progress
// and writes BENCHMARKS.md plus the raw numbers in bench/media/last-run.json. Never asserts.
//
// Environment:
//   BENCH_REPS=7               repetitions per latency cell
//   BENCH_THROUGHPUT_REPS=5    repetitions per throughput cell
//   BENCH_SOAK_SECONDS=300     length of the soak scenario
//   BENCH_HLS_ABR_REPS=1       runs per player of the HLS bandwidth step trace (60 s each)
//   BENCH_ONLY=ttfa,seek       run only these scenarios (the report then goes to bench/media/partial.md)
//   BENCH_OUT=path.md          where to write the report
//   BENCH_RAW=path.json        where to write the raw numbers
//   BENCH_DIST=dir             measure this build instead of dist/ (e.g. an older commit's, for an A/B)
//
// `node bench/run.mjs --report-only` rewrites the report from the raw numbers of the last run
// (bench/media/last-run.json, or partial.json with BENCH_ONLY) without measuring again.
//
// To add a scenario, write bench/scenarios/<name>.mjs exporting { name, title, run(env), markdown(data, env) }
// and append it to SCENARIOS.

import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../e2e/server/test-server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { ensureBenchHls } from './lib/hls-media.mjs';
import { ensureBenchMedia } from './lib/media.mjs';
import { renderReport } from './lib/report.mjs';
import cache from './scenarios/cache.mjs';
import hlsAbr from './scenarios/hls-abr.mjs';
import hlsSeek from './scenarios/hls-seek.mjs';
import hlsTtfa from './scenarios/hls-ttfa.mjs';
import seek from './scenarios/seek.mjs';
import sizes from './scenarios/sizes.mjs';
import soak from './scenarios/soak.mjs';
import throughput from './scenarios/throughput.mjs';
import ttfa from './scenarios/ttfa.mjs';
import wasm from './scenarios/wasm.mjs';

/** The scenarios, in report order. */
const SCENARIOS = [ttfa, seek, throughput, wasm, soak, sizes, cache, hlsTtfa, hlsSeek, hlsAbr];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LATENCY_MS = 50;
const BYTES_PER_SEC = 500_000; // 4 Mbit/s

function intEnv(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}, when provided, must be a positive number.`);
  return n;
}

const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : null;
const selected = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
if (only && selected.length !== only.length) {
  throw new Error(`BENCH_ONLY names unknown scenarios; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
}
const outPath = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, only ? 'bench/media/partial.md' : 'BENCHMARKS.md');
/** Raw numbers: last-run.json for full runs, partial.json for BENCH_ONLY runs. */
const rawPath = process.env.BENCH_RAW ? resolve(process.env.BENCH_RAW) : join(ROOT, 'bench', 'media', only ? 'partial.json' : 'last-run.json');
const distDir = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : join(ROOT, 'dist');
if (!existsSync(join(distDir, 'kithara.mjs'))) throw new Error('dist/ is missing: run `npm run build` (or `npm run bench`).');

if (process.argv.includes('--report-only')) {
  const last = JSON.parse(readFileSync(rawPath, 'utf8'));
  const env = last.env;
  const scenarios = SCENARIOS.filter((s) => last.results[s.name]);
  writeFileSync(outPath, renderReport({ scenarios, results: last.results, env, machine: last.machine }));
  console.log(`wrote ${outPath} from ${rawPath}`);
  process.exit(0);
}

const media = ensureBenchMedia(join(ROOT, 'bench', 'media'));
// The HLS ladder (bench/media/hls-90s/), made only when an HLS scenario runs.
const hls = selected.some((s) => s.name.startsWith('hls-')) ? ensureBenchHls(join(ROOT, 'bench', 'media')) : undefined;
// Serve a private copy of dist/ at /dist, so a rebuild elsewhere during the run cannot mix SDK
// versions (one folder per process: two bench runs at once do not share it).
const snapshot = join(ROOT, 'bench', 'media', `dist-${process.pid}`);
rmSync(snapshot, { recursive: true, force: true });
cpSync(distDir, snapshot, { recursive: true, filter: (src) => !src.startsWith(join(distDir, 'types')) });
const mounts = { '/dist': snapshot };
const capped = await startServer({ root: ROOT, latencyMs: LATENCY_MS, bytesPerSec: BYTES_PER_SEC, extraRoots: mounts });
const open = await startServer({ root: ROOT, extraRoots: mounts });
const browser = await launchBrowser();
const runId = Date.now().toString(36);
let requestNo = 0;
const started = Date.now();

/** What every scenario gets. */
const env = {
  browser,
  capped,
  open,
  media,
  distDir: snapshot,
  reps: intEnv('BENCH_REPS', 7),
  throughputReps: intEnv('BENCH_THROUGHPUT_REPS', 5),
  soakSeconds: intEnv('BENCH_SOAK_SECONDS', 300),
  hls,
  hlsAbrReps: intEnv('BENCH_HLS_ABR_REPS', 1),
  latencyMs: LATENCY_MS,
  bytesPerSec: BYTES_PER_SEC,
  /** A never-seen URL of a bench file, so no cache is reused between runs. */
  mediaUrl: (file) => `/bench/media/${file}?r=${runId}-${++requestNo}`,
  /** The capped server's log entries (Range requests) for a URL made by mediaUrl. */
  requestsFor: (url) => {
    const r = new URL(url, 'http://x').searchParams.get('r');
    return capped.log.filter((e) => e.query.r === r).map((e) => ({ range: e.range, status: e.status, bytes: e.bytesSent }));
  },
  log: (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`),
};

const results = {};
// The machine is shared: the 1-minute load average is sampled so each section can say how busy it was.
let loadSamples = [];
const loadTimer = setInterval(() => loadSamples.push(loadavg()[0]), 2000);
try {
  for (const s of selected) {
    env.log(`scenario ${s.name}: ${s.title}`);
    const t0 = Date.now();
    loadSamples = [loadavg()[0]];
    try {
      results[s.name] = { data: await s.run(env), seconds: (Date.now() - t0) / 1000 };
    } catch (e) {
      env.log(`scenario ${s.name} failed: ${e?.stack ?? e}`);
      results[s.name] = { error: String(e?.message ?? e), seconds: (Date.now() - t0) / 1000 };
    }
    results[s.name].load = { mean: loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length, max: Math.max(...loadSamples) };
  }
  const cpu = cpus();
  const machine = {
    Date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    CPU: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    Cores: String(cpu.length),
    Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    OS: `${type()} ${release()}`,
    Browser: `Chromium ${browser.version()} (headless, /usr/bin/chromium, flags of test/lib/chromium-args.mjs, shared with the browser tests: the brief's, plus no GPU, no QUIC and no omnibox popup WebUIs, whose renderer would take ~400 ms of CPU in the first second of every new context)`,
    Node: process.version,
  };
  writeFileSync(rawPath, JSON.stringify({ machine, env: { ...env, browser: undefined, capped: capped.url, open: open.url, requestsFor: undefined, mediaUrl: undefined, log: undefined }, results }, null, 1));
  writeFileSync(outPath, renderReport({ scenarios: selected, results, env, machine }));
  env.log(`wrote ${outPath}`);
} finally {
  clearInterval(loadTimer);
  await browser.close();
  await capped.close();
  await open.close();
  rmSync(snapshot, { recursive: true, force: true });
}
