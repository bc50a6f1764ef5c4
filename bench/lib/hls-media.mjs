// Bench HLS media: 90 s of the fixtures/signal.mjs chirp as an fMP4 HLS VOD with an AAC-LC ladder
// that straddles 150 kbit/s (64k, 128k, 256k, 320k; all 44.1 kHz stereo, so a switch never changes
// the output format), 4 s segments, made with ffmpeg's hls muxer into bench/media/hls-90s/
// (gitignored) when missing. The master playlist lists the variants in ascending order with
// BANDWIDTH / AVERAGE-BANDWIDTH measured from the segment files (peak and mean segment bit rate,
// RFC 8216) and CODECS.
//
// A seeded white-noise floor (±0.01, about 35 dB under the chirp) is added to the master: ffmpeg's
// AAC encoder spends only ~125 kbit/s on the bare chirp whatever -b:a asks, so without it the 256k
// and 320k variants would be the 128k one again. The chirp still dominates every 32-frame window,
// so the seek analysis (bench/lib/seek-analysis.mjs) matches it as before.
//
// Also here, for the HLS scenarios: `hlsRequests` reads what a run fetched from the test server's
// log, and `withHlsPage` opens the bench page with bench/pages/hls-bench.js added.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBenchPage } from './browser.mjs';
import { renderRaw } from './media.mjs';

/** Length of the stream, in seconds. */
export const BENCH_HLS_SECONDS = 90;
/** Target segment length (-hls_time), in seconds. */
export const BENCH_HLS_SEGMENT_SECONDS = 4;
/** Folder under bench/media. */
export const BENCH_HLS_DIR = 'hls-90s';
/** The ladder, ascending: folder and AAC-LC encoder bit rate (kbit/s). */
export const BENCH_HLS_LADDER = [
  { dir: 'a64', kbps: 64 },
  { dir: 'a128', kbps: 128 },
  { dir: 'a256', kbps: 256 },
  { dir: 'a320', kbps: 320 },
];
const RATE = 44100;
const CHANNELS = 2;
/** Peak of the added noise floor (uniform, seeded). */
const NOISE_PEAK = 0.01;

/** The f32le master: the chirp plus the seeded noise floor. */
function masterWithNoise() {
  const buf = renderRaw('f32', BENCH_HLS_SECONDS);
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  let s = 0x2545f491;
  for (let i = 0; i < f.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    f[i] += (s / 2 ** 32 - 0.5) * 2 * NOISE_PEAK;
  }
  return buf;
}

function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ffmpeg: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ffmpeg failed:\n${r.stderr}`);
}

/** Segment URIs and EXTINF durations of a media playlist. */
function readSegments(playlist) {
  const segments = [];
  let duration = null;
  for (const raw of readFileSync(playlist, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && duration !== null) {
      segments.push({ uri: line, duration });
      duration = null;
    }
  }
  return segments;
}

/** Facts of one variant folder: peak and mean segment bit rate, bytes, segment count. */
function describeVariant(dir) {
  const segments = readSegments(join(dir, 'index.m3u8'));
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const { uri, duration } of segments) {
    const size = statSync(join(dir, uri)).size;
    peak = Math.max(peak, (size * 8) / duration);
    bytes += size;
    seconds += duration;
  }
  return { bandwidth: Math.ceil(peak), averageBandwidth: Math.ceil((bytes * 8) / seconds), bytes, segments: segments.length, seconds, durations: segments.map((x) => x.duration) };
}

function build(out) {
  const tmp = mkdtempSync(join(tmpdir(), 'kithara-bench-hls-'));
  try {
    const master = join(tmp, 'master.f32');
    writeFileSync(master, masterWithNoise());
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
    for (const v of BENCH_HLS_LADDER) {
      const vdir = join(out, v.dir);
      mkdirSync(vdir, { recursive: true });
      ffmpeg([
        '-f', 'f32le', '-ar', String(RATE), '-ac', String(CHANNELS), '-i', master,
        '-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1',
        '-c:a', 'aac', '-aac_coder', 'fast', '-b:a', `${v.kbps}k`,
        '-f', 'hls', '-hls_time', String(BENCH_HLS_SEGMENT_SECONDS), '-hls_playlist_type', 'vod',
        '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4',
        '-hls_segment_filename', join(vdir, 'seg%d.m4s'), join(vdir, 'index.m3u8'),
      ]);
      const d = describeVariant(vdir);
      lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${d.bandwidth},AVERAGE-BANDWIDTH=${d.averageBandwidth},CODECS="mp4a.40.2"`, `${v.dir}/index.m3u8`);
    }
    writeFileSync(join(out, 'master.m3u8'), `${lines.join('\n')}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Makes bench/media/hls-90s/ when missing (built in a side folder, then renamed into place, so an
 * interrupted build is never mistaken for a finished one).
 * @param {string} dir absolute path of bench/media
 * @returns {{ dir: string, master: string, seconds: number, segmentSeconds: number,
 *   variants: { index: number, dir: string, kbps: number, bandwidth: number, averageBandwidth: number,
 *   bytes: number, segments: number }[], segmentDurations: number[] }} `master` is relative to
 *   bench/media; `segmentDurations` are the EXTINF values (the same in every variant).
 */
export function ensureBenchHls(dir) {
  const out = join(dir, BENCH_HLS_DIR);
  if (!existsSync(join(out, 'master.m3u8'))) {
    console.log(`bench: making bench/media/${BENCH_HLS_DIR}/ (HLS, ${BENCH_HLS_LADDER.map((v) => `${v.kbps}k`).join(', ')})`);
    const partial = `${out}.partial`;
    rmSync(partial, { recursive: true, force: true });
    build(partial);
    rmSync(out, { recursive: true, force: true });
    renameSync(partial, out);
  }
  const variants = BENCH_HLS_LADDER.map((v, index) => ({ index, ...v, ...describeVariant(join(out, v.dir)) }));
  return {
    dir: BENCH_HLS_DIR,
    master: `${BENCH_HLS_DIR}/master.m3u8`,
    seconds: BENCH_HLS_SECONDS,
    segmentSeconds: BENCH_HLS_SEGMENT_SECONDS,
    segmentDurations: variants[0].durations,
    variants: variants.map(({ durations, ...v }) => v),
  };
}

const SEGMENT = /\/(a\d+)\/(?:(seg)(\d+)\.m4s|(init)\.mp4|(index)\.m3u8)$/;

/**
 * What a run fetched of the bench HLS stream: the capped server's log entries from index `from`
 * on, for paths under bench/media/hls-90s/.
 * @param {object[]} log the server's live log (RequestRecord[])
 * @param {number} from log length before the run
 * @param {{ dir: string, variants: { dir: string }[] }} hls what ensureBenchHls returned
 * @returns {{ kind: 'master' | 'playlist' | 'init' | 'segment', variant: number, sn: number,
 *   bytes: number, status: number, complete: boolean, t: number, ms: number, range: string | null }[]}
 *   `variant` is the ladder index (-1 for the master), `sn` the segment number (-1 otherwise),
 *   `complete` a 2xx answer whose body was not cut; `t`/`ms` as in the log. A response still in
 *   progress (no `ms` yet) counts as not complete.
 */
export function hlsRequests(log, from, hls) {
  const prefix = `/bench/media/${hls.dir}/`;
  const out = [];
  for (const e of log.slice(from)) {
    if (!e.path.startsWith(prefix)) continue;
    const m = SEGMENT.exec(e.path);
    const variant = m ? hls.variants.findIndex((v) => v.dir === m[1]) : -1;
    const kind = !m ? 'master' : m[2] ? 'segment' : m[4] ? 'init' : 'playlist';
    out.push({ kind, variant, sn: m?.[3] !== undefined ? Number(m[3]) : -1, bytes: e.bytesSent, status: e.status,
      complete: e.status >= 200 && e.status < 300 && !e.aborted && e.ms > 0, t: e.t, ms: e.ms, range: e.range });
  }
  return out;
}

/** Query that lifts the test server's caps for one request. */
const UNCAPPED = 'latency=0.001&rate=1e12';

/**
 * Runs `fn(page)` like withBenchPage, with bench/pages/hls-bench.js added to the page (served
 * without the caps) and ready. The SDK's code-split chunks come uncapped too (withBenchPage routes
 * them), like the worker and worklet scripts and hls.js itself, so both players' code costs the
 * same: nothing. Returns 100 ms after
 * the context closed, so the server has logged the end of every response of the run.
 */
export async function withHlsPage(env, fn) {
  const out = await withBenchPage(env.browser, env.capped.url, async (page, errors) => {
    await page.addScriptTag({ url: `/bench/pages/hls-bench.js?${UNCAPPED}`, type: 'module' });
    await page.waitForFunction(() => window.hlsBenchReady === true, undefined, { timeout: 20000 });
    return fn(page, errors);
  });
  await new Promise((r) => setTimeout(r, 100));
  return out;
}
