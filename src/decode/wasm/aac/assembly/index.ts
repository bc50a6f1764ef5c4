// AAC-LC raw_data_block decoder (ISO/IEC 14496-3 §4.4.2.1), compiled to WebAssembly.
//
// Contract with the TypeScript wrapper (aac-wasm-decoder.ts): call `configure` once, then for
// each access unit write its bytes at `inputPtr()` and call `decodeFrame(bytes)`. A positive
// result is the channel count; 1024 samples per channel are then at `outputPtr() + c * 4096`,
// in WAVE channel order. A negative result is −(error code); `errorDetail()` says where.
// Memory is allocated once at start-up; decoding allocates nothing.

import { beginBits, byteAlign, input, overrun, readBit, readBits, skipBits, bitsLeft, MAX_INPUT } from './bits';
import { initHuffman } from './huffman';
import { Channel, BAND_STRIDE } from './channel';
import { parseIcsInfo, parseScalefactors, parseSections, parsePulse, parseTns } from './ics';
import { dequantize, initSpectral, parseSpectral } from './spectral';
import { applyJointStereo, applyTns } from './stereo';
import { initFilterbank, synthesize } from './filterbank';
import { initImdct } from './imdct';
import {
  clearError, count, errorCode, errorDetail as detail, fail, setRate, stats,
  ERR_CHANNELS, ERR_NOT_CONFIGURED, ERR_SYNTAX, ERR_TOO_LARGE, ERR_TRUNCATED, ERR_UNSUPPORTED,
  STAT_COMMON_WINDOW, STAT_CPE, STAT_DSE, STAT_FIL, STAT_FRAMES, STAT_LFE, STAT_PCE, STAT_SBR, STAT_SCE,
} from './state';

const MAX_CHANNELS: i32 = 8;
const ID_SCE: i32 = 0;
const ID_CPE: i32 = 1;
const ID_CCE: i32 = 2;
const ID_LFE: i32 = 3;
const ID_DSE: i32 = 4;
const ID_PCE: i32 = 5;
const ID_FIL: i32 = 6;
const ID_END: i32 = 7;

initHuffman();
initSpectral();
initImdct();
initFilterbank();

const channels = new StaticArray<Channel>(MAX_CHANNELS);
for (let i = 0; i < MAX_CHANNELS; i++) unchecked((channels[i] = new Channel()));
const pcm = new StaticArray<f32>(MAX_CHANNELS * 1024);
const msMask = new StaticArray<u8>(8 * BAND_STRIDE);

// Output channel (WAVE order) of the n-th SCE / CPE (first of two) / LFE for channel
// configurations 1..7; -1 = no such element. Configuration 7 puts the centre pair last (7.1 wide).
const SCE_MAP: StaticArray<i8> = [-1, -1, 0, -1, -1, -1, 2, -1, 2, 3, 2, -1, 2, -1, 2, -1];
const CPE_MAP: StaticArray<i8> = [-1, -1, -1, -1, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, 3, -1, 0, 4, -1, 6, 0, 4];
const LFE_MAP: StaticArray<i8> = [-1, -1, -1, -1, -1, -1, 3, 3];
const CHANNEL_COUNT: StaticArray<u8> = [0, 1, 2, 3, 4, 5, 6, 8];

let configured = false;
let channelConfig = 0;
let outChannels = 0;
/** Which output channels the current access unit has filled (bit per channel). */
let filled = 0;

/** Where the wrapper writes an access unit (up to `maxInput()` bytes). */
export function inputPtr(): usize {
  return changetype<usize>(input);
}

/** Largest access unit in bytes. */
export function maxInput(): i32 {
  return MAX_INPUT;
}

/** Planar output: channel c at `outputPtr() + c * 4096`, 1024 f32 samples each. */
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

/**
 * Sets the stream: sampling frequency index (0..12) and channel configuration (1..7).
 * Returns the output channel count, or −ERR_UNSUPPORTED.
 */
export function configure(samplingIndex: i32, config: i32): i32 {
  if (samplingIndex < 0 || samplingIndex > 12 || config < 1 || config > 7) return -ERR_UNSUPPORTED;
  setRate(samplingIndex);
  channelConfig = config;
  outChannels = <i32>unchecked(CHANNEL_COUNT[config]);
  configured = true;
  resetState();
  return outChannels;
}

/** Drops the overlap and window history of every channel (after a seek). */
export function resetState(): void {
  for (let i = 0; i < MAX_CHANNELS; i++) unchecked(channels[i]).reset();
}

function icsBody(ch: Channel, commonWindow: bool): bool {
  ch.globalGain = <i32>readBits(8);
  if (!commonWindow && !parseIcsInfo(ch)) return false;
  if (!parseSections(ch) || !parseScalefactors(ch)) return false;
  ch.pulseCount = 0;
  if (readBit() && !parsePulse(ch)) return false;
  ch.tnsPresent = readBit() != 0;
  if (ch.tnsPresent && !parseTns(ch)) return false;
  if (readBit()) return fail(ERR_UNSUPPORTED, 70); // gain_control_data: AAC SSR only
  return parseSpectral(ch);
}

function claim(out: i32, n: i32): bool {
  if (out < 0) return fail(ERR_CHANNELS, 80);
  const bits = ((1 << n) - 1) << out;
  if (filled & bits) return fail(ERR_CHANNELS, 81);
  filled |= bits;
  return true;
}

function singleChannel(out: i32): bool {
  readBits(4); // element_instance_tag
  if (!claim(out, 1)) return false;
  const ch = unchecked(channels[out]);
  if (!icsBody(ch, false)) return false;
  dequantize(ch);
  applyTns(ch);
  synthesize(ch, changetype<usize>(pcm) + (<usize>out << 12));
  return true;
}

function channelPair(out: i32): bool {
  readBits(4); // element_instance_tag
  if (!claim(out, 2)) return false;
  const l = unchecked(channels[out]);
  const r = unchecked(channels[out + 1]);
  const common = readBit() != 0;
  let msPresent = 0;
  if (common) {
    count(STAT_COMMON_WINDOW);
    if (!parseIcsInfo(l)) return false;
    r.copyInfo(l);
    msPresent = <i32>readBits(2);
    if (msPresent == 3) return fail(ERR_SYNTAX, 90);
    for (let g = 0; g < l.numGroups; g++) {
      for (let b = 0; b < l.maxSfb; b++) {
        unchecked((msMask[g * BAND_STRIDE + b] = msPresent == 1 ? <u8>readBit() : <u8>(msPresent == 2 ? 1 : 0)));
      }
    }
  }
  if (!icsBody(l, common) || !icsBody(r, common)) return false;
  dequantize(l);
  dequantize(r);
  if (common) applyJointStereo(l, r, msPresent, msMask);
  applyTns(l);
  applyTns(r);
  synthesize(l, changetype<usize>(pcm) + (<usize>out << 12));
  synthesize(r, changetype<usize>(pcm) + (<usize>(out + 1) << 12));
  return true;
}

function skipProgramConfig(): bool {
  readBits(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
  const front = <i32>readBits(4);
  const side = <i32>readBits(4);
  const back = <i32>readBits(4);
  const lfe = <i32>readBits(2);
  const assoc = <i32>readBits(3);
  const cc = <i32>readBits(4);
  if (readBit()) readBits(4); // mono_mixdown
  if (readBit()) readBits(4); // stereo_mixdown
  if (readBit()) readBits(3); // matrix_mixdown_idx, pseudo_surround_enable
  skipBits((front + side + back) * 5 + lfe * 4 + assoc * 4 + cc * 5);
  byteAlign();
  const comment = <i32>readBits(8);
  skipBits(comment * 8);
  return !overrun() || fail(ERR_TRUNCATED, 100);
}

function skipFill(): bool {
  let n = <i32>readBits(4);
  if (n == 15) n += <i32>readBits(8) - 1;
  if (n > 0) {
    const ext = <i32>(readBits(4));
    if (ext == 13 || ext == 14) count(STAT_SBR); // EXT_SBR_DATA(_CRC): HE-AAC, core decoded only
    skipBits(n * 8 - 4);
  }
  return !overrun() || fail(ERR_TRUNCATED, 101);
}

function skipData(): bool {
  readBits(4); // element_instance_tag
  const align = readBit();
  let n = <i32>readBits(8);
  if (n == 255) n += <i32>readBits(8);
  if (align) byteAlign();
  skipBits(n * 8);
  return !overrun() || fail(ERR_TRUNCATED, 102);
}

function rawDataBlock(): bool {
  let sce = 0;
  let cpe = 0;
  let lfe = 0;
  const base = channelConfig * 2;
  while (true) {
    if (bitsLeft() < 3) return fail(ERR_TRUNCATED, 110);
    const id = <i32>readBits(3);
    if (id == ID_END) break;
    let ok = true;
    if (id == ID_SCE) {
      count(STAT_SCE);
      ok = sce < 2 && singleChannel(<i32>unchecked(SCE_MAP[base + sce]));
      sce++;
    } else if (id == ID_CPE) {
      count(STAT_CPE);
      ok = cpe < 3 && channelPair(<i32>unchecked(CPE_MAP[channelConfig * 3 + cpe]));
      cpe++;
    } else if (id == ID_LFE) {
      count(STAT_LFE);
      ok = lfe < 1 && singleChannel(<i32>unchecked(LFE_MAP[channelConfig]));
      lfe++;
    } else if (id == ID_DSE) {
      count(STAT_DSE);
      ok = skipData();
    } else if (id == ID_PCE) {
      count(STAT_PCE);
      ok = skipProgramConfig();
    } else if (id == ID_FIL) {
      count(STAT_FIL);
      ok = skipFill();
    } else {
      ok = fail(ERR_UNSUPPORTED, id == ID_CCE ? 111 : 112); // coupling channel element
    }
    if (!ok) return fail(ERR_SYNTAX, 113);
    if (overrun()) return fail(ERR_TRUNCATED, 114);
  }
  if (filled != (1 << outChannels) - 1) return fail(ERR_CHANNELS, 115);
  return true;
}

/** Decodes one access unit of `bytes` bytes. Returns the channel count, or −(error code). */
export function decodeFrame(bytes: i32): i32 {
  if (!configured) return -ERR_NOT_CONFIGURED;
  if (bytes < 0 || bytes > MAX_INPUT) return -ERR_TOO_LARGE;
  clearError();
  beginBits(bytes);
  filled = 0;
  if (!rawDataBlock()) return -errorCode;
  count(STAT_FRAMES);
  return outChannels;
}
