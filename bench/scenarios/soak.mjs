// Scenario: output robustness while the main thread is blocked. The 60 s MP3 loops in a Player
// (`loop = true`) for BENCH_SOAK_SECONDS while the page busy-loops 200 ms of every second.
// Counts the worklet's underruns (player.stats.underruns) and the silent render quanta seen by
// a monitor worklet after the first sound. Capped server.

import { callBench } from '../lib/browser.mjs';
import { fmt, table } from '../lib/stats.mjs';

const BLOCK_MS = 200;
const EVERY_MS = 1000;

export default {
  name: 'soak',
  title: 'Worklet robustness under main-thread blocking',
  async run(env) {
    const m = env.media.find((x) => x.key === 'mp3') ?? env.media[0];
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${env.capped.url}/bench/pages/bench.html`);
      await page.waitForFunction(() => window.benchReady === true, undefined, { timeout: 30000 });
      const start = await callBench(page, 'soakStart', { url: env.mediaUrl(m.file), blockMs: BLOCK_MS, everyMs: EVERY_MS });
      const until = Date.now() + env.soakSeconds * 1000;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, Math.min(15000, Math.max(0, until - Date.now()))));
        const s = await callBench(page, 'soakStatus');
        env.log(`soak ${fmt(s.elapsedSec)} / ${env.soakSeconds} s: underruns ${s.underruns}, silent quanta ${s.silentQuanta}, t=${fmt(s.currentTime, 1)}`);
      }
      const r = await callBench(page, 'soakStop');
      return { file: m, start, ...r };
    } finally {
      await context.close();
    }
  },
  markdown(d, env) {
    const rate = d.sampleRate;
    const quantumMs = (128 / rate) * 1000;
    // A silent run within 1.5 s of a loop restart ('seeking' at the main thread) is the loop seam.
    const nearLoop = (frame) => d.loops.some((l) => Math.abs(frame - l) < 1.5 * rate);
    const atLoop = d.silentRuns.filter((r) => nearLoop(r.frame));
    const elsewhere = d.silentRuns.filter((r) => !nearLoop(r.frame));
    const longest = (runs) => Math.max(0, ...runs.map((r) => r.quanta)) * quantumMs;
    const sum = (runs) => runs.reduce((a, r) => a + r.quanta, 0) * quantumMs;
    // Attribute underrun increments (sampled each second) to loop seams the same way.
    let underrunsAtLoop = 0;
    for (let i = 1; i < d.samples.length; i++) {
      const inc = d.samples[i].underruns - d.samples[i - 1].underruns;
      if (inc > 0 && d.loops.some((l) => l > d.samples[i - 1].frame - rate && l <= d.samples[i].frame)) underrunsAtLoop += inc;
    }
    const rows = [
      ['played', `${fmt(d.elapsedSec, 1)} s (${d.file.label}, loop = true, ${d.loops.length} loop restarts)`],
      ['main-thread blocks', `${d.blocks.count} × ${fmt(d.blocks.meanMs, 1)} ms (every ${EVERY_MS} ms)`],
      ['output mode', d.outputMode],
      ['underruns (player.stats)', `${d.underruns} (of which ~${underrunsAtLoop} at loop restarts)`],
      ['silent quanta after first sound', `${d.silentQuanta} of ${d.renderedQuanta} (${fmt(sum(d.silentRuns))} ms in ${d.silentRunsTotal} runs)`],
      ['  at loop restarts', `${atLoop.length} runs, ${fmt(sum(atLoop))} ms total, longest ${fmt(longest(atLoop), 1)} ms`],
      ['  elsewhere', `${elsewhere.length} runs, ${fmt(sum(elsewhere))} ms total, longest ${fmt(longest(elsewhere), 1)} ms`],
      ["'waiting' events", String(d.waiting.length)],
    ];
    return [
      `${fmt(env.soakSeconds)} s (BENCH_SOAK_SECONDS) of playback of the looping 60 s MP3 through a Player while the page`,
      `busy-loops ${BLOCK_MS} ms of every ${EVERY_MS} ms. A silent render quantum (${fmt(quantumMs, 2)} ms, all samples`,
      '|x| ≤ 1e-6) after the first sound is a dropout: the chirp is never silent for a whole quantum.',
      '',
      table(['measure', 'value'], rows),
    ].join('\n');
  },
};
