// Benchmark page additions for the HLS scenarios (bench/scenarios/hls-*.mjs): Kithara's Player
// against hls.js driving an <audio> element whose output goes through a MediaElementSource into
// the same worklet (the e2e capture worklet, or the soak monitor for the ABR trace). The scenarios
// add this module to bench.html themselves (page.addScriptTag), so other scenarios' pages never
// fetch it; hls.js (node_modules/hls.js/dist/hls.min.js, default configuration) is loaded on first
// use, uncapped, like the SDK scripts. Adds its functions to window.bench, then sets
// window.hlsBenchReady. Timing follows bench.js: AudioContext frames on both sides. Nothing asserts.

await new Promise((resolve) => {
  const check = () => (window.benchReady === true ? resolve(undefined) : setTimeout(check, 5));
  check();
});
const { Kithara, makeCapture, sleep } = window.kt;

/** Query that lifts the server's latency and rate caps (scripts, as if cached). */
const UNCAPPED = '?latency=0.001&rate=1e12';
const SDK_URLS = { workerUrl: `/dist/kithara.worker.js${UNCAPPED}`, workletUrl: `/dist/kithara.worklet.js${UNCAPPED}` };
const HLS_JS_URL = `/node_modules/hls.js/dist/hls.min.js${UNCAPPED}`;

let hlsJs;
/** Loads hls.js once per page (UMD build, global `Hls`). */
function loadHlsJs() {
  hlsJs ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = HLS_JS_URL;
    s.onload = () => resolve(window.Hls);
    s.onerror = () => reject(new Error('cannot load hls.js'));
    document.head.append(s);
  });
  return hlsJs;
}

/**
 * A player under test. `variant`: a number pins that variant for both players (Kithara
 * `abr: { mode }`, hls.js `startLevel` plus `loadLevel`); undefined leaves each on its defaults.
 * `variant()` is what the player reports as current: Kithara `player.variant`, hls.js
 * `hls.currentLevel` (the level of the fragment playing). `workerUrl` (Kithara) runs another build's
 * engine worker (bench/ab-hls-ttfa.mjs).
 */
async function makeHlsSubject(who, ctx, destination, { variant, workerUrl } = {}) {
  if (who === 'kithara') {
    const player = new Kithara.Player({ audioContext: ctx, destination, ...SDK_URLS, ...(workerUrl !== undefined && { workerUrl }), ...(variant !== undefined && { abr: { mode: variant } }) });
    return {
      player,
      start(url) {
        player.src = url;
        return player.play();
      },
      seek(t) {
        player.currentTime = t;
      },
      variant: () => player.variant,
      levels: () => player.variants.map((v) => v.bandwidth),
      info: () => ({ currentTime: player.currentTime, variant: player.variant, stats: { ...player.stats } }),
      destroy: () => player.destroy(),
    };
  }
  const Hls = await loadHlsJs();
  const audio = new Audio();
  const node = ctx.createMediaElementSource(audio);
  node.connect(destination);
  const hls = new Hls(variant !== undefined ? { startLevel: variant } : {});
  if (variant !== undefined) hls.once(Hls.Events.MANIFEST_PARSED, () => { hls.loadLevel = variant; });
  hls.attachMedia(audio);
  return {
    player: audio,
    hls,
    Hls,
    start(url) {
      hls.loadSource(url);
      return audio.play();
    },
    seek(t) {
      audio.currentTime = t;
    },
    variant: () => hls.currentLevel,
    levels: () => hls.levels.map((l) => l.bitrate),
    info: () => ({ currentTime: audio.currentTime, variant: hls.currentLevel, loadLevel: hls.loadLevel, bandwidthEstimate: hls.bandwidthEstimate }),
    destroy: async () => {
      hls.destroy();
      audio.pause();
      audio.removeAttribute('src');
      audio.load();
      node.disconnect();
    },
  };
}

const { seekWith, timeEvents } = window.benchCore;

/**
 * Time to first audio of an HLS stream, as bench.ttfa's 'before' variant: the player (or hls.js
 * attached to its <audio>) is made, the page idles `settleMs`, then the clock starts at
 * `player.src = url; player.play()` / `hls.loadSource(url); audio.play()`.
 */
async function hlsTtfa({ who, url, variant, workerUrl, settleMs = 400, timeoutMs = 10000 }) {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await ctx.resume();
  const cap = await makeCapture(ctx, 3);
  const subject = await makeHlsSubject(who, ctx, cap.node, { variant, workerUrl });
  const ref = { t0: 0 };
  await sleep(settleMs);
  cap.arm();
  const frame0 = ctx.currentTime * ctx.sampleRate;
  ref.t0 = performance.now();
  const events = timeEvents(subject.player, ['loadedmetadata', 'canplay', 'playing'], ref);
  let playError;
  const played = subject.start(url).then(() => performance.now() - ref.t0, (e) => { playError = String(e?.message ?? e); return NaN; });
  while (cap.firstSoundFrame() < 0 && performance.now() - ref.t0 < timeoutMs && playError === undefined) await sleep(2);
  const first = cap.firstSoundFrame();
  const variantAtFirstAudio = subject.variant();
  const playResolvedMs = await Promise.race([played, sleep(1000).then(() => NaN)]);
  const out = {
    ok: first >= 0,
    ttfaMs: first >= 0 ? ((first - frame0) / ctx.sampleRate) * 1000 : NaN,
    playResolvedMs,
    events,
    error: playError,
    variantAtFirstAudio,
    levels: subject.levels(),
    info: subject.info(),
  };
  await subject.destroy();
  await ctx.close();
  return out;
}

/**
 * Seek while playing (as bench.seekWhilePlaying): play from 0, seek to `target` `afterMs` after
 * the first audio, record `tailMs` more; the recording goes back for analysis in Node.
 */
function hlsSeek({ who, variant, ...options }) {
  return seekWith((ctx, node) => makeHlsSubject(who, ctx, node, { variant }), options);
}

/** ABR trace state, kept between calls so Node can poll while it runs. */
let abr;

/** Sets the server-wide caps (e2e/server/test-server.mjs /__throttle). */
async function throttle({ rate, latencyMs }) {
  const r = await fetch(`/__throttle?rate=${rate}&latency=${latencyMs}`);
  return r.json();
}

/**
 * Starts an ABR trace: sets the server's caps to `caps` ({ rate: bytes/s, latencyMs }), then plays
 * `url` into the dropout monitor (soak-monitor-worklet.js), sampling the player every `sampleMs`.
 * Node changes the caps from then on (a fetch from here could queue behind the player's own
 * requests). Returns as soon as play() was called. Poll with hlsAbrStatus(), end with hlsAbrStop().
 */
async function hlsAbrStart({ who, url, caps, sampleMs = 250, settleMs = 400 }) {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await ctx.resume();
  await ctx.audioWorklet.addModule('/bench/pages/soak-monitor-worklet.js');
  const sab = new SharedArrayBuffer(64 + 4096 * 8);
  const monitor = new AudioWorkletNode(ctx, 'bench-soak-monitor', {
    numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: { sab },
  });
  monitor.connect(ctx.destination);
  const subject = await makeHlsSubject(who, ctx, monitor);
  const s = {
    who, ctx, subject, meta: new Int32Array(sab, 0, 16), runs: new Int32Array(sab, 64, 4096 * 2),
    t0: 0, frame0: 0, samples: [], switches: [], fragsPlaying: [], waiting: [], errors: [], sampler: undefined,
  };
  abr = s;
  const now = () => (performance.now() - s.t0) / 1000;
  const heard = () => Atomics.load(s.meta, 4) >= 0;
  const ct = () => subject.player.currentTime;
  if (who === 'kithara') {
    subject.player.addEventListener('variantchange', (e) => s.switches.push({ t: now(), ...e.detail, currentTime: ct() }));
  } else {
    const { hls, Hls } = subject;
    hls.on(Hls.Events.LEVEL_SWITCHED, (_, d) => s.switches.push({ t: now(), to: d.level, currentTime: ct() }));
    hls.on(Hls.Events.FRAG_CHANGED, (_, d) => s.fragsPlaying.push({ t: now(), level: d.frag.level, sn: d.frag.sn, currentTime: ct() }));
    hls.on(Hls.Events.ERROR, (_, d) => s.errors.push({ t: now(), details: d.details, fatal: d.fatal }));
  }
  subject.player.addEventListener('waiting', () => s.waiting.push({ t: now(), currentTime: ct(), afterFirstSound: heard() }));
  await sleep(settleMs);
  const applied = await throttle(caps);
  Atomics.store(s.meta, 0, 1); // arm the monitor
  s.frame0 = Math.round(ctx.currentTime * ctx.sampleRate);
  s.t0 = performance.now();
  subject.start(url).catch((e) => s.errors.push({ t: now(), details: `play(): ${String(e?.message ?? e)}`, fatal: true }));
  s.sampler = setInterval(() => {
    const sample = { t: now(), currentTime: ct(), variant: subject.variant(), silentQuanta: Atomics.load(s.meta, 2) };
    if (who === 'kithara') {
      const st = subject.player.stats;
      sample.underruns = st.underruns;
      sample.aheadSec = st.bufferedAheadSec;
      sample.estimateBps = st.throughputBps;
    } else {
      sample.loadLevel = subject.hls.loadLevel;
      sample.estimateBps = subject.hls.bandwidthEstimate;
    }
    s.samples.push(sample);
  }, sampleMs);
  return { applied };
}

function hlsAbrStatus() {
  const s = abr;
  return { elapsedSec: (performance.now() - s.t0) / 1000, currentTime: s.subject.player.currentTime, variant: s.subject.variant(), silentQuanta: Atomics.load(s.meta, 2), waiting: s.waiting.length };
}

async function hlsAbrStop() {
  const s = abr;
  clearInterval(s.sampler);
  const runCount = Math.min(Atomics.load(s.meta, 3), 4096);
  const silentRuns = [];
  for (let i = 0; i < runCount; i++) silentRuns.push({ t: (s.runs[i * 2] - s.frame0) / s.ctx.sampleRate, quanta: s.runs[i * 2 + 1] });
  const firstSoundFrame = Atomics.load(s.meta, 4);
  const out = {
    elapsedSec: (performance.now() - s.t0) / 1000,
    sampleRate: s.ctx.sampleRate,
    firstSoundSec: firstSoundFrame >= 0 ? (firstSoundFrame - s.frame0) / s.ctx.sampleRate : NaN,
    renderedQuanta: Atomics.load(s.meta, 1),
    silentQuanta: Atomics.load(s.meta, 2),
    silentRunsTotal: Atomics.load(s.meta, 3),
    silentRuns,
    levels: s.subject.levels(),
    info: s.subject.info(),
    samples: s.samples,
    switches: s.switches,
    fragsPlaying: s.fragsPlaying,
    waiting: s.waiting,
    errors: s.errors,
  };
  await s.subject.destroy();
  await s.ctx.close();
  abr = undefined;
  return out;
}

Object.assign(window.bench, { hlsTtfa, hlsSeek, hlsAbrStart, hlsAbrStatus, hlsAbrStop });
window.hlsBenchReady = true;
