// individual_channel_stream() side information (ISO/IEC 14496-3 §4.4.2.7, §4.6.x):
// ics_info, section_data, scale_factor_data, pulse_data and tns_data. Spectral data is in
// spectral.ts. Every function returns false after `fail()` on a syntax error.

import { readBit, readBits, overrun } from './bits';
import { huffDecode } from './huffman';
import {
  Channel, BAND_STRIDE, EIGHT_SHORT, INTENSITY_HCB, INTENSITY_HCB2, NOISE_HCB, TNS_MAX_ORDER, ZERO_HCB,
} from './channel';
import {
  fail, count, numSwbL, numSwbS, ERR_SYNTAX, ERR_TRUNCATED, ERR_UNSUPPORTED,
  STAT_GROUPED, STAT_KBD, STAT_LONG, STAT_PULSE, STAT_SHORT, STAT_START, STAT_STOP, STAT_TNS_FILTERS,
} from './state';

/** ics_info(). */
export function parseIcsInfo(ch: Channel): bool {
  readBit(); // ics_reserved_bit
  const ws = <i32>readBits(2);
  ch.windowSequence = ws;
  ch.windowShape = <i32>readBit();
  if (ch.windowShape != 0) count(STAT_KBD);
  if (ws == EIGHT_SHORT) {
    count(STAT_SHORT);
    ch.maxSfb = <i32>readBits(4);
    const grouping = <i32>readBits(7);
    let groups = 1;
    unchecked((ch.groupLen[0] = 1));
    for (let i = 6; i >= 0; i--) {
      if ((grouping >> i) & 1) {
        unchecked((ch.groupLen[groups - 1] += 1));
      } else {
        unchecked((ch.groupLen[groups] = 1));
        groups++;
      }
    }
    ch.numGroups = groups;
    if (groups < 8) count(STAT_GROUPED);
    if (ch.maxSfb > numSwbS) return fail(ERR_SYNTAX, 10);
  } else {
    count(ws == 0 ? STAT_LONG : ws == 1 ? STAT_START : STAT_STOP);
    ch.maxSfb = <i32>readBits(6);
    ch.numGroups = 1;
    unchecked((ch.groupLen[0] = 1));
    if (readBit()) return fail(ERR_UNSUPPORTED, 11); // predictor_data_present: AAC Main only
    if (ch.maxSfb > numSwbL) return fail(ERR_SYNTAX, 12);
  }
  return true;
}

/** section_data(): the codebook of every [group][band] below max_sfb. */
export function parseSections(ch: Channel): bool {
  const bits = ch.short ? 3 : 5;
  const esc = (1 << bits) - 1;
  const maxSfb = ch.maxSfb;
  for (let g = 0; g < ch.numGroups; g++) {
    const row = g * BAND_STRIDE;
    let k = 0;
    while (k < maxSfb) {
      const cb = <i32>readBits(4);
      if (cb == 12) return fail(ERR_SYNTAX, 20);
      let len = 0;
      let incr = 0;
      do {
        incr = <i32>readBits(bits);
        len += incr;
        if (overrun()) return fail(ERR_TRUNCATED, 21);
      } while (incr == esc);
      if (k + len > maxSfb) return fail(ERR_SYNTAX, 22);
      for (let i = 0; i < len; i++) unchecked((ch.cb[row + k + i] = <u8>cb));
      k += len;
    }
  }
  return true;
}

/** scale_factor_data(): scalefactors, intensity positions and noise energies. */
export function parseScalefactors(ch: Channel): bool {
  let sf = ch.globalGain;
  let isPos = 0;
  let noise = ch.globalGain - 90;
  let firstNoise = true;
  for (let g = 0; g < ch.numGroups; g++) {
    const row = g * BAND_STRIDE;
    for (let b = 0; b < ch.maxSfb; b++) {
      const cb = <i32>unchecked(ch.cb[row + b]);
      let v = 0;
      if (cb == ZERO_HCB) {
        v = 0;
      } else if (cb == INTENSITY_HCB || cb == INTENSITY_HCB2) {
        isPos += huffDecode(0) - 60;
        v = isPos;
      } else if (cb == NOISE_HCB) {
        if (firstNoise) {
          firstNoise = false;
          noise += <i32>readBits(9) - 256;
        } else {
          noise += huffDecode(0) - 60;
        }
        v = noise;
      } else {
        sf += huffDecode(0) - 60;
        if (sf < 0 || sf > 255) return fail(ERR_SYNTAX, 30);
        v = sf;
      }
      unchecked((ch.sf[row + b] = v));
    }
    if (overrun()) return fail(ERR_TRUNCATED, 31);
  }
  return true;
}

/** pulse_data() (long windows only). */
export function parsePulse(ch: Channel): bool {
  if (ch.short) return fail(ERR_SYNTAX, 40);
  count(STAT_PULSE);
  ch.pulseCount = <i32>readBits(2) + 1;
  ch.pulseStart = <i32>readBits(6);
  if (ch.pulseStart >= numSwbL) return fail(ERR_SYNTAX, 41);
  for (let i = 0; i < ch.pulseCount; i++) {
    unchecked((ch.pulseOffset[i] = <u8>readBits(5)));
    unchecked((ch.pulseAmp[i] = <u8>readBits(4)));
  }
  return true;
}

const tmp = new StaticArray<f64>(TNS_MAX_ORDER);
const lpc = new StaticArray<f64>(TNS_MAX_ORDER + 1);
const lpcNext = new StaticArray<f64>(TNS_MAX_ORDER + 1);

/** tns_data(): filters per window, with reflection coefficients turned into LPC coefficients. */
export function parseTns(ch: Channel): bool {
  const short = ch.short;
  const windows = short ? 8 : 1;
  const maxOrder = short ? 7 : 12;
  for (let w = 0; w < windows; w++) {
    const nf = <i32>readBits(short ? 1 : 2);
    unchecked((ch.tnsFilters[w] = <u8>nf));
    if (nf == 0) continue;
    const coefRes = <i32>readBit();
    for (let f = 0; f < nf; f++) {
      const slot = w * 4 + f;
      unchecked((ch.tnsLength[slot] = <u8>readBits(short ? 4 : 6)));
      const order = <i32>readBits(short ? 3 : 5);
      if (order > maxOrder) return fail(ERR_SYNTAX, 50);
      unchecked((ch.tnsOrder[slot] = <u8>order));
      if (order == 0) continue;
      count(STAT_TNS_FILTERS);
      unchecked((ch.tnsDown[slot] = <u8>readBit()));
      const compress = <i32>readBit();
      const coefBits = 3 + coefRes - compress;
      const half = <f64>(1 << (2 + coefRes));
      const iqfac = (half - 0.5) / (Math.PI / 2);
      const iqfacM = (half + 0.5) / (Math.PI / 2);
      for (let i = 0; i < order; i++) {
        let v = <i32>readBits(coefBits);
        if (v >= 1 << (coefBits - 1)) v -= 1 << coefBits;
        unchecked((tmp[i] = Math.sin(<f64>v / (v >= 0 ? iqfac : iqfacM))));
      }
      // Reflection (PARCOR) coefficients to direct-form LPC coefficients (step-up recursion).
      for (let m = 1; m <= order; m++) {
        const k = unchecked(tmp[m - 1]);
        for (let i = 1; i < m; i++) unchecked((lpcNext[i] = lpc[i] + k * lpc[m - i]));
        for (let i = 1; i < m; i++) unchecked((lpc[i] = lpcNext[i]));
        unchecked((lpc[m] = k));
      }
      const at = slot * TNS_MAX_ORDER;
      for (let i = 0; i < order; i++) unchecked((ch.tnsLpc[at + i] = <f32>lpc[i + 1]));
    }
  }
  return !overrun() || fail(ERR_TRUNCATED, 51);
}
