// Scenario: ABR under a bandwidth step trace, 4 Mbit/s → 150 kbit/s → 2 Mbit/s (20 s each, 50 ms
// latency throughout), Kithara's Player against hls.js on the 90 s HLS ladder. The server-wide
// caps change through the test server's /__throttle endpoint (in-progress responses slow down
// too). Each player plays alone for 60 s into the soak monitor worklet, which counts silent render
// quanta after the first sound; the page samples the player every 250 ms. Capped server.

import { callBench } from '../lib/browser.mjs';
import { hlsRequests, withHlsPage } from '../lib/hls-media.mjs';
import { fmt, table } from '../lib/stats.mjs';

const LATENCY_MS = 50;
/** The trace: the caps from `at` seconds after the play call (bytes/s). */
const STEPS = [
  { at: 0, rate: 500_000, latencyMs: LATENCY_MS }, // 4 Mbit/s
  { at: 20, rate: 18_750, latencyMs: LATENCY_MS }, // 150 kbit/s
  { at: 40, rate: 250_000, latencyMs: LATENCY_MS }, // 2 Mbit/s
];
const RUN_SECONDS = 60;
const PLAYERS = ['kithara', 'hlsjs'];
const NAMES = { kithara: 'Kithara', hlsjs: 'hls.js' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sets the capped server's caps; resolves to what the server now applies. */
async function throttle(env, query) {
  const r = await fetch(`${env.capped.url}/__throttle?${query}`);
  return r.json();
}

async function abrRun(env, who, url) {
  const from = env.capped.log.length;
  const timers = [];
  try {
    return await withHlsPage(env, async (page) => {
      const [first, ...later] = STEPS;
      const start = await callBench(page, 'hlsAbrStart', { who, url, caps: first });
      // The page called play() just before answering; later steps are timed from here.
      const t0 = Date.now();
      const applied = [{ t: 0, ...start.applied }];
      for (const step of later) {
        timers.push(setTimeout(() => {
          throttle(env, `rate=${step.rate}&latency=${step.latencyMs}`).then((caps) => applied.push({ t: (Date.now() - t0) / 1000, ...caps }));
        }, step.at * 1000));
      }
      const until = t0 + RUN_SECONDS * 1000;
      while (Date.now() < until) {
        await sleep(Math.min(15000, Math.max(0, until - Date.now())));
        const s = await callBench(page, 'hlsAbrStatus');
        env.log(`hls-abr ${who} ${fmt(s.elapsedSec)} / ${RUN_SECONDS} s: t=${fmt(s.currentTime, 1)}, variant ${s.variant}, silent quanta ${s.silentQuanta}, waiting ${s.waiting}`);
      }
      const r = await callBench(page, 'hlsAbrStop');
      return { ...r, applied, requests: hlsRequests(env.capped.log, from, env.hls) };
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    await throttle(env, 'reset=1');
  }
}

/** Index of the segment holding media time `t`. */
function segmentAt(durations, t) {
  let end = 0;
  for (let i = 0; i < durations.length; i++) {
    end += durations[i];
    if (t < end) return i;
  }
  return durations.length - 1;
}

/** Ladder index of a player's level, matched by its BANDWIDTH (players may order levels differently). */
function ladderIndex(env, levels, idx) {
  const bw = levels?.[idx];
  if (!(idx >= 0) || !Number.isFinite(bw)) return -1;
  let best = -1;
  for (const v of env.hls.variants) if (best < 0 || Math.abs(v.bandwidth - bw) < Math.abs(env.hls.variants[best].bandwidth - bw)) best = v.index;
  return best;
}

/**
 * Derives from one run: the variant heard each second (from the server log: the variant of the
 * last complete download of the segment under the playhead), the variant the player reported,
 * the bitrate averages, the bytes downloaded per variant and the dropouts.
 */
export function analyseAbrRun(run, env) {
  const durations = env.hls.segmentDurations;
  const bw = (i) => env.hls.variants[i]?.averageBandwidth ?? NaN;
  const playedBySn = new Map();
  for (const q of [...run.requests].filter((r) => r.kind === 'segment' && r.complete).sort((a, b) => a.t + a.ms - (b.t + b.ms))) playedBySn.set(q.sn, q.variant);
  const played = (ct) => playedBySn.get(segmentAt(durations, ct)) ?? -1;
  const samples = run.samples.filter((s) => s.t >= 0);
  const heardFrom = run.firstSoundSec;
  const traceChar = (i) => (i >= 0 ? String(i) : '·');
  const playedTrace = [];
  const reportedTrace = [];
  for (let k = 0; k < RUN_SECONDS; k++) {
    const s = samples.filter((x) => x.t <= k + 1).pop();
    const audible = s !== undefined && Number.isFinite(heardFrom) && heardFrom <= k + 1;
    playedTrace.push(audible ? traceChar(played(s.currentTime)) : '·');
    reportedTrace.push(s ? traceChar(ladderIndex(env, run.levels, s.variant)) : '·');
  }
  // Bitrate averages over media seconds played, whole run and per step of the trace.
  const phases = STEPS.map((st, i) => ({ from: st.at, to: STEPS[i + 1]?.at ?? RUN_SECONDS, sec: 0, bits: 0, secR: 0, bitsR: 0 }));
  const all = { sec: 0, bits: 0, secR: 0, bitsR: 0 };
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    const dct = b.currentTime - a.currentTime;
    if (!(dct > 0 && dct < 2 * (b.t - a.t) + 0.1) || a.t < heardFrom - 0.3) continue; // not playing, or a jump
    const ph = phases.find((p) => a.t >= p.from && a.t < p.to);
    const vp = played(a.currentTime);
    const vr = ladderIndex(env, run.levels, a.variant);
    for (const acc of [all, ph].filter(Boolean)) {
      if (vp >= 0) { acc.sec += dct; acc.bits += dct * bw(vp); }
      if (vr >= 0) { acc.secR += dct; acc.bitsR += dct * bw(vr); }
    }
  }
  const avg = (acc) => ({ played: acc.bits / acc.sec, reported: acc.bitsR / acc.secR, seconds: acc.sec });
  const bytesByVariant = env.hls.variants.map((v) => run.requests.filter((q) => q.variant === v.index).reduce((n, q) => n + q.bytes, 0));
  const totalBytes = run.requests.reduce((n, q) => n + q.bytes, 0);
  const quantumMs = (128 / run.sampleRate) * 1000;
  const lastUnderruns = samples.at(-1)?.underruns;
  const atStart = samples.find((s) => s.t >= heardFrom)?.underruns;
  return {
    firstSoundSec: heardFrom,
    playedTo: samples.at(-1)?.currentTime ?? NaN,
    playedTrace: playedTrace.join(''),
    reportedTrace: reportedTrace.join(''),
    average: avg(all),
    phases: phases.map((p) => ({ from: p.from, to: p.to, ...avg(p) })),
    bytesByVariant,
    downloadedBps: (totalBytes * 8) / run.elapsedSec,
    silentRuns: run.silentRuns.length,
    silentMs: run.silentQuanta * quantumMs,
    silentAt: run.silentRuns.map((r) => `${fmt(r.t, 1)} s (${fmt(r.quanta * quantumMs)} ms)`),
    waitingAfterStart: run.waiting.filter((w) => w.afterFirstSound).length,
    underrunCounter: Number.isFinite(lastUnderruns) && Number.isFinite(atStart) ? lastUnderruns - atStart : NaN,
    stallErrors: run.errors.filter((e) => /stall/i.test(e.details)).length,
    errors: run.errors.filter((e) => !/stall/i.test(e.details)).map((e) => e.details),
    switches: run.switches.length,
    segmentsFetched: run.requests.filter((q) => q.kind === 'segment').length,
    applied: (run.applied ?? []).map((a) => `${fmt(a.t, 2)} s: ${a.bytesPerSec === null ? 'uncapped' : `${fmt((a.bytesPerSec * 8) / 1000)} kbit/s`}`),
  };
}

export default {
  name: 'hls-abr',
  title: 'HLS: ABR under a bandwidth step trace (Kithara vs hls.js)',
  async run(env) {
    const runs = { kithara: [], hlsjs: [] };
    for (let rep = 0; rep < env.hlsAbrReps; rep++) {
      for (const who of rep % 2 === 0 ? PLAYERS : [...PLAYERS].reverse()) {
        const r = await abrRun(env, who, env.mediaUrl(env.hls.master));
        const a = analyseAbrRun(r, env);
        runs[who].push({ ...r, analysis: a });
        env.log(`hls-abr ${who} rep ${rep + 1}/${env.hlsAbrReps}: silent runs ${a.silentRuns} (${fmt(a.silentMs)} ms), average ${fmt(a.average.played / 1000)} kbit/s played, trace ${a.playedTrace}`);
      }
    }
    return runs;
  },
  markdown(data, env) {
    const rows = [];
    const traces = [];
    const notes = [];
    const kb = (bps) => fmt(bps / 1000);
    const medianAvg = {};
    for (const who of PLAYERS) {
      const rs = data[who] ?? [];
      rs.forEach((r, i) => {
        const a = r.analysis;
        const name = rs.length > 1 ? `${NAMES[who]} #${i + 1}` : NAMES[who];
        const counter = who === 'kithara' ? `${fmt(a.underrunCounter)} (stats.underruns)` : `${a.stallErrors} (bufferStalledError)`;
        rows.push([name, fmt(a.firstSoundSec, 2), `${a.silentRuns} / ${fmt(a.silentMs)} ms`, String(a.waitingAfterStart), counter,
          kb(a.average.played), ...a.phases.map((p) => kb(p.played)), kb(a.average.reported), kb(a.downloadedBps), String(a.switches)]);
        traces.push([`${name}, heard`, ...[0, 20, 40].map((s) => `\`${a.playedTrace.slice(s, s + 20)}\``)]);
        traces.push([`${name}, reported`, ...[0, 20, 40].map((s) => `\`${a.reportedTrace.slice(s, s + 20)}\``)]);
        if (a.silentAt.length) notes.push(`${name}: silence at ${a.silentAt.slice(0, 8).join(', ')}${a.silentAt.length > 8 ? ', …' : ''} (seconds after the call).`);
        if (a.errors.length) notes.push(`${name}: errors ${[...new Set(a.errors)].join(', ')}.`);
        notes.push(`${name}: caps applied at ${a.applied.join(', ')} (after the play call); bytes per variant ${env.hls.variants.map((v, j) => `${v.kbps}k ${fmt(a.bytesByVariant[j] / 1024)} KiB`).join(', ')}; ${a.segmentsFetched} segment requests.`);
      });
      const avgs = rs.map((r) => r.analysis.average.played).sort((a, b) => a - b);
      medianAvg[who] = avgs[Math.floor((avgs.length - 1) / 2)];
    }
    const k = data.kithara ?? [];
    const zero = k.length > 0 && k.every((r) => r.analysis.silentRuns === 0 && r.analysis.waitingAfterStart === 0);
    const atLeast = medianAvg.kithara >= medianAvg.hlsjs;
    const ladder = env.hls.variants.map((v) => `${v.index} = ${v.kbps}k`).join(', ');
    return [
      'The server caps change during playback through the test server\'s `/__throttle` endpoint (every response,',
      'including those in progress): 4 Mbit/s from the play call, 150 kbit/s from 20 s, 2 Mbit/s from 40 s, 50 ms',
      `latency throughout. Each player plays the ${env.hls.seconds} s HLS ladder alone for ${RUN_SECONDS} s from a fresh browser context`,
      'on its default ABR settings, into a monitor worklet that counts silent 128-frame quanta after the first',
      `sound (the stream has no silence of its own). ${env.hlsAbrReps} run(s) per player.`,
      '',
      '- **Heard bitrate**: the mean AVERAGE-BANDWIDTH of the variant under the playhead, weighted by media seconds',
      '  played; the variant under the playhead is the one whose copy of that segment was the last to finish',
      '  downloading (server log), so it does not depend on what a player reports. Columns per step of the trace.',
      '- **Reported**: the same mean over the variant the player reports as current (Kithara `player.variant`,',
      '  which follows `variantchange`; hls.js `hls.currentLevel`, the level of the fragment playing). Where a',
      '  player reports the variant it is fetching, "reported" runs ahead of "heard" by its look-ahead.',
      '- **Dropouts**: silent runs after the first sound (monitor worklet), `waiting` events after the first sound,',
      "  and the player's own counter (Kithara `stats.underruns`, in render quanta; hls.js `bufferStalledError`).",
      '',
      table(['player', 'first audio s', 'silent runs / total', "'waiting'", 'own counter', 'heard kbit/s', '0–20 s', '20–40 s', '40–60 s', 'reported kbit/s', 'downloaded kbit/s', 'switches'], rows),
      '',
      `Target (issue 3): zero underruns for Kithara — ${k.length ? (zero ? 'yes' : '**no**') : '—'}; an average bitrate at least hls.js\'s —`,
      `${Number.isFinite(medianAvg.kithara) && Number.isFinite(medianAvg.hlsjs) ? (atLeast ? 'yes' : '**no**') : '—'} (${kb(medianAvg.kithara)} vs ${kb(medianAvg.hlsjs)} kbit/s heard).`,
      '',
      `Variant per second (${ladder}; · = no audio yet), heard and reported:`,
      '',
      table(['player', '0–19 s', '20–39 s', '40–59 s'], traces),
      '',
      ...notes.map((n) => `- ${n}`),
    ].join('\n');
  },
};
