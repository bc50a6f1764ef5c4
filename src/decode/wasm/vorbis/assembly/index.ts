// Vorbis I audio decoder (Xiph.org Vorbis I specification), compiled to WebAssembly.
//
// Contract with the TypeScript wrapper (vorbis-wasm-decoder.ts): for each call, write the
// packet at `reserveInput(bytes)` and call the function with its length. First
// `identification(bytes)` (returns the channel count), then `setup(bytes)` (returns 0); the
// comment header is not needed. Then `decodePacket(bytes)` per audio packet returns the frames
// produced (0 for the first packet after a reset), planar at `outputPtr() + c * outputStride() * 4`.
// A negative result is −(error code); `errorDetail()` says where. Tables and buffers are
// allocated while the headers are read; decoding allocates nothing.

import { beginBits, overrun, readBit, readBits, reserveInput as reserve } from './bits';
import { applyFloor1, decodeFloor1, initFloor1 } from './floor1';
import { imdct, makeTransform, Transform } from './imdct';
import { decodeVectors, reserveClasses } from './residue';
import {
  blockSize0, blockSize1, books, channels, floors, mappings, maxPosts, modes, readIdentification, readSetup, residues, sampleRate as rate,
} from './setup';
import {
  clearError, count, errorCode, errorDetail as detail, fail, hostSin, ilog, stats,
  ERR_BAD_PACKET, ERR_NOT_AUDIO, ERR_NOT_CONFIGURED,
  STAT_COUPLED, STAT_FLOOR1, STAT_FLOOR_UNUSED, STAT_LONG, STAT_PACKETS, STAT_RESIDUE0, STAT_SHORT, STAT_TRANSITIONS,
} from './state';

initFloor1();

let identified = false;
let configured = false;
let transform0 = new Transform();
let transform1 = new Transform();
/** Window slopes of length blockSize0/2 and blockSize1/2. */
let slope0 = new StaticArray<f32>(0);
let slope1 = new StaticArray<f32>(0);
/** Per channel, `half` floats each: spectra, the previous block's windowed right half, output. */
let spectra = new StaticArray<f32>(0);
let overlap = new StaticArray<f32>(0);
let pcm = new StaticArray<f32>(0);
/** One block of time samples. */
let time = new StaticArray<f32>(0);
/** Type 2 residue: all channels interleaved. */
let interleaved = new StaticArray<f32>(0);
/** Floor values per channel (`maxPosts` each). */
let floorValues = new StaticArray<i32>(0);
let floorUsed = new StaticArray<u8>(0);
let noResidue = new StaticArray<u8>(0);
/** The channels of one submap: their spectra, skip flags and numbers. */
let vectors = new StaticArray<usize>(0);
let skip = new StaticArray<u8>(0);
let members = new StaticArray<i32>(0);
const single = new StaticArray<usize>(1);
const noSkip = new StaticArray<u8>(1);
/** blockSize1 / 2: the stride of the per-channel buffers. */
let half = 0;
/** Size of the previous block; 0 after a reset (the next packet only primes the overlap). */
let previous = 0;

/** Makes room for a packet of `bytes` bytes; returns where to write it. */
export function reserveInput(bytes: i32): usize {
  return reserve(bytes);
}

/** Planar output: channel c at `outputPtr() + c * outputStride() * 4`. */
export function outputPtr(): usize {
  return changetype<usize>(pcm);
}

/** Floats between the starts of two output channels (blockSize1 / 2). */
export function outputStride(): i32 {
  return half;
}

/** Feature counters (i32 each); see state.ts for the indices. */
export function statsPtr(): usize {
  return changetype<usize>(stats);
}

/** Where the last error was detected (a number for diagnostics). */
export function errorDetail(): i32 {
  return detail;
}

/** The stream's sampling rate (after `identification`). */
export function sampleRate(): i32 {
  return rate;
}

/** Reads the identification header. Returns the channel count, or −(error code). */
export function identification(bytes: i32): i32 {
  clearError();
  beginBits(bytes);
  if (!readIdentification(bytes)) return -errorCode;
  identified = true;
  return channels;
}

function makeSlope(length: i32): StaticArray<f32> {
  const s = new StaticArray<f32>(length);
  for (let j = 0; j < length; j++) {
    const a = hostSin((<f64>j + 0.5) / <f64>length * Math.PI * 0.5);
    unchecked((s[j] = <f32>hostSin(Math.PI * 0.5 * a * a)));
  }
  return s;
}

/** Reads the setup header and allocates the decoder. Returns 0, or −(error code). */
export function setup(bytes: i32): i32 {
  clearError();
  if (!identified) return -ERR_NOT_CONFIGURED;
  beginBits(bytes);
  if (!readSetup()) return -errorCode;
  transform0 = makeTransform(blockSize0);
  transform1 = makeTransform(blockSize1);
  slope0 = makeSlope(blockSize0 >> 1);
  slope1 = makeSlope(blockSize1 >> 1);
  half = blockSize1 >> 1;
  spectra = new StaticArray<f32>(channels * half);
  overlap = new StaticArray<f32>(channels * half);
  pcm = new StaticArray<f32>(channels * half);
  time = new StaticArray<f32>(blockSize1);
  interleaved = new StaticArray<f32>(channels * half);
  floorValues = new StaticArray<i32>(channels * maxPosts);
  floorUsed = new StaticArray<u8>(channels);
  noResidue = new StaticArray<u8>(channels);
  vectors = new StaticArray<usize>(channels);
  skip = new StaticArray<u8>(channels);
  members = new StaticArray<i32>(channels);
  let partitions = 0;
  for (let i = 0; i < residues.length; i++) {
    const r = unchecked(residues[i]);
    const p = (r.end < channels * half ? r.end : channels * half) / r.partitionSize + 1;
    if (p > partitions) partitions = p;
  }
  reserveClasses(channels, partitions);
  configured = true;
  resetState();
  return 0;
}

/** Forgets the overlap: the next packet only primes it (after a seek). */
export function resetState(): void {
  previous = 0;
}

// @ts-ignore: decorator
@inline function channelBuffer(buffer: StaticArray<f32>, ch: i32): usize {
  return changetype<usize>(buffer) + (<usize>(ch * half) << 2);
}

/** Applies the window of an n-sample block (§4.3.1) to `time` in place. */
function applyWindow(n: i32, long: bool, previousLong: bool, nextLong: bool): void {
  const t = changetype<usize>(time);
  const shortHalf = blockSize0 >> 1;
  let leftStart = 0;
  let leftLength = n >> 1;
  let leftSlope = long ? slope1 : slope0;
  if (long && !previousLong) {
    leftStart = (n >> 2) - (blockSize0 >> 2);
    leftLength = shortHalf;
    leftSlope = slope0;
  }
  let rightStart = n >> 1;
  let rightLength = n >> 1;
  let rightSlope = long ? slope1 : slope0;
  if (long && !nextLong) {
    rightStart = ((3 * n) >> 2) - (blockSize0 >> 2);
    rightLength = shortHalf;
    rightSlope = slope0;
  }
  memory.fill(t, 0, <usize>leftStart << 2);
  const ls = changetype<usize>(leftSlope);
  for (let i = 0; i < leftLength; i++) {
    const p = t + (<usize>(leftStart + i) << 2);
    store<f32>(p, load<f32>(p) * load<f32>(ls + (<usize>i << 2)));
  }
  const rs = changetype<usize>(rightSlope);
  for (let i = 0; i < rightLength; i++) {
    const p = t + (<usize>(rightStart + i) << 2);
    store<f32>(p, load<f32>(p) * load<f32>(rs + (<usize>(rightLength - 1 - i) << 2)));
  }
  const end = rightStart + rightLength;
  memory.fill(t + (<usize>end << 2), 0, <usize>(n - end) << 2);
}

/** Decodes the floors, residues and coupling of a block into `spectra` (§4.3.2-4.3.6). */
function decodeSpectra(mappingIndex: i32, n2: i32): void {
  const m = unchecked(mappings[mappingIndex]);
  for (let ch = 0; ch < channels; ch++) {
    const f = unchecked(floors[unchecked(m.floor[unchecked(m.mux[ch])])]);
    count(STAT_FLOOR1);
    const used = decodeFloor1(f, books, changetype<usize>(floorValues) + (<usize>(ch * maxPosts) << 2));
    if (!used) count(STAT_FLOOR_UNUSED);
    unchecked((floorUsed[ch] = used ? 1 : 0));
    unchecked((noResidue[ch] = used ? 0 : 1));
    memory.fill(channelBuffer(spectra, ch), 0, <usize>n2 << 2);
  }
  for (let s = 0; s < m.couplingSteps; s++) {
    const a = unchecked(m.magnitude[s]);
    const b = unchecked(m.angle[s]);
    if (unchecked(noResidue[a]) == 0 || unchecked(noResidue[b]) == 0) {
      unchecked((noResidue[a] = 0));
      unchecked((noResidue[b] = 0));
    }
  }
  for (let s = 0; s < m.submaps; s++) {
    let k = 0;
    let any = false;
    for (let ch = 0; ch < channels; ch++) {
      if (unchecked(m.mux[ch]) != s) continue;
      unchecked((members[k] = ch));
      unchecked((vectors[k] = channelBuffer(spectra, ch)));
      unchecked((skip[k] = noResidue[ch]));
      if (unchecked(noResidue[ch]) == 0) any = true;
      k++;
    }
    const r = unchecked(residues[unchecked(m.residue[s])]);
    count(STAT_RESIDUE0 + r.type);
    if (r.type != 2) {
      decodeVectors(r, books, vectors, skip, k, n2);
    } else if (any) {
      const total = k * n2;
      const v = changetype<usize>(interleaved);
      memory.fill(v, 0, <usize>total << 2);
      unchecked((single[0] = v));
      decodeVectors(r, books, single, noSkip, 1, total);
      for (let j = 0; j < k; j++) {
        const out = unchecked(vectors[j]);
        for (let i = 0; i < n2; i++) store<f32>(out + (<usize>i << 2), load<f32>(v + (<usize>(i * k + j) << 2)));
      }
    }
  }
  // Inverse coupling (§4.3.5), last step first.
  for (let s = m.couplingSteps - 1; s >= 0; s--) {
    count(STAT_COUPLED);
    const pm = channelBuffer(spectra, unchecked(m.magnitude[s]));
    const pa = channelBuffer(spectra, unchecked(m.angle[s]));
    for (let i = 0; i < n2; i++) {
      const o = <usize>i << 2;
      const mag = load<f32>(pm + o);
      const ang = load<f32>(pa + o);
      let newMag = mag;
      let newAng = ang;
      if (mag > 0) {
        if (ang > 0) newAng = mag - ang;
        else {
          newAng = mag;
          newMag = mag + ang;
        }
      } else {
        if (ang > 0) newAng = mag + ang;
        else {
          newAng = mag;
          newMag = mag - ang;
        }
      }
      store<f32>(pm + o, newMag);
      store<f32>(pa + o, newAng);
    }
  }
  for (let ch = 0; ch < channels; ch++) {
    if (unchecked(floorUsed[ch]) == 0) continue;
    const f = unchecked(floors[unchecked(m.floor[unchecked(m.mux[ch])])]);
    applyFloor1(f, changetype<usize>(floorValues) + (<usize>(ch * maxPosts) << 2), channelBuffer(spectra, ch), n2);
  }
}

/**
 * Decodes one audio packet. Returns the frames now at `outputPtr()` (previous block size / 4 +
 * this block size / 4; 0 for the first packet after a reset), or −(error code).
 */
export function decodePacket(bytes: i32): i32 {
  clearError();
  if (!configured) return -ERR_NOT_CONFIGURED;
  beginBits(bytes);
  if (bytes == 0 || readBit() != 0) return -ERR_NOT_AUDIO;
  const modeIndex = <i32>readBits(ilog(modes.length - 1));
  if (modeIndex >= modes.length) {
    fail(ERR_BAD_PACKET, 70);
    return -errorCode;
  }
  const mode = unchecked(modes[modeIndex]);
  const long = mode.long;
  const n = long ? blockSize1 : blockSize0;
  let previousLong = false;
  let nextLong = false;
  if (long) {
    previousLong = readBit() != 0;
    nextLong = readBit() != 0;
    count(STAT_LONG);
    if (!previousLong || !nextLong) count(STAT_TRANSITIONS);
  } else {
    count(STAT_SHORT);
  }
  if (overrun()) {
    fail(ERR_BAD_PACKET, 71);
    return -errorCode;
  }
  count(STAT_PACKETS);
  const n2 = n >> 1;
  decodeSpectra(mode.mapping, n2);

  const t = long ? transform1 : transform0;
  const pn = previous;
  const frames = pn == 0 ? 0 : (pn >> 2) + (n >> 2);
  const shift = (n >> 2) - (pn >> 2);
  const tp = changetype<usize>(time);
  for (let ch = 0; ch < channels; ch++) {
    if (unchecked(floorUsed[ch]) != 0) {
      imdct(t, channelBuffer(spectra, ch), tp);
      applyWindow(n, long, previousLong, nextLong);
    } else {
      memory.fill(tp, 0, <usize>n << 2);
    }
    const prev = channelBuffer(overlap, ch);
    if (frames > 0) {
      const out = channelBuffer(pcm, ch);
      const prevHalf = pn >> 1;
      for (let k = 0; k < frames; k++) {
        let v: f32 = k < prevHalf ? load<f32>(prev + (<usize>k << 2)) : 0;
        const c = k + shift;
        if (c >= 0) v += load<f32>(tp + (<usize>c << 2));
        store<f32>(out + (<usize>k << 2), v);
      }
    }
    memory.copy(prev, tp + (<usize>n2 << 2), <usize>n2 << 2);
  }
  previous = n;
  return frames;
}
