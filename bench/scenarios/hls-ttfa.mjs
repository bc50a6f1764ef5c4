// Scenario: time to first audio of an HLS VOD (master playlist, 4-variant AAC ladder, fMP4),
// Kithara's Player against hls.js on an <audio> element routed through the same capture worklet.
// Two cells: each player on its own defaults, and both pinned to the 128k variant (so neither
// wins by starting on a smaller segment). Capped server (50 ms, 4 Mbit/s).

import { callBench } from '../lib/browser.mjs';
import { hlsRequests, withHlsPage } from '../lib/hls-media.mjs';
import { fmt, summary, table } from '../lib/stats.mjs';

/** The target of issue 3: Kithara at most this fraction of hls.js. */
const TARGET_RATIO = 0.6;
/** Pinned variant of the second cell (ladder index: 128k). */
const PINNED = 1;
const CELLS = [
  { id: 'defaults', variant: undefined, label: 'defaults' },
  { id: 'pinned', variant: PINNED, label: 'both on 128k' },
];
const PLAYERS = ['kithara', 'hlsjs'];

/** Ladder index of the first media segment fetched (what the player started on). */
function firstSegmentVariant(requests) {
  return requests.find((r) => r.kind === 'segment')?.variant ?? -1;
}

/**
 * The request timeline of a run, ms from the arrival of the master playlist request: when each
 * request arrived and when its body was complete (server clock).
 */
function timeline(requests) {
  const t0 = requests[0]?.t ?? 0;
  return requests.map((q) => ({ kind: q.kind, variant: q.variant, sn: q.sn, at: q.t - t0, done: q.complete ? q.t + q.ms - t0 : NaN, bytes: q.bytes, complete: q.complete }));
}

/** The most frequent value. */
function mode(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export default {
  name: 'hls-ttfa',
  title: 'HLS: time to first audio (Kithara vs hls.js)',
  async run(env) {
    const out = {};
    for (const cell of CELLS) {
      const runs = { kithara: [], hlsjs: [] };
      for (let rep = 0; rep < env.reps; rep++) {
        for (const who of rep % 2 === 0 ? PLAYERS : [...PLAYERS].reverse()) {
          const url = env.mediaUrl(env.hls.master);
          const from = env.capped.log.length;
          const r = await withHlsPage(env, (page) => callBench(page, 'hlsTtfa', { who, url, variant: cell.variant }));
          const requests = hlsRequests(env.capped.log, from, env.hls);
          runs[who].push({ ...r, firstSegmentVariant: firstSegmentVariant(requests), timeline: timeline(requests) });
          if (!r.ok) env.log(`hls-ttfa ${cell.id} ${who}: no audio (${r.error ?? 'timeout'})`);
        }
        env.log(`hls-ttfa ${cell.id} rep ${rep + 1}/${env.reps}: kithara ${fmt(runs.kithara[rep].ttfaMs)} ms, hls.js ${fmt(runs.hlsjs[rep].ttfaMs)} ms`);
      }
      out[cell.id] = runs;
    }
    return out;
  },
  markdown(data, env) {
    const kbps = (i) => (i >= 0 ? `${env.hls.variants[i]?.kbps ?? '?'}k` : '—');
    const rows = [];
    const detail = [];
    for (const cell of CELLS) {
      const runs = data[cell.id];
      if (!runs) continue;
      const k = summary(runs.kithara.map((r) => r.ttfaMs));
      const h = summary(runs.hlsjs.map((r) => r.ttfaMs));
      const ratio = k.median / h.median;
      rows.push([cell.label, `${fmt(k.median)} (p90 ${fmt(k.p90)})`, `${fmt(h.median)} (p90 ${fmt(h.p90)})`, fmt(ratio, 2), `≤ ${TARGET_RATIO}`,
        Number.isFinite(ratio) ? (ratio <= TARGET_RATIO ? 'yes' : '**no**') : '—']);
      for (const who of PLAYERS) {
        const rs = runs[who];
        const med = (f) => fmt(summary(rs.map(f)).median);
        const firstSeg = (r) => r.timeline?.find((q) => q.kind === 'segment');
        // A player that starts on part of a segment ends the run before that segment completes.
        const whole = rs.filter((r) => firstSeg(r)?.complete);
        const received = whole.length > rs.length / 2 ? fmt(summary(whole.map((r) => firstSeg(r).done)).median)
          : `partial: ${fmt(summary(rs.map((r) => firstSeg(r)?.bytes)).median / 1000)} kB by the end`;
        detail.push([cell.label, who === 'kithara' ? 'Kithara' : 'hls.js', kbps(mode(rs.map((r) => r.firstSegmentVariant))),
          med((r) => firstSeg(r)?.at), received, med((r) => r.events?.loadedmetadata), med((r) => r.events?.playing), med((r) => r.playResolvedMs), med((r) => r.ttfaMs),
          `${rs.filter((r) => r.ok).length}/${rs.length}`]);
      }
    }
    const ladder = env.hls.variants.map((v) => `${v.kbps}k (BANDWIDTH ${v.bandwidth})`).join(', ');
    return [
      `${env.hls.seconds} s of the chirp as an fMP4 HLS VOD, ${env.hls.segmentSeconds} s segments, master playlist with an`,
      `AAC-LC ladder, all 44.1 kHz stereo: ${ladder}. Milliseconds from the call (\`player.src = url;`,
      '`player.play()` or `hls.loadSource(url); audio.play()`) to the first non-silent sample rendered into the',
      'capture worklet, in AudioContext frames; hls.js 1.x (node_modules, default configuration) drives an `<audio>`',
      'whose output goes through a MediaElementSource into the same worklet. The player (or `new Hls()` +',
      '`attachMedia`) is made 400 ms before the clock starts; all script (hls.js; the SDK\'s worker, worklet and',
      'code-split chunks, which include its HLS code) is served without the caps, as if cached; playlists',
      `and segments with them. Fresh browser context per run; ${env.reps} runs per cell, alternating which player goes`,
      'first; median (p90). "defaults": each player chooses its start variant; "both on 128k": Kithara',
      '`abr: { mode: 1 }`, hls.js `startLevel: 1` and `loadLevel = 1`.',
      '',
      table(['cell', 'Kithara ms', 'hls.js ms', 'ratio', 'target', 'met?'], rows),
      '',
      "Details (medians): the variant of the first media segment fetched and, on the server's clock in ms from",
      'the arrival of the master playlist request, when that segment was requested and when its last byte was',
      'sent ("partial": the run, which ends at the first audio, ended before it was complete: the player started',
      'on part of the segment); then, in ms after the call on the page, the media events, play() resolving and the',
      'first audio. Request times come from the server, page times from the page; their origins differ by a few ms.',
      '',
      table(['cell', 'player', 'first segment', 'requested', 'received', "'loadedmetadata'", "'playing'", 'play() resolved', 'first audio', 'measured'], detail),
    ].join('\n');
  },
};
