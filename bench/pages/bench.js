// Benchmark page: measurements run here, numbers go back to bench/run.mjs. Nothing asserts.
// Every function makes its own AudioContext (48 kHz) and closes it, so runs do not share state.
// Output timing is read in AudioContext frames: the capture worklet (e2e/pages/capture-worklet.js)
// notes the context frame of the first non-silent sample; the main thread notes the context
// frame at its start mark (ctx.currentTime × sampleRate). Both sides see the same render clock,
// so the difference is the time until audio is rendered, without the (equal) output latency.

await waitFor(() => window.ktReady === true);
const { Kithara, makeCapture, sleep, toBase64 } = window.kt;

/** Query that lifts the server's global latency and rate caps for SDK scripts. */
const UNCAPPED = '?latency=0.001&rate=1e12';
const SDK_URLS = { workerUrl: `/dist/kithara.worker.js${UNCAPPED}`, workletUrl: `/dist/kithara.worklet.js${UNCAPPED}` };

async function waitFor(cond, ms = 10000) {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A player under test: Kithara's Player or a native <audio> through a MediaElementSource. */
function makeSubject(who, ctx, destination, playerOptions = {}) {
  if (who === 'kithara') {
    const player = new Kithara.Player({ audioContext: ctx, destination, ...SDK_URLS, ...playerOptions });
    return {
      player,
      start(url) {
        player.src = url;
        return player.play();
      },
      seek(t) {
        player.currentTime = t;
      },
      info: () => ({ stats: { ...player.stats }, currentTime: player.currentTime }),
      destroy: () => player.destroy(),
    };
  }
  const audio = new Audio();
  audio.crossOrigin = 'anonymous';
  const node = ctx.createMediaElementSource(audio);
  node.connect(destination);
  return {
    player: audio,
    start(url) {
      audio.src = url;
      return audio.play();
    },
    seek(t) {
      audio.currentTime = t;
    },
    info: () => ({ currentTime: audio.currentTime }),
    destroy: async () => {
      audio.pause();
      audio.removeAttribute('src');
      audio.load();
      node.disconnect();
    },
  };
}

function timeEvents(target, types, t0ref) {
  const seen = {};
  for (const type of types) target.addEventListener(type, () => { seen[type] ??= performance.now() - t0ref.t0; });
  return seen;
}

/**
 * Time to first audio. `construct`: 'before' makes the player, waits `settleMs`, then starts the
 * clock; 'inside' starts the clock before the player is constructed (includes worker start-up).
 */
async function ttfa({ who, url, construct = 'before', settleMs = 400, timeoutMs = 10000 }) {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await ctx.resume();
  const cap = await makeCapture(ctx, 3);
  const ref = { t0: 0 };
  let subject = construct === 'before' ? makeSubject(who, ctx, cap.node) : undefined;
  await sleep(settleMs);
  cap.arm();
  const frame0 = ctx.currentTime * ctx.sampleRate;
  ref.t0 = performance.now();
  subject ??= makeSubject(who, ctx, cap.node);
  const events = timeEvents(subject.player, ['loadedmetadata', 'canplay', 'playing'], ref);
  let playError;
  const played = subject.start(url).then(() => performance.now() - ref.t0, (e) => { playError = String(e?.message ?? e); return NaN; });
  while (cap.firstSoundFrame() < 0 && performance.now() - ref.t0 < timeoutMs && playError === undefined) await sleep(2);
  const wallMs = performance.now() - ref.t0;
  const first = cap.firstSoundFrame();
  const playResolvedMs = await Promise.race([played, sleep(1000).then(() => NaN)]);
  const out = {
    ok: first >= 0,
    ttfaMs: first >= 0 ? ((first - frame0) / ctx.sampleRate) * 1000 : NaN,
    wallMs,
    playResolvedMs,
    armLagMs: ((cap.startFrame() - frame0) / ctx.sampleRate) * 1000,
    baseLatencyMs: ctx.baseLatency * 1000,
    outputLatencyMs: (ctx.outputLatency ?? NaN) * 1000,
    events,
    error: playError,
    info: subject.info(),
  };
  await subject.destroy();
  await ctx.close();
  return out;
}

/**
 * Seek while playing: play from 0, seek to `target` `afterMs` after the first audio is heard,
 * record `tailMs` more. Returns the recording from just before the seek for analysis in Node.
 */
function seekWhilePlaying({ who, ...options }) {
  return seekWith((ctx, node) => makeSubject(who, ctx, node), options);
}

/** seekWhilePlaying on any subject: `subjectFor(ctx, node)` makes it (hls-bench.js passes hls.js). */
async function seekWith(subjectFor, { url, target = 45, afterMs = 300, tailMs = 3000, settleMs = 400 }) {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await ctx.resume();
  const cap = await makeCapture(ctx, 14);
  const subject = await subjectFor(ctx, cap.node);
  await sleep(settleMs);
  cap.arm();
  const ref = { t0: performance.now() };
  let error;
  subject.start(url).catch((e) => { error = String(e?.message ?? e); });
  while (cap.firstSoundFrame() < 0 && performance.now() - ref.t0 < 10000 && error === undefined) await sleep(2);
  if (cap.firstSoundFrame() < 0) {
    await subject.destroy();
    await ctx.close();
    return { ok: false, error: error ?? 'no audio before the seek' };
  }
  await sleep(afterMs);
  const before = subject.info();
  const seekFrame = ctx.currentTime * ctx.sampleRate;
  ref.t0 = performance.now();
  const events = timeEvents(subject.player, ['seeking', 'seeked', 'playing', 'waiting'], ref);
  subject.seek(target);
  await sleep(tailMs);
  const startFrame = cap.startFrame();
  const recorded = cap.recorded();
  const from = Math.max(0, Math.floor(seekFrame - startFrame - 0.05 * ctx.sampleRate));
  const out = {
    ok: true,
    sampleRate: ctx.sampleRate,
    seekIndex: seekFrame - startFrame - from, // seek call, in frames of the returned pcm
    pcm: cap.pcm(from, recorded),
    before,
    after: subject.info(),
    events,
    error,
  };
  await subject.destroy();
  await ctx.close();
  return out;
}

/** Resource.read throughput: open (not timed), then read to the end as fast as possible. */
async function resourceThroughput({ url, resamplerQuality, sampleRate = 48000, blockFrames = 16384, decoder, workerUrl }) {
  const t0 = performance.now();
  const res = await Kithara.Resource.open(url, { sampleRate, resamplerQuality, ...SDK_URLS, ...(decoder !== undefined && { decoder }), ...(workerUrl !== undefined && { workerUrl }) });
  const openMs = performance.now() - t0;
  const buf = new Float32Array(blockFrames * res.channels);
  let frames = 0;
  const t1 = performance.now();
  for (;;) {
    const n = await res.read(buf);
    if (n === 0) break;
    frames += n;
  }
  const readMs = performance.now() - t1;
  const format = res.format;
  await res.close();
  return { openMs, readMs, frames, seconds: frames / sampleRate, format };
}

/** decodeAudioData of the same bytes at 48000 Hz (fetch not timed). */
async function decodeAudioDataThroughput({ url, sampleRate = 48000 }) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const ctx = new OfflineAudioContext(2, 1, sampleRate);
  const t0 = performance.now();
  const buffer = await ctx.decodeAudioData(bytes);
  const readMs = performance.now() - t0;
  return { readMs, frames: buffer.length, seconds: buffer.duration };
}

/** Soak state, kept between calls so Node can poll while it runs. */
let soak;

/**
 * Starts a soak: loop `url` through a Player into a dropout monitor while the main thread is
 * blocked for `blockMs` every `everyMs`. Poll with soakStatus(), end with soakStop().
 */
async function soakStart({ url, blockMs = 200, everyMs = 1000 }) {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await ctx.resume();
  await ctx.audioWorklet.addModule('./soak-monitor-worklet.js');
  const sab = new SharedArrayBuffer(64 + 4096 * 8);
  const monitor = new AudioWorkletNode(ctx, 'bench-soak-monitor', {
    numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: { sab },
  });
  monitor.connect(ctx.destination);
  const player = new Kithara.Player({ audioContext: ctx, destination: monitor, loop: true, ...SDK_URLS });
  const s = { ctx, monitor, player, meta: new Int32Array(sab, 0, 16), runs: new Int32Array(sab, 64, 4096 * 2),
    t0: 0, blocks: [], loops: [], waiting: [], samples: [], timer: undefined, sampler: undefined };
  soak = s;
  player.addEventListener('seeking', () => s.loops.push(Math.round(ctx.currentTime * ctx.sampleRate)));
  player.addEventListener('waiting', () => s.waiting.push(Math.round(ctx.currentTime * ctx.sampleRate)));
  await player.load(url);
  Atomics.store(s.meta, 0, 1); // arm
  await player.play();
  s.t0 = performance.now();
  if (blockMs > 0) {
    s.timer = setInterval(() => {
      const a = performance.now();
      while (performance.now() - a < blockMs) { /* block the main thread */ }
      s.blocks.push(performance.now() - a);
    }, everyMs);
  }
  s.sampler = setInterval(() => {
    const st = player.stats;
    s.samples.push({ t: (performance.now() - s.t0) / 1000, frame: Math.round(ctx.currentTime * ctx.sampleRate), underruns: st.underruns, ahead: st.bufferedAheadSec });
  }, 1000);
  return { outputMode: player.stats.outputMode, format: player.stats.format };
}

function soakStatus() {
  const s = soak;
  const st = s.player.stats;
  return { elapsedSec: (performance.now() - s.t0) / 1000, underruns: st.underruns, silentQuanta: Atomics.load(s.meta, 2), currentTime: s.player.currentTime };
}

async function soakStop() {
  const s = soak;
  clearInterval(s.timer);
  clearInterval(s.sampler);
  const st = s.player.stats;
  const runCount = Math.min(Atomics.load(s.meta, 3), 4096);
  const runs = [];
  for (let i = 0; i < runCount; i++) runs.push({ frame: s.runs[i * 2], quanta: s.runs[i * 2 + 1] });
  const out = {
    elapsedSec: (performance.now() - s.t0) / 1000,
    underruns: st.underruns,
    outputMode: st.outputMode,
    format: st.format,
    renderedQuanta: Atomics.load(s.meta, 1),
    silentQuanta: Atomics.load(s.meta, 2),
    silentRuns: runs,
    silentRunsTotal: Atomics.load(s.meta, 3),
    firstSoundFrame: Atomics.load(s.meta, 4),
    loops: s.loops,
    waiting: s.waiting,
    blocks: { count: s.blocks.length, meanMs: s.blocks.reduce((a, b) => a + b, 0) / Math.max(1, s.blocks.length) },
    samples: s.samples,
    sampleRate: s.ctx.sampleRate,
  };
  await s.player.destroy();
  await s.ctx.close();
  soak = undefined;
  return out;
}

/** Stores `url` in the persistent cache (cache scenario). */
async function cachePrefetch({ url }) {
  try {
    await Kithara.cache.configure({ workerUrl: SDK_URLS.workerUrl });
    const t0 = performance.now();
    const p = await Kithara.cache.prefetch(url);
    return { ok: true, ms: performance.now() - t0, ...p };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
}

/** OPFS write throughput, measured in a dedicated worker (cache scenario). */
function opfsWriteThroughput({ workerUrl }) {
  return new Promise((resolve) => {
    const w = new Worker(workerUrl, { type: 'module' });
    w.onmessage = (e) => {
      w.terminate();
      resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      resolve({ ok: false, error: String(e.message ?? e) });
    };
    w.postMessage('go');
  });
}

window.bench = { ttfa, seekWhilePlaying, resourceThroughput, decodeAudioDataThroughput, soakStart, soakStatus, soakStop, toBase64, cachePrefetch, opfsWriteThroughput };
/** Shared with bench/pages/hls-bench.js. */
window.benchCore = { seekWith, timeEvents };
window.benchReady = true;
