// MPEG-1, MPEG-2 LSF and MPEG-2.5 audio decoder, layers I, II and III (ISO/IEC 11172-3,
// ISO/IEC 13818-3), compiled to WebAssembly.
//
// Contract with the TypeScript wrapper (mpeg-wasm-decoder.ts): for each frame (header
// included) write its bytes at `inputPtr()` and call `decodeFrame(bytes)`. A positive result is
// the sample count per channel (384, 576 or 1152); `frameChannels()` planes of that many f32
// samples are then at `outputPtr() + c * 4608`, at `frameRate()` Hz. A negative result is
// −(error code); `errorDetail()` says where. Memory is allocated once at start-up; decoding
// allocates nothing.

import { MAX_INPUT, PADDING, beginBits, input } from './bits';
import { channels, layer, parseHeader, headerBytes, samples, sampleRate } from './header';
import { initHuffman } from './huffman';
import { initHybrid, resetHybrid } from './l3-hybrid';
import { initRequant } from './l3-requant';
import { initL3Tables } from './l3-tables';
import { decodeLayer1, decodeLayer2, initLayer12 } from './layer12';
import { decodeLayer3, resetReservoir } from './layer3';
import { initSynth, resetSynth, subbands, synthesize } from './synth';
import {
  clearError, count, errorCode, errorDetail as detail, stats, ERR_TOO_LARGE,
  STAT_FRAMES, STAT_LAYER1, STAT_LAYER2, STAT_LAYER3,
} from './state';

initSynth();
initLayer12();
initL3Tables();
initHuffman();
initRequant();
initHybrid();

const pcm = new StaticArray<f32>(2 * 1152);

/** Where the wrapper writes a frame (up to `maxInput()` bytes). */
export function inputPtr(): usize {
  return changetype<usize>(input);
}

/** Largest frame in bytes. */
export function maxInput(): i32 {
  return MAX_INPUT;
}

/** Planar output: channel c at `outputPtr() + c * 4608`. */
export function outputPtr(): usize {
  return changetype<usize>(pcm);
}

/** Feature counters (i32 each); see state.ts for the indices. */
export function statsPtr(): usize {
  return changetype<usize>(stats);
}

/** Where the last error was detected (a number for diagnostics). */
export function errorDetail(): i32 {
  return detail;
}

/** Channels of the last decoded frame. */
export function frameChannels(): i32 {
  return channels;
}

/** Sampling rate of the last decoded frame. */
export function frameRate(): i32 {
  return sampleRate;
}

/** Drops the bit reservoir, the IMDCT overlap and the synthesis history (after a seek). */
export function resetState(): void {
  resetReservoir();
  resetHybrid();
  resetSynth();
}

/** Decodes one frame of `bytes` bytes. Returns the samples per channel, or −(error code). */
export function decodeFrame(bytes: i32): i32 {
  if (bytes < 0 || bytes > MAX_INPUT) return -ERR_TOO_LARGE;
  clearError();
  memory.fill(changetype<usize>(input) + <usize>bytes, 0, <usize>PADDING);
  if (!parseHeader(bytes)) return -errorCode;
  beginBits(changetype<usize>(input), headerBytes * 8);
  const ok = layer == 1 ? decodeLayer1() : layer == 2 ? decodeLayer2() : decodeLayer3();
  if (!ok) return -errorCode;
  const n = samples;
  const sb = changetype<usize>(subbands);
  const out = changetype<usize>(pcm);
  for (let ch = 0; ch < channels; ch++) {
    for (let t = 0; t < n; t += 32) {
      const at = <usize>(ch * 1152 + t) << 2;
      synthesize(ch, sb + at, out + at);
    }
  }
  count(STAT_FRAMES);
  count(layer == 1 ? STAT_LAYER1 : layer == 2 ? STAT_LAYER2 : STAT_LAYER3);
  return n;
}
