// Scenario: time to first audio, play() → first non-silent sample out of the output, Kithara's
// Player against a native <audio> routed through the same capture worklet. Capped server.

import { callBench, withBenchPage } from '../lib/browser.mjs';
import { fmt, summary, table } from '../lib/stats.mjs';

/** What the issue measured for native <audio> on its machine, ms (for reference only). */
const ISSUE_NATIVE_MS = { mp3: 95, m4a: 215, flac: 155 };

const VARIANTS = [
  { id: 'kithara', who: 'kithara', construct: 'before' },
  { id: 'native', who: 'native', construct: 'before' },
  { id: 'kithara-cold', who: 'kithara', construct: 'inside' },
  { id: 'native-cold', who: 'native', construct: 'inside' },
];

export default {
  name: 'ttfa',
  title: 'Time to first audio',
  async run(env) {
    const out = {};
    for (const m of env.media) {
      const runs = Object.fromEntries(VARIANTS.map((v) => [v.id, []]));
      for (let rep = 0; rep < env.reps; rep++) {
        // Rotate the order each repetition so no variant always goes first.
        for (let k = 0; k < VARIANTS.length; k++) {
          const v = VARIANTS[(k + rep) % VARIANTS.length];
          const url = env.mediaUrl(m.file);
          const r = await withBenchPage(env.browser, env.capped.url, (page) => callBench(page, 'ttfa', { who: v.who, url, construct: v.construct }));
          runs[v.id].push({ ...r, requests: env.requestsFor(url) });
          if (!r.ok) env.log(`ttfa ${m.key} ${v.id}: no audio (${r.error ?? 'timeout'})`);
        }
        env.log(`ttfa ${m.key} rep ${rep + 1}/${env.reps}: ${VARIANTS.map((v) => `${v.id} ${fmt(runs[v.id][rep].ttfaMs)} ms`).join(', ')}`);
      }
      out[m.key] = runs;
    }
    return out;
  },
  markdown(data, env) {
    const s = (runs, key = 'ttfaMs') => summary(runs.map((r) => r[key]));
    const rows = [];
    const cold = [];
    const detail = [];
    for (const m of env.media) {
      const runs = data[m.key];
      if (!runs) continue;
      const k = s(runs.kithara);
      const n = s(runs.native);
      const ratio = k.median / n.median;
      rows.push([m.label, `${fmt(k.median)} (p90 ${fmt(k.p90)})`, `${fmt(n.median)} (p90 ${fmt(n.p90)})`, fmt(ratio, 2),
        `≤ native (issue: ~${ISSUE_NATIVE_MS[m.key]})`, Number.isFinite(ratio) ? (ratio <= 1 ? 'yes' : '**no**') : '—']);
      const kc = s(runs['kithara-cold']);
      const nc = s(runs['native-cold']);
      cold.push([m.label, `${fmt(kc.median)} (p90 ${fmt(kc.p90)})`, `${fmt(nc.median)} (p90 ${fmt(nc.p90)})`, fmt(kc.median / nc.median, 2)]);
      const ev = (name) => fmt(summary(runs.kithara.map((r) => r.events?.[name])).median);
      detail.push([m.label, ev('loadedmetadata'), ev('playing'), fmt(s(runs.kithara, 'playResolvedMs').median),
        fmt(s(runs.kithara).median), fmt(summary(runs.native.map((r) => r.events?.playing)).median)]);
    }
    const failures = env.media.flatMap((m) => Object.entries(data[m.key] ?? {}).flatMap(([id, rs]) => rs.filter((r) => !r.ok).map(() => `${m.key}/${id}`)));
    return [
      `Milliseconds from the call (\`player.src = url; player.play()\` or \`audio.src = url; audio.play()\`) to the`,
      `first non-silent sample rendered into the capture worklet, in AudioContext frames. Each run is a fresh`,
      `browser context and AudioContext with a cache-busting URL. The player (or \`<audio>\` + MediaElementSource)`,
      `is made 400 ms before the clock starts, as a page would at load; the SDK's worker and worklet scripts are`,
      `served without the caps (as if cached), the media file with them. ${env.reps} runs per cell; median (p90).`,
      '',
      table(['file', 'Kithara ms', 'native ms', 'ratio', 'target', 'met?'], rows),
      '',
      `Cold variant: the clock also covers \`new Player()\` (engine worker start-up) or \`new Audio()\` +`,
      '`createMediaElementSource`:',
      '',
      table(['file', 'Kithara cold ms', 'native cold ms', 'ratio'], cold),
      '',
      'Where Kithara\'s time goes (medians, ms after the call, main-thread event times):',
      '',
      table(['file', "'loadedmetadata'", "'playing'", 'play() resolved', 'first audio', "native 'playing'"], detail),
      failures.length ? `\nRuns without audio: ${failures.join(', ')}.` : '',
    ].join('\n');
  },
};
