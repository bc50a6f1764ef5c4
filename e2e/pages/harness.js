// Test harness page: exposes helpers on `window.kt` for Playwright. PCM goes back to Node
// as base64 of the Float32Array bytes (fast to serialize, exact).
import * as Kithara from '/dist/kithara.mjs';

function toBase64(f32) {
  const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function errorInfo(e) {
  return { name: e?.name, code: e?.code, status: e?.status, url: e?.url, message: String(e?.message ?? e), isKithara: e instanceof Kithara.KitharaError };
}

/** Reads a whole resource (or `maxSeconds` of it) after an optional seek. */
async function readResource(src, options = {}, { seek, maxSeconds = Infinity, blockFrames = 4096 } = {}) {
  const t0 = performance.now();
  const res = await Kithara.Resource.open(src, options);
  const openMs = performance.now() - t0;
  if (seek !== undefined) await res.seek(seek);
  const startPosition = res.position;
  const maxFrames = Math.min(Number.MAX_SAFE_INTEGER, Math.round(maxSeconds * res.sampleRate));
  const chunks = [];
  let frames = 0;
  const buf = new Float32Array(blockFrames * res.channels);
  while (frames < maxFrames) {
    const n = await res.read(buf);
    if (n === 0) break;
    const take = Math.min(n, maxFrames - frames);
    chunks.push(buf.slice(0, take * res.channels));
    frames += take;
  }
  const out = new Float32Array(frames * res.channels);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  const info = { sampleRate: res.sampleRate, channels: res.channels, duration: res.duration, format: res.format, frames, openMs, startPosition, endPosition: res.position };
  await res.close();
  return { ...info, pcm: toBase64(out) };
}

async function tryReadResource(...args) {
  try {
    return { ok: true, ...(await readResource(...args)) };
  } catch (e) {
    return { ok: false, error: errorInfo(e) };
  }
}

/**
 * Records what a Player outputs: a capture worklet taps `player.output` and stores every
 * frame into a SharedArrayBuffer, noting the context frame of the first non-silent one.
 */
async function makeCapture(ctx, seconds, channels = 2) {
  await ctx.audioWorklet.addModule('/e2e/pages/capture-worklet.js');
  const frames = Math.ceil(seconds * ctx.sampleRate);
  const shared = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
  const sab = shared ? new SharedArrayBuffer(frames * channels * 4 + 64) : undefined;
  const node = new AudioWorkletNode(ctx, 'kithara-capture', {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [channels],
    channelCount: channels,
    channelCountMode: 'explicit',
    processorOptions: { sab, frames, channels },
  });
  node.connect(ctx.destination);
  if (shared) {
    const meta = new Int32Array(sab, 0, 16);
    const data = new Float32Array(sab, 64, frames * channels);
    return {
      node,
      shared,
      recorded: () => Atomics.load(meta, 0),
      firstSoundFrame: () => Atomics.load(meta, 1),
      startFrame: () => Atomics.load(meta, 2),
      arm: () => Atomics.store(meta, 3, 1),
      pcm: (from = 0, to = Atomics.load(meta, 0)) => toBase64(data.slice(from * channels, to * channels)),
    };
  }
  // Without shared memory: ask the worklet for its recording.
  const dump = () => new Promise((resolve) => {
    node.port.onmessage = (e) => resolve(e.data);
    node.port.postMessage('dump');
  });
  return {
    node,
    shared,
    dump,
    arm: () => node.port.postMessage('arm'),
    async result() {
      const d = await dump();
      return { recorded: d.meta[0], firstSoundFrame: d.meta[1], startFrame: d.meta[2], pcm: toBase64(d.data) };
    },
  };
}

window.kt = { Kithara, readResource, tryReadResource, makeCapture, toBase64, errorInfo };
window.ktReady = true;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for an event on a target, with a timeout. */
function once(target, type, ms = 10000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for '${type}'`)), ms);
    target.addEventListener(type, (e) => {
      clearTimeout(t);
      resolve(e);
    }, { once: true });
  });
}

/**
 * Plays `src` through a Player into a capture worklet and records `seconds` of output.
 * Options: seekTo (seek while paused before playing), playerOptions, pauseAfter.
 */
async function playAndCapture(src, { seconds = 1.5, seekTo, playerOptions = {}, recordSeconds = 12 } = {}) {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.resume();
  const cap = await makeCapture(ctx, recordSeconds);
  const events = [];
  const player = new Kithara.Player({ audioContext: ctx, destination: cap.node, ...playerOptions });
  for (const type of ['loadstart', 'loadedmetadata', 'durationchange', 'canplay', 'play', 'playing', 'pause', 'waiting', 'seeking', 'seeked', 'ended', 'error', 'formatchange']) {
    player.addEventListener(type, (e) => events.push({ type, t: performance.now(), detail: e.error ? errorInfo(e.error) : undefined }));
  }
  let firstTimeupdate = null;
  player.addEventListener('timeupdate', () => { if (firstTimeupdate === null) firstTimeupdate = performance.now(); });
  try {
    await player.load(src);
    if (seekTo !== undefined) {
      const seeked = once(player, 'seeked');
      player.currentTime = seekTo;
      await seeked;
    }
    cap.arm();
    const t0 = performance.now();
    await player.play();
    const playResolvedMs = performance.now() - t0;
    await sleep(seconds * 1000);
    const currentTime = player.currentTime;
    const stats = player.stats;
    const rec = cap.shared
      ? { recorded: cap.recorded(), firstSoundFrame: cap.firstSoundFrame(), startFrame: cap.startFrame(), pcm: cap.pcm() }
      : await cap.result();
    return {
      ok: true,
      events,
      playResolvedMs,
      currentTime,
      duration: player.duration,
      paused: player.paused,
      stats: { ...stats },
      recorded: rec.recorded,
      firstSoundFrame: rec.firstSoundFrame,
      captureStartFrame: rec.startFrame,
      pcm: rec.pcm,
      sampleRate: ctx.sampleRate,
    };
  } catch (e) {
    return { ok: false, error: errorInfo(e), events };
  } finally {
    await player.destroy();
    await ctx.close();
  }
}

Object.assign(window.kt, { playAndCapture, once, sleep });

/** A shared-memory capture's recording so far. */
function takeCapture(cap) {
  return { recorded: cap.recorded(), firstSoundFrame: cap.firstSoundFrame(), startFrame: cap.startFrame(), pcm: cap.pcm() };
}

/**
 * Records every `AudioNode.connect` call from now on: `targetsOf(node)` lists what `node` was
 * connected to (a node, or 'destination' for the context's destination). `stop()` restores it.
 */
function watchConnects() {
  const proto = AudioNode.prototype;
  const original = proto.connect;
  const calls = [];
  proto.connect = function connect(target, ...rest) {
    calls.push({ from: this, to: target });
    return original.call(this, target, ...rest);
  };
  return {
    targetsOf: (node) => calls.filter((c) => c.from === node).map((c) => (c.to instanceof AudioDestinationNode ? 'destination' : c.to)),
    stop: () => {
      proto.connect = original;
    },
  };
}

/** Counts the Workers the page starts from now on (by their `name` option). */
function watchWorkers() {
  const Original = globalThis.Worker;
  const names = [];
  globalThis.Worker = class CountedWorker extends Original {
    constructor(url, options) {
      super(url, options);
      names.push(options?.name ?? '');
    }
  };
  return {
    names: () => names.slice(),
    stop: () => {
      globalThis.Worker = Original;
    },
  };
}

Object.assign(window.kt, { takeCapture, watchConnects, watchWorkers });
