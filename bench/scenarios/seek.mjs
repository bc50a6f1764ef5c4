// Scenario: seek while playing to a position not yet downloaded, until the new position is
// heard. Both players start at 0; 300 ms after the first audio they seek to 45 s (at 4 Mbit/s
// no more than ~15 s of any bench file is loaded by then). Capped server.

import { callBench, withBenchPage } from '../lib/browser.mjs';
import { analyseSeek } from '../lib/seek-analysis.mjs';
import { deinterleave } from '../../test/lib/analyze.mjs';
import { fmt, summary, table } from '../lib/stats.mjs';

const TARGET = 45;

function decode(b64) {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

export default {
  name: 'seek',
  title: 'Seek to an undownloaded position while playing',
  async run(env) {
    const out = {};
    for (const m of env.media) {
      const runs = { kithara: [], native: [] };
      for (let rep = 0; rep < env.reps; rep++) {
        for (const who of rep % 2 === 0 ? ['kithara', 'native'] : ['native', 'kithara']) {
          const url = env.mediaUrl(m.file);
          const r = await withBenchPage(env.browser, env.capped.url, (page) => callBench(page, 'seekWhilePlaying', { who, url, target: TARGET }));
          let a;
          if (!r.ok) a = { ok: false, reason: r.error };
          else a = analyseSeek(deinterleave(decode(r.pcm), 2), r.sampleRate, r.seekIndex, TARGET);
          runs[who].push({ ...a, events: r.events, before: r.before?.currentTime, after: r.after?.currentTime, requests: env.requestsFor(url) });
          if (!a.ok) env.log(`seek ${m.key} ${who}: not measured (${a.reason})`);
        }
        env.log(`seek ${m.key} rep ${rep + 1}/${env.reps}: kithara ${fmt(runs.kithara[rep].latencyMs)} ms, native ${fmt(runs.native[rep].latencyMs)} ms`);
      }
      out[m.key] = runs;
    }
    return out;
  },
  markdown(data, env) {
    const rows = [];
    const detail = [];
    for (const m of env.media) {
      const runs = data[m.key];
      if (!runs) continue;
      const k = summary(runs.kithara.map((r) => r.latencyMs));
      const n = summary(runs.native.map((r) => r.latencyMs));
      const ratio = k.median / n.median;
      rows.push([m.label, `${fmt(k.median)} (p90 ${fmt(k.p90)})`, `${fmt(n.median)} (p90 ${fmt(n.p90)})`, fmt(ratio, 2), '≤ native',
        Number.isFinite(ratio) ? (ratio <= 1 ? 'yes' : '**no**') : '—']);
      for (const who of ['kithara', 'native']) {
        const rs = runs[who];
        const med = (f) => summary(rs.map(f)).median;
        detail.push([m.label, who, fmt(med((r) => r.startErrorMs), 1), fmt(med((r) => r.staleMs)), fmt(med((r) => r.silenceMs)),
          fmt(med((r) => r.events?.seeked)), fmt(med((r) => r.requests?.length)), `${rs.filter((r) => r.ok).length}/${rs.length}`]);
      }
    }
    return [
      `Both players play the 60 s file from 0; 300 ms after the first audio the page seeks to ${TARGET} s`,
      '(`player.currentTime = 45` / `audio.currentTime = 45`). The latency runs from that call to the first',
      'output frame that belongs to the new position, found after the run by matching the recorded output',
      'against the analytic chirp (seam resolution ≈ 0.7 ms). Fresh browser context per run. Median (p90), ms.',
      '',
      table(['file', 'Kithara ms', 'native ms', 'ratio', 'target', 'met?'], rows),
      '',
      'Details (medians): where the new audio starts relative to 45 s, old audio still heard after the seek',
      "call, silence before the new audio, the 'seeked' event time (ms after the call) and the HTTP requests",
      'the run made for the file in all (start and seek).',
      '',
      table(['file', 'player', 'start error ms', 'old audio ms', 'silence ms', "'seeked' ms", 'requests', 'measured'], detail),
    ].join('\n');
  },
};
