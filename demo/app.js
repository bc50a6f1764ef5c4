// The Kithara demo page. It drives one Player (transport, charts, logs) and shows the
// <kithara-player> element as a second example. It only uses the public API of the built
// package (/dist/kithara.mjs). `window.demo` exposes the live objects for the e2e tests.

import { Player, KitharaPlayerElement, version } from '/dist/kithara.mjs';
import { attachTaps, detachTaps, rms } from './audio-taps.js';
import { COLORS, TimeSeriesChart, drawScope, drawSpectrum } from './charts.js';
import { startJank } from './jank.js';
import {
  EventLog, bufferedGradient, formatBps, formatBytes, formatClock, renderEnv, renderKeyValues, renderVariants,
} from './panels.js';

/** Player events shown in the log. */
const PLAYER_EVENTS = [
  'loadstart', 'loadedmetadata', 'durationchange', 'canplay', 'play', 'playing', 'pause', 'waiting',
  'seeking', 'seeked', 'timeupdate', 'progress', 'ended', 'error', 'volumechange', 'variants',
  'variantchange', 'formatchange',
];
/** Track picked first when present. */
const DEFAULT_TRACK = 'chirp.m4a';
const DEFAULT_ELEMENT_TRACK = 'chirp.flac';
/** Stats poll period (the Player's stats getter is meant for ≤ 10 Hz). */
const POLL_MS = 100;
/** The jank toggle blocks the main thread this long, once per second. */
const JANK_MS = 200;

if (!customElements.get('kithara-player')) customElements.define('kithara-player', KitharaPlayerElement);

const $ = (id) => /** @type {any} */ (document.getElementById(id));
const log = new EventLog($('log'));
const charts = {
  buffer: new TimeSeriesChart($('buffer-chart'), {
    series: [{ key: 'ahead', label: 'buffer ahead', color: COLORS.green, fill: true }],
    yMaxMin: 1,
    format: (v) => `${v.toFixed(1)}s`,
  }),
  net: new TimeSeriesChart($('net-chart'), {
    series: [{ key: 'mb', label: 'loaded', color: COLORS.left, fill: true }],
    yMaxMin: 0.1,
    format: (v) => `${v.toFixed(v < 1 ? 2 : 1)}MB`,
  }),
  throughput: new TimeSeriesChart($('throughput-chart'), {
    series: [{ key: 'mbps', label: 'throughput', color: COLORS.purple, fill: true }],
    yMaxMin: 0.5,
    format: (v) => `${v.toFixed(1)}M`,
  }),
};

const state = {
  /** @type {any} */ player: null,
  /** @type {AbortController | null} */ listeners: null,
  /** @type {any} */ audio: null,
  mediaBase: '',
  /** @type {any[]} */ tracks: [],
  /** @type {string | Blob} */ source: '',
  sourceLabel: '',
  started: false,
  dragging: false,
  underruns: 0,
  progressEvents: 0,
  /** @type {'auto' | number} */ variantMode: 'auto',
  pollFailed: false,
  audioFailed: false,
  /** @type {(() => void) | null} */ stopJank: null,
};

// ----- player lifecycle --------------------------------------------------------------------

function createPlayer(decoder) {
  const old = state.player;
  if (old) {
    state.listeners?.abort();
    detachTaps(state.audio);
    state.audio = null;
    state.audioFailed = false;
    old.destroy().catch((e) => showError(e));
  }
  const player = new Player({ decoder });
  const listeners = new AbortController();
  for (const type of PLAYER_EVENTS) {
    player.addEventListener(type, (e) => onPlayerEvent(e), { signal: listeners.signal });
  }
  player.volume = Number($('volume').value);
  player.loop = $('loop').checked;
  state.player = player;
  state.listeners = listeners;
  state.underruns = 0;
  return player;
}

function onPlayerEvent(e) {
  const p = state.player;
  let detail = '';
  let cls = '';
  switch (e.type) {
    case 'loadedmetadata':
    case 'durationchange':
      detail = `duration ${formatClock(p.duration)}`;
      break;
    case 'seeking':
    case 'seeked':
    case 'timeupdate':
      detail = formatClock(p.currentTime);
      break;
    case 'progress':
      state.progressEvents++;
      break;
    case 'waiting':
      cls = 'warn';
      break;
    case 'volumechange':
      detail = `volume ${p.volume.toFixed(2)}${p.muted ? ' (muted)' : ''}`;
      break;
    case 'formatchange': {
      const f = e.detail;
      detail = `${f.container}/${f.codec} ${f.sampleRate} Hz ${f.channels} ch via ${f.decoderName || f.decoder}`;
      break;
    }
    case 'variants':
      detail = `${e.detail.length} variants`;
      renderHls();
      break;
    case 'variantchange':
      detail = `${e.detail.from} → ${e.detail.to} (${e.detail.reason})`;
      charts.throughput.mark(performance.now(), COLORS.right, `→${e.detail.to}`);
      renderHls();
      break;
    case 'error': {
      const err = e.error;
      cls = 'error';
      detail = err ? `${err.code ?? err.name}: ${err.message}` : 'unknown error';
      showError(err ?? new Error(detail));
      break;
    }
  }
  log.add(e.type, detail, cls);
  updateStatePill(e.type);
}

/** Loads a URL or a Blob; plays it when the user has already started playback. */
function loadSource(src, label) {
  const player = state.player;
  state.source = src;
  state.sourceLabel = label;
  state.progressEvents = 0;
  state.underruns = currentUnderruns(player);
  for (const c of Object.values(charts)) c.clear();
  $('hls-card').hidden = true;
  hideError();
  log.add('load', label);
  Promise.resolve(player.load(src)).catch(showError);
  if (state.started) player.play().catch(showError);
}

/** The player's underrun counter (0 when stats are unavailable). */
function currentUnderruns(player) {
  try {
    return player.stats.underruns;
  } catch {
    return 0;
  }
}

function trackUrl(file) {
  return new URL(file, state.mediaBase).href;
}

function loadTrack(file) {
  $('track').value = file;
  describeTrack(file);
  loadSource(trackUrl(file), file);
}

// ----- drawing ---------------------------------------------------------------------------

function frame() {
  requestAnimationFrame(frame);
  const player = state.player;
  if (!player) return;
  if (!state.audio && !state.audioFailed) {
    try {
      state.audio = attachTaps(player);
    } catch (e) {
      state.audioFailed = true;
      log.add('demo', `analysers unavailable: ${e?.message ?? e}`, 'error');
    }
  }
  const a = state.audio;
  if (a) {
    a.left.getFloatTimeDomainData(a.bufL);
    a.right.getFloatTimeDomainData(a.bufR);
    drawScope($('scope'), a.bufL, a.bufR);
    a.mix.getByteFrequencyData(a.bins);
    drawSpectrum($('spectrum'), a.bins, a.sampleRate);
  }
  updateTransport(player);
}

// ----- transport ---------------------------------------------------------------------------

function updateTransport(player) {
  const t = player.currentTime;
  const d = player.duration;
  const seekable = d > 0 && Number.isFinite(d);
  const seek = $('seek');
  seek.disabled = !seekable;
  seek.max = seekable ? String(d) : '0';
  const shown = state.dragging ? Number(seek.value) : t;
  if (!state.dragging) seek.value = String(seekable ? Math.min(t, d) : 0);
  $('seek-played').style.width = `${seekable ? Math.min(100, (shown / d) * 100) : 0}%`;
  $('time').textContent = `${formatClock(shown)} / ${formatClock(d)}`;
  seek.setAttribute('aria-valuetext', `${formatClock(shown)} of ${formatClock(d)}`);
  const paused = player.paused;
  const playBtn = $('play');
  if (playBtn.dataset.paused !== String(paused)) {
    playBtn.dataset.paused = String(paused);
    $('play-icon').setAttribute('d', paused ? 'M8 5v14l11-7z' : 'M6 5h4v14H6zm8 0h4v14h-4z');
    playBtn.setAttribute('aria-label', paused ? 'Play' : 'Pause');
  }
  $('mute').textContent = player.muted || player.volume === 0 ? '🔇' : '🔊';
  $('mute').setAttribute('aria-pressed', String(player.muted));
}

function updateStatePill(type) {
  const names = { play: 'starting', playing: 'playing', pause: 'paused', waiting: 'waiting for data', ended: 'ended', error: 'error', loadstart: 'loading', seeking: 'seeking' };
  const label = names[type];
  if (label) $('state-pill').textContent = label;
  if (type === 'seeked' || type === 'canplay') $('state-pill').textContent = state.player.paused ? 'paused' : 'playing';
  $('play').classList.toggle('waiting', type === 'waiting' || (type === 'seeking' && !state.player.paused));
}

function togglePlay() {
  const player = state.player;
  if (!state.source && state.tracks.length > 0) loadTrack($('track').value);
  state.started = true;
  if (player.paused) {
    $('element-player').pause?.();
    player.play().catch(showError);
  } else {
    player.pause();
  }
}

// ----- stats polling (10 Hz) -----------------------------------------------------------------

function poll() {
  const player = state.player;
  if (!player) return;
  const now = performance.now();
  let stats;
  try {
    stats = player.stats;
  } catch (e) {
    if (!state.pollFailed) log.add('demo', `stats unavailable: ${e?.message ?? e}`, 'error');
    state.pollFailed = true;
    return;
  }
  charts.buffer.push(now, { ahead: stats.bufferedAheadSec });
  if (stats.underruns > state.underruns) charts.buffer.mark(now, COLORS.red, 'underrun');
  state.underruns = stats.underruns;
  $('buffer-now').textContent = `${stats.bufferedAheadSec.toFixed(2)} s · ${stats.underruns} underruns`;

  charts.net.guides = Number.isFinite(stats.bytesTotal)
    ? [{ v: stats.bytesTotal / 1e6, color: COLORS.axis, label: `total ${formatBytes(stats.bytesTotal)}` }]
    : [];
  charts.net.push(now, { mb: stats.bytesLoaded / 1e6 });
  const pct = Number.isFinite(stats.bytesTotal) && stats.bytesTotal > 0 ? ` (${Math.round((stats.bytesLoaded / stats.bytesTotal) * 100)}%)` : '';
  $('net-now').textContent = `${formatBytes(stats.bytesLoaded)} / ${formatBytes(stats.bytesTotal)}${pct} · ${state.progressEvents} progress`;

  if (!$('hls-card').hidden) {
    charts.throughput.push(now, { mbps: stats.throughputBps / 1e6 });
    $('hls-now').textContent = `variant ${stats.variant} · estimate ${formatBps(stats.throughputBps)}`;
    charts.throughput.draw(now);
  }
  charts.buffer.draw(now);
  charts.net.draw(now);
  renderFormat(player, stats);
  const ranges = player.buffered;
  $('seek-buffered').style.background = bufferedGradient(ranges, player.duration, 'rgba(255,255,255,0.32)');
}

function renderFormat(player, stats) {
  const f = stats.format;
  const modes = { sab: 'SharedArrayBuffer ring', port: 'MessagePort fallback', none: 'not started' };
  renderKeyValues($('format'), [
    ['Source', state.sourceLabel || '–'],
    ['Container', f?.container ?? '–'],
    ['Codec', f ? `${f.codec}${f.codecString ? ` (${f.codecString})` : ''}` : '–'],
    ['Decoder', f ? `${f.decoder} · ${f.decoderName}` : '–'],
    ['Source rate', f ? `${f.sampleRate} Hz, ${f.channels === 1 ? 'mono' : `${f.channels} ch`}` : '–'],
    ['Output rate', `${stats.outputSampleRate || player.audioContext?.sampleRate || '?'} Hz`],
    ['Output', `${stats.outputMode} (${modes[stats.outputMode] ?? '?'})`],
    ['Duration', formatClock(player.duration)],
  ]);
}

function renderHls() {
  const p = state.player;
  const variants = p.variants ?? [];
  $('hls-card').hidden = variants.length === 0;
  if (variants.length === 0) return;
  renderVariants($('variants'), $('abr'), variants, p.stats.variant, state.variantMode);
  charts.throughput.guides = variants.map((v) => ({ v: v.bandwidth / 1e6, color: 'rgba(179,157,219,0.5)', label: `#${v.index}` }));
}

function setJank(on) {
  state.stopJank?.();
  state.stopJank = null;
  const meter = $('jank-meter');
  meter.classList.toggle('on', on);
  meter.textContent = 'main thread idle';
  if (!on) return;
  meter.textContent = 'main thread blocking…';
  state.stopJank = startJank(() => state.player, (r) => {
    meter.textContent = `blocked ${r.count}× ${r.blockMs} ms · audio clock +${r.audioAdvancedSec.toFixed(2)} s during the last block · underruns +${r.underruns}`;
  }, JANK_MS);
}

// ----- errors ------------------------------------------------------------------------------

function showError(err) {
  // A load or play() superseded by a newer one is not a failure worth a banner.
  if (err?.code === 'aborted' || err?.name === 'AbortError') return;
  const code = err?.code ? `${err.code}${err.status ? ` ${err.status}` : ''}: ` : '';
  $('error-text').textContent = `${code}${err?.message ?? String(err)}`;
  $('error-banner').hidden = false;
}

function hideError() {
  $('error-banner').hidden = true;
}

// ----- wiring ------------------------------------------------------------------------------

async function loadManifest() {
  const asked = new URLSearchParams(location.search).get('media');
  const bases = asked ? [asked] : ['/media/', '/fixtures/media/'];
  for (const base of bases) {
    const url = new URL(base.endsWith('/') ? base : `${base}/`, location.href);
    try {
      const res = await fetch(new URL('manifest.json', url));
      if (res.ok) return { base: url.href, tracks: await res.json() };
    } catch {
      // try the next base
    }
  }
  return { base: new URL('/media/', location.href).href, tracks: [] };
}

function describeTrack(file) {
  const t = state.tracks.find((x) => x.file === file);
  $('track-info').textContent = t
    ? `${t.container} · ${t.codec} · ${t.sampleRate} Hz · ${t.channels === 1 ? 'mono' : 'stereo'} · ${t.frames} frames${t.lossless ? ' · lossless' : ''}`
    : '';
}

function fillTrackSelect(select, selected) {
  select.replaceChildren();
  for (const t of state.tracks) {
    const o = document.createElement('option');
    o.value = t.file;
    o.textContent = `${t.file} (${t.codec}, ${t.sampleRate / 1000} kHz${t.channels === 1 ? ' mono' : ''})`;
    select.append(o);
  }
  if (state.tracks.some((t) => t.file === selected)) select.value = selected;
}

function setupElement() {
  const el = $('element-player');
  const pick = $('element-track');
  const apply = () => {
    if (!pick.value) return;
    el.src = trackUrl(pick.value);
    $('element-code').textContent = `<kithara-player src="${el.getAttribute('src')}" controls></kithara-player>`;
  };
  pick.addEventListener('change', apply);
  apply();
  for (const type of ['loadedmetadata', 'play', 'pause', 'ended', 'error', 'formatchange']) {
    el.addEventListener(type, (e) => {
      log.add(`element ${type}`, type === 'error' ? `${e.error?.code}: ${e.error?.message}` : '', type === 'error' ? 'error' : '');
      if (type === 'play') state.player?.pause();
    });
  }
}

function wireControls() {
  $('play').addEventListener('click', togglePlay);
  const seek = $('seek');
  seek.addEventListener('input', () => (state.dragging = true));
  seek.addEventListener('change', () => {
    state.dragging = false;
    state.player.currentTime = Number(seek.value);
  });
  seek.addEventListener('keydown', (e) => {
    const step = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5 }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    const p = state.player;
    p.currentTime = Math.max(0, Math.min(p.duration || 0, p.currentTime + step));
  });
  $('volume').addEventListener('input', (e) => {
    state.player.volume = Number(e.target.value);
    if (state.player.muted && state.player.volume > 0) state.player.muted = false;
  });
  $('mute').addEventListener('click', () => (state.player.muted = !state.player.muted));
  $('track').addEventListener('change', (e) => {
    state.started = true;
    loadTrack(e.target.value);
  });
  $('url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $('url').value.trim();
    if (url) loadSource(new URL(url, location.href).href, url);
  });
  $('file').addEventListener('change', (e) => {
    const file = e.target.files?.[0];
    if (file) loadSource(file, `${file.name} (local file, ${formatBytes(file.size)})`);
  });
  $('decoder').addEventListener('change', (e) => {
    createPlayer(e.target.value);
    if (state.source) loadSource(state.source, state.sourceLabel);
  });
  $('abr').addEventListener('change', (e) => {
    const v = e.target.value;
    state.variantMode = v === 'auto' ? 'auto' : Number(v);
    state.player.variant = state.variantMode;
    log.add('abr', `mode ${v}`);
  });
  $('loop').addEventListener('change', (e) => (state.player.loop = e.target.checked));
  $('jank').addEventListener('change', (e) => setJank(e.target.checked));
  $('log-clear').addEventListener('click', () => log.clear());
  $('error-close').addEventListener('click', hideError);
  document.addEventListener('keydown', (e) => {
    const tag = /** @type {HTMLElement} */ (e.target).tagName;
    if (e.key !== ' ' || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'KITHARA-PLAYER'].includes(tag)) return;
    e.preventDefault();
    togglePlay();
  });
}

async function main() {
  $('version').textContent = `v${version}`;
  renderEnv($('env'));
  createPlayer('auto');
  wireControls();
  window.demo = {
    get player() { return state.player; },
    get analyser() { return state.audio?.mix ?? null; },
    /** RMS of what the player outputs right now (0 before the taps exist). */
    rms() { return state.audio ? rms(state.audio.mix) : 0; },
    get element() { return $('element-player'); },
    charts,
    log,
    loadTrack,
    get tracks() { return state.tracks; },
    get mediaBase() { return state.mediaBase; },
  };
  requestAnimationFrame(frame);
  setInterval(poll, POLL_MS);

  const { base, tracks } = await loadManifest();
  state.mediaBase = base;
  state.tracks = tracks;
  fillTrackSelect($('track'), DEFAULT_TRACK);
  fillTrackSelect($('element-track'), DEFAULT_ELEMENT_TRACK);
  if (tracks.length === 0) {
    showError(new Error(`No bundled media found (looked for manifest.json under ${base}). Use a URL or a local file.`));
  } else {
    loadTrack($('track').value);
    setupElement();
  }
  document.documentElement.dataset.ready = 'true';
}

main().catch(showError);
