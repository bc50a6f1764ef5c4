// Scenario: output robustness while the main thread is blocked. The 60 s MP3 loops in a Player
// (`loop = true`) for BENCH_SOAK_SECONDS while the page busy-loops 200 ms of every second.
// Counts the worklet's underruns (player.stats.underruns) and the silent render quanta seen by
// a monitor worklet after the first sound. A short control (the 6 s fixture looping for 20 s,
// with and without blocking) separates the gap at a loop restart from the blocking. Capped server.

import { callBench } from '../lib/browser.mjs';
import { fmt, summary, table } from '../lib/stats.mjs';

const BLOCK_MS = 200;
const EVERY_MS = 1000;
const CONTROL_FILE = '/fixtures/media/chirp-cbr.mp3';
const CONTROL_SECONDS = 20;

/** One looping playback in a fresh context; polls progress every 15 s. */
async function soakRun(env, { url, seconds, blockMs, quiet = false }) {
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${env.capped.url}/bench/pages/bench.html`);
    await page.waitForFunction(() => window.benchReady === true, undefined, { timeout: 30000 });
    const start = await callBench(page, 'soakStart', { url, blockMs, everyMs: EVERY_MS });
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, Math.min(15000, Math.max(0, until - Date.now()))));
      const s = await callBench(page, 'soakStatus');
      if (!quiet) env.log(`soak ${fmt(s.elapsedSec)} / ${seconds} s: underruns ${s.underruns}, silent quanta ${s.silentQuanta}, t=${fmt(s.currentTime, 1)}`);
    }
    return { start, ...(await callBench(page, 'soakStop')) };
  } finally {
    await context.close();
  }
}

/** Silent runs split into loop restarts and the rest; underrun increments attributed alike. */
function classify(d) {
  const rate = d.sampleRate;
  const quantumMs = (128 / rate) * 1000;
  // A silent run within 1.5 s of a loop restart ('seeking' seen by the main thread) is the seam.
  const nearLoop = (frame) => d.loops.some((l) => Math.abs(frame - l) < 1.5 * rate);
  const atLoop = d.silentRuns.filter((r) => nearLoop(r.frame)).map((r) => r.quanta * quantumMs);
  const other = d.silentRuns.filter((r) => !nearLoop(r.frame));
  const elsewhere = other.map((r) => r.quanta * quantumMs);
  const where = other.map((r) => `${fmt((r.frame - d.firstSoundFrame) / rate, 1)} s (${fmt(r.quanta * quantumMs)} ms)`);
  let underrunsAtLoop = 0;
  for (let i = 1; i < d.samples.length; i++) {
    const inc = d.samples[i].underruns - d.samples[i - 1].underruns;
    if (inc > 0 && d.loops.some((l) => l > d.samples[i - 1].frame - rate && l <= d.samples[i].frame)) underrunsAtLoop += inc;
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  return { quantumMs, atLoop, elsewhere, where, underrunsAtLoop, sum, max: (xs) => Math.max(0, ...xs) };
}

export default {
  name: 'soak',
  title: 'Worklet robustness under main-thread blocking',
  async run(env) {
    const m = env.media.find((x) => x.key === 'mp3') ?? env.media[0];
    const main = await soakRun(env, { url: env.mediaUrl(m.file), seconds: env.soakSeconds, blockMs: BLOCK_MS });
    const control = {};
    for (const blockMs of [0, BLOCK_MS]) {
      control[blockMs] = await soakRun(env, { url: `${CONTROL_FILE}?r=${Date.now().toString(36)}-${blockMs}`, seconds: CONTROL_SECONDS, blockMs, quiet: true });
      const c = classify(control[blockMs]);
      env.log(`soak control (blocking ${blockMs} ms): ${control[blockMs].loops.length} loops, gaps at loops ${c.atLoop.map((x) => fmt(x)).join(', ')} ms`);
    }
    return { file: m, main, control };
  },
  markdown(data, env) {
    const d = data.main;
    const c = classify(d);
    const rows = [
      ['played', `${fmt(d.elapsedSec, 1)} s (${data.file.label}, loop = true, ${d.loops.length} loop restarts)`],
      ['main-thread blocks', `${d.blocks.count} × ${fmt(d.blocks.meanMs, 1)} ms (every ${EVERY_MS} ms)`],
      ['output mode', d.outputMode],
      ['underruns (player.stats)', `**${d.underruns}** (of which ~${c.underrunsAtLoop} at loop restarts)`],
      ['silent quanta after first sound', `${d.silentQuanta} of ${d.renderedQuanta} (${fmt(c.sum([...c.atLoop, ...c.elsewhere]))} ms in ${d.silentRunsTotal} runs)`],
      ['  at loop restarts', `${c.atLoop.length} gaps, ${fmt(c.sum(c.atLoop))} ms total, longest ${fmt(c.max(c.atLoop), 1)} ms`],
      ['  elsewhere (dropouts)', `**${c.elsewhere.length}** runs, ${fmt(c.sum(c.elsewhere))} ms total${c.where.length ? `: at ${c.where.slice(0, 10).join(', ')} after the first sound` : ''}`],
      ["'waiting' events", String(d.waiting.length)],
    ];
    const controlRows = Object.entries(data.control).map(([blockMs, r]) => {
      const k = classify(r);
      const gaps = summary(k.atLoop);
      return [Number(blockMs) > 0 ? `${blockMs} ms of every ${EVERY_MS} ms` : 'none', String(r.loops.length), `${fmt(gaps.median)} / ${fmt(gaps.max)}`,
        String(r.underruns), `${k.elsewhere.length} (${fmt(k.sum(k.elsewhere))} ms)`];
    });
    return [
      `${fmt(env.soakSeconds)} s (BENCH_SOAK_SECONDS) of playback of the looping 60 s MP3 through a Player while the page`,
      `busy-loops ${BLOCK_MS} ms of every ${EVERY_MS} ms. A silent render quantum (${fmt(c.quantumMs, 2)} ms, all samples`,
      '|x| ≤ 1e-6) after the first sound is a dropout: the chirp is never silent for a whole quantum. The',
      'silence at a loop restart is counted apart: it is the seam of `loop = true`, not an underrun.',
      '',
      table(['measure', 'value'], rows),
      '',
      `Loop seam control: the 6 s fixture (chirp-cbr.mp3) looping for ${CONTROL_SECONDS} s, with and without blocking.`,
      '',
      table(['main-thread blocking', 'loop restarts', 'gap at restart, median / max ms', 'underruns', 'other silent runs'], controlRows),
    ].join('\n');
  },
};
