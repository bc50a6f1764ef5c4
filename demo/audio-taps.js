// Taps on the player's output for the demo's visuals: one mixed AnalyserNode (spectrum) and one
// per channel behind a ChannelSplitter (oscilloscope). The taps only listen: they are never
// connected to the destination, so they change nothing that is heard.

/**
 * Connects analysers to `player.output`. Returns null while the player has no output yet.
 * @param {{ audioContext: BaseAudioContext, output: AudioNode }} player
 */
export function attachTaps(player) {
  const ctx = player.audioContext;
  const out = player.output;
  if (!ctx || !out) return null;
  const mix = ctx.createAnalyser();
  mix.fftSize = 4096;
  mix.smoothingTimeConstant = 0.7;
  mix.minDecibels = -95;
  mix.maxDecibels = -15;
  const split = ctx.createChannelSplitter(2);
  const left = ctx.createAnalyser();
  const right = ctx.createAnalyser();
  left.fftSize = 2048;
  right.fftSize = 2048;
  out.connect(mix);
  out.connect(split);
  split.connect(left, 0);
  split.connect(right, 1);
  return {
    out,
    mix,
    split,
    left,
    right,
    sampleRate: ctx.sampleRate,
    bufL: new Float32Array(left.fftSize),
    bufR: new Float32Array(right.fftSize),
    bins: new Uint8Array(mix.frequencyBinCount),
  };
}

/**
 * Disconnects taps made by {@link attachTaps}; harmless when the context is already closed.
 * @param {ReturnType<typeof attachTaps>} taps
 */
export function detachTaps(taps) {
  if (!taps) return;
  for (const node of [taps.mix, taps.split]) {
    try {
      taps.out.disconnect(node);
    } catch {
      // already disconnected (the context may be closed)
    }
  }
}

/**
 * Root mean square of the mixed tap's current time-domain window.
 * @param {AnalyserNode} analyser
 */
export function rms(analyser) {
  const buf = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(buf);
  let sum = 0;
  for (const v of buf) sum += v * v;
  return Math.sqrt(sum / buf.length);
}
