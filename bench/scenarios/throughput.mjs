// Scenario: Resource.read throughput (decode + resample to 48 kHz, in the browser) against
// decodeAudioData of the same bytes. Served by the uncapped server (no latency, no rate cap).

import { callBench, withBenchPage } from '../lib/browser.mjs';
import { fmt, summary, table } from '../lib/stats.mjs';

const CONFIGS = [
  { id: 'kithara-normal', label: "Resource.read, resamplerQuality 'normal'", fn: 'resourceThroughput', arg: { resamplerQuality: 'normal' } },
  { id: 'kithara-high', label: "Resource.read, resamplerQuality 'high' (default)", fn: 'resourceThroughput', arg: { resamplerQuality: 'high' } },
  { id: 'kithara-44100', label: 'Resource.read at 44.1 kHz (no resampling)', fn: 'resourceThroughput', arg: { sampleRate: 44100 } },
  { id: 'decodeAudioData', label: 'decodeAudioData (OfflineAudioContext 48 kHz)', fn: 'decodeAudioDataThroughput', arg: {} },
];

export default {
  name: 'throughput',
  title: 'Decode throughput',
  async run(env) {
    const out = {};
    for (const m of env.media) {
      out[m.key] = {};
      for (const c of CONFIGS) {
        const runs = [];
        for (let rep = 0; rep < env.throughputReps; rep++) {
          const url = env.mediaUrl(m.file);
          try {
            runs.push(await withBenchPage(env.browser, env.open.url, (page) => callBench(page, c.fn, { url, ...c.arg })));
          } catch (e) {
            runs.push({ error: String(e?.message ?? e), readMs: NaN });
          }
        }
        out[m.key][c.id] = runs;
        const med = summary(runs.map((r) => r.readMs)).median;
        env.log(`throughput ${m.key} ${c.id}: ${fmt(med)} ms for 60 s → ${fmt(60000 / med, 1)}× realtime`);
      }
    }
    return out;
  },
  markdown(data, env) {
    const rows = [];
    for (const m of env.media) {
      for (const c of CONFIGS) {
        const runs = data[m.key]?.[c.id];
        if (!runs) continue;
        const ok = runs.filter((r) => Number.isFinite(r.readMs));
        const ms = summary(ok.map((r) => r.readMs));
        const x = summary(ok.map((r) => (r.seconds * 1000) / r.readMs));
        const open = summary(ok.map((r) => r.openMs));
        const decoder = ok[0]?.format?.decoderName ?? (c.id === 'decodeAudioData' ? 'browser' : '—');
        const secs = ok[0]?.seconds;
        rows.push([m.label, c.label, fmt(ms.median), `${fmt(x.median, 1)}× (best ${fmt(x.max, 1)}×)`, fmt(open.median), decoder,
          `${fmt(secs, 3)} s`, `${ok.length}/${runs.length}`]);
      }
    }
    return [
      'The 60 s files, fetched without latency or rate cap. Kithara: `Resource.open(url, { sampleRate: 48000,',
      'resamplerQuality })`, then `read()` into a 16384-frame buffer until it returns 0; timed from the first read',
      `to the end (open not included, shown apart). decodeAudioData: the bytes are fetched first (not timed).`,
      `${env.throughputReps} runs each, fresh browser context per run. × realtime = output seconds / wall seconds.`,
      '',
      table(['file', 'path', 'read ms (median)', '× realtime: median (best)', 'open ms', 'decoder', 'output', 'runs'], rows),
    ].join('\n');
  },
};
