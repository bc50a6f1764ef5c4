// Layer III frames: side information, the bit reservoir (main data may start up to 511 bytes,
// 255 for LSF, before the frame's own), then per granule and channel the scalefactors, Huffman
// data, requantization; joint stereo per granule; the hybrid filterbank per channel.
//
// The reservoir keeps the last bytes of earlier frames' main data. A frame whose main data
// begins before what the reservoir holds (the first frames after a start or a reset) cannot be
// decoded: it is output as silence and counted (`reservoirMisses`).

import { MAX_INPUT, PADDING, beginBits, bitPos, input, seekBits } from './bits';
import { channels, frameBytes, headerBytes, lsf } from './header';
import { decodePairs, decodeQuads, lastNonZero, resetNonZero } from './huffman';
import { hybrid } from './l3-hybrid';
import { jointStereo, nonZero, requantize } from './l3-requant';
import {
  bigValues, blockType, count1Table, mainDataBegin, mixed, part23, readLsfScalefactors, readScalefactors, readSideInfo,
  region1, region2, tableSelect,
} from './l3-side';
import { subbands } from './synth';
import {
  count, fail, ERR_SYNTAX, ERR_TRUNCATED,
  STAT_LONG, STAT_MIXED, STAT_RESERVOIR_MISS, STAT_SHORT, STAT_START, STAT_STOP,
} from './state';

const KEEP: i32 = 512;
const reservoir = new StaticArray<u8>(KEEP + MAX_INPUT + PADDING);
let held: i32 = 0;
const values = new StaticArray<i32>(576);

/** Forgets the reservoir (after a seek). */
export function resetReservoir(): void {
  held = 0;
}

function granuleChannel(gr: i32, ch: i32, start: i32, limit: i32): bool {
  const g = gr * 2 + ch;
  const end = start + unchecked(part23[g]);
  if (end > limit) return fail(ERR_SYNTAX, 50);
  seekBits(start);
  if (lsf) readLsfScalefactors(ch);
  else readScalefactors(gr, ch);
  const ix = changetype<usize>(values);
  const big = unchecked(bigValues[g]) * 2;
  const r1 = unchecked(region1[g]);
  const r2 = unchecked(region2[g]);
  resetNonZero();
  decodePairs(ix, 0, r1, unchecked(tableSelect[g * 3]));
  decodePairs(ix, r1, r2, unchecked(tableSelect[g * 3 + 1]));
  decodePairs(ix, r2, big, unchecked(tableSelect[g * 3 + 2]));
  if (bitPos > end) return fail(ERR_SYNTAX, 51);
  decodeQuads(ix, big, unchecked(count1Table[g]), end);
  unchecked((nonZero[ch] = lastNonZero));
  requantize(g, ch, ix);
  const bt = unchecked(blockType[g]);
  count(bt == 0 ? STAT_LONG : bt == 1 ? STAT_START : bt == 3 ? STAT_STOP : unchecked(mixed[g]) ? STAT_MIXED : STAT_SHORT);
  return true;
}

/** Decodes the audio data of a layer III frame (the bit reader is past header and CRC). */
export function decodeLayer3(): bool {
  if (!readSideInfo()) return false;
  const nch = channels;
  const side = lsf ? (nch == 1 ? 9 : 17) : (nch == 1 ? 17 : 32);
  const mainStart = headerBytes + side;
  const mainLen = frameBytes - mainStart;
  if (mainLen < 0) return fail(ERR_TRUNCATED, 52);
  const res = changetype<usize>(reservoir);
  const decodable = mainDataBegin <= held;
  const from = held - mainDataBegin;
  memory.copy(res + <usize>held, changetype<usize>(input) + <usize>mainStart, <usize>mainLen);
  const total = held + mainLen;
  memory.fill(res + <usize>total, 0, <usize>PADDING);
  const ngr = lsf ? 1 : 2;
  if (decodable) {
    beginBits(res, from * 8);
    let pos = from * 8;
    for (let gr = 0; gr < ngr; gr++) {
      for (let ch = 0; ch < nch; ch++) {
        if (!granuleChannel(gr, ch, pos, total * 8)) return false;
        pos += unchecked(part23[gr * 2 + ch]);
      }
      if (nch == 2) jointStereo(gr);
      for (let ch = 0; ch < nch; ch++) hybrid(gr * 2 + ch, ch, gr);
    }
  } else {
    count(STAT_RESERVOIR_MISS);
    memory.fill(changetype<usize>(subbands), 0, 2 * 1152 * 4);
  }
  const keep = min(total, KEEP);
  memory.copy(res, res + <usize>(total - keep), <usize>keep);
  held = keep;
  return true;
}
