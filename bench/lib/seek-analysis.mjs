// Finds, in a recording made around a seek, the first output frame of the new position, using
// the position-coded chirp (test/lib/analyze.mjs): the end of the recording is matched against
// the reference to learn which signal time it holds; walking back block by block while the
// audio keeps matching that one continuous timeline finds the seam where the new audio begins.

import { alignTo } from '../../test/lib/analyze.mjs';

/** Frames per block of the walk back; the seam is then refined with 32-frame windows. */
const BLOCK = 128;
const FINE = 32;
const MIN_CORR = 0.8;

function silent(planes, from, to, threshold = 1e-4) {
  for (let i = from; i < to; i++) for (const p of planes) if (Math.abs(p[i]) > threshold) return false;
  return true;
}

/** Correlation of planes[from, from + n) with the reference at exactly time t (±0.5 ms). */
function matchesAt(planes, rate, from, n, t) {
  if (silent(planes, from, from + n)) return false;
  const a = alignTo(planes, rate, t, { start: from, windowFrames: n, searchMs: 0.5 });
  return a.corr >= MIN_CORR && Math.abs(a.lagMs) < 0.5;
}

/**
 * @param {Float32Array[]} planes recording, planar
 * @param {number} rate sample rate
 * @param {number} seekIndex frame of the recording at which the seek was requested
 * @param {number} target seek target, seconds
 * @returns {{ ok: boolean, latencyMs: number, startErrorMs: number, staleMs: number,
 *   silenceMs: number, tailCorr: number, reason?: string }}
 *   latencyMs: seek call → first frame of the new position; startErrorMs: the signal time of
 *   that frame minus the target; staleMs: non-silent (old) audio heard after the seek call;
 *   silenceMs: silent frames between the seek call and the new audio.
 */
export function analyseSeek(planes, rate, seekIndex, target) {
  const frames = planes[0].length;
  const tailIdx = frames - 4096 - Math.round(0.1 * rate);
  const seek = Math.max(0, Math.round(seekIndex));
  const fail = (reason, extra = {}) => ({ ok: false, latencyMs: NaN, startErrorMs: NaN, staleMs: NaN, silenceMs: NaN, tailCorr: NaN, reason, ...extra });
  if (tailIdx <= seek) return fail('recording too short');
  // The tail's signal time lies between target − 0.5 s and target + (time since the seek) + 0.5 s.
  const span = (tailIdx - seek) / rate;
  const tail = alignTo(planes, rate, target + span / 2, { start: tailIdx, windowFrames: 4096, searchMs: (span / 2 + 0.5) * 1000 });
  if (tail.corr < 0.9 || tail.atEdge) return fail('the end of the recording is not the new position', { tailCorr: tail.corr });
  const timeAt = (i) => tail.t - (tailIdx - i) / rate;
  // Walk back while blocks keep matching the tail's timeline.
  let good = tailIdx;
  while (good - BLOCK >= seek && matchesAt(planes, rate, good - BLOCK, BLOCK, timeAt(good - BLOCK))) good -= BLOCK;
  // Refine inside the block that failed.
  let seam = good;
  while (seam - FINE >= seek && seam - FINE >= good - BLOCK && matchesAt(planes, rate, seam - FINE, FINE, timeAt(seam - FINE))) seam -= FINE;
  let silentFrames = 0;
  let staleFrames = 0;
  for (let i = seek; i < seam; i++) {
    if (silent(planes, i, i + 1)) silentFrames++;
    else staleFrames++;
  }
  return {
    ok: true,
    latencyMs: ((seam - seekIndex) / rate) * 1000,
    startErrorMs: (timeAt(seam) - target) * 1000,
    staleMs: (staleFrames / rate) * 1000,
    silenceMs: (silentFrames / rate) * 1000,
    tailCorr: tail.corr,
  };
}
