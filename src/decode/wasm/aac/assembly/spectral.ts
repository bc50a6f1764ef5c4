// spectral_data() (ISO/IEC 14496-3 §4.6.3): Huffman-coded quantized values with signs and
// escapes, pulse data, then inverse quantization and scaling (§4.6.1-2) with perceptual noise
// substitution (§4.6.13). Output spectra are scaled to ±1.0 full scale.

import { readBit, readBits, overrun } from './bits';
import { huffDecode } from './huffman';
import { Channel, BAND_STRIDE, NOISE_HCB } from './channel';
import { fail, count, swbL, swbS, ERR_SYNTAX, ERR_TRUNCATED, STAT_ESCAPES, STAT_PNS_BANDS } from './state';

/** |q|^(4/3) for q = 0..8191. */
const POW43 = new StaticArray<f32>(8192);
/** 2^((sf - 100) / 4) / 32768 for sf = 0..255 (the 16-bit PCM scale of the standard, to ±1.0). */
const GAIN = new StaticArray<f32>(256);
/** Output scale: the standard's spectra are in 16-bit PCM units. */
export const OUT_SCALE: f64 = 1.0 / 32768.0;

/** Fills the dequantization tables. Called once. */
export function initSpectral(): void {
  for (let i = 0; i < 8192; i++) unchecked((POW43[i] = <f32>Math.pow(<f64>i, 4.0 / 3.0)));
  for (let i = 0; i < 256; i++) unchecked((GAIN[i] = <f32>(Math.pow(2.0, 0.25 * <f64>(i - 100)) * OUT_SCALE)));
}

// @ts-ignore: decorator
@inline function escape(v: i32): i32 {
  if (v != 16) return v;
  let n = 4;
  while (readBit()) {
    n++;
    if (n > 12) return -1;
  }
  return (1 << n) + <i32>readBits(n);
}

// @ts-ignore: decorator
@inline function signed(v: i32): i32 {
  return v != 0 && readBit() ? -v : v;
}

/** Decodes the quantized values of one band of one window into `q[at .. at + width)`. */
function decodeBand(cb: i32, q: usize, width: i32): bool {
  if (cb <= 4) {
    for (let k = 0; k < width; k += 4) {
      const idx = huffDecode(cb);
      let w = idx / 27;
      let x = (idx / 9) % 3;
      let y = (idx / 3) % 3;
      let z = idx % 3;
      if (cb <= 2) {
        w -= 1; x -= 1; y -= 1; z -= 1;
      } else {
        w = signed(w); x = signed(x); y = signed(y); z = signed(z);
      }
      const p = q + (<usize>k << 2);
      store<i32>(p, w);
      store<i32>(p, x, 4);
      store<i32>(p, y, 8);
      store<i32>(p, z, 12);
    }
  } else if (cb <= 6) {
    for (let k = 0; k < width; k += 2) {
      const idx = huffDecode(cb);
      const p = q + (<usize>k << 2);
      store<i32>(p, idx / 9 - 4);
      store<i32>(p, idx % 9 - 4, 4);
    }
  } else if (cb <= 10) {
    const mod = cb <= 8 ? 8 : 13;
    for (let k = 0; k < width; k += 2) {
      const idx = huffDecode(cb);
      const y = signed(idx / mod);
      const z = signed(idx % mod);
      const p = q + (<usize>k << 2);
      store<i32>(p, y);
      store<i32>(p, z, 4);
    }
  } else {
    for (let k = 0; k < width; k += 2) {
      const idx = huffDecode(11);
      let y = idx / 17;
      let z = idx % 17;
      const ys = y != 0 && readBit() != 0;
      const zs = z != 0 && readBit() != 0;
      if (y == 16 || z == 16) {
        count(STAT_ESCAPES);
        y = escape(y);
        z = escape(z);
        if (y < 0 || z < 0) return fail(ERR_SYNTAX, 60);
      }
      const p = q + (<usize>k << 2);
      store<i32>(p, ys ? -y : y);
      store<i32>(p, zs ? -z : z, 4);
    }
  }
  return true;
}

/** spectral_data() into `ch.quant`, window w at w * 128, then pulse_data applied. */
export function parseSpectral(ch: Channel): bool {
  const quant = changetype<usize>(ch.quant);
  memory.fill(quant, 0, 1024 * 4);
  const short = ch.short;
  const swb = short ? swbS : swbL;
  let win = 0;
  for (let g = 0; g < ch.numGroups; g++) {
    const glen = <i32>unchecked(ch.groupLen[g]);
    const row = g * BAND_STRIDE;
    for (let b = 0; b < ch.maxSfb; b++) {
      const cb = <i32>unchecked(ch.cb[row + b]);
      if (cb == 0 || cb >= NOISE_HCB) continue;
      const start = <i32>unchecked(swb[b]);
      const width = <i32>unchecked(swb[b + 1]) - start;
      for (let w = 0; w < glen; w++) {
        if (!decodeBand(cb, quant + (<usize>((win + w) * 128 + start) << 2), width)) return false;
      }
      if (overrun()) return fail(ERR_TRUNCATED, 61);
    }
    win += glen;
  }
  if (ch.pulseCount > 0) {
    let k = <i32>unchecked(swbL[ch.pulseStart]);
    for (let i = 0; i < ch.pulseCount; i++) {
      k += <i32>unchecked(ch.pulseOffset[i]);
      if (k >= 1024) return fail(ERR_SYNTAX, 62);
      const v = unchecked(ch.quant[k]);
      const amp = <i32>unchecked(ch.pulseAmp[i]);
      const nv = v > 0 ? v + amp : v - amp;
      if (nv > 8191 || nv < -8191) return fail(ERR_SYNTAX, 63);
      unchecked((ch.quant[k] = nv));
    }
  }
  return true;
}

let noiseState: u32 = 0x1f2e3d4c;

// @ts-ignore: decorator
@inline function noiseSample(): f32 {
  let s = noiseState;
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  noiseState = s;
  return <f32>(<i32>s) * (1.0 / 2147483648.0);
}

/** Inverse quantization and scaling of `ch.quant` into `ch.spec`; noise bands get noise. */
export function dequantize(ch: Channel): void {
  const spec = changetype<usize>(ch.spec);
  memory.fill(spec, 0, 1024 * 4);
  const short = ch.short;
  const swb = short ? swbS : swbL;
  let win = 0;
  for (let g = 0; g < ch.numGroups; g++) {
    const glen = <i32>unchecked(ch.groupLen[g]);
    const row = g * BAND_STRIDE;
    for (let b = 0; b < ch.maxSfb; b++) {
      const cb = <i32>unchecked(ch.cb[row + b]);
      if (cb == 0 || cb > NOISE_HCB) continue;
      const start = <i32>unchecked(swb[b]);
      const end = <i32>unchecked(swb[b + 1]);
      const sf = unchecked(ch.sf[row + b]);
      if (cb == NOISE_HCB) {
        count(STAT_PNS_BANDS);
        const level = Math.pow(2.0, 0.25 * <f64>sf) * OUT_SCALE;
        for (let w = 0; w < glen; w++) {
          const at = (win + w) * 128;
          let energy: f64 = 0;
          for (let k = start; k < end; k++) {
            const r = noiseSample();
            unchecked((ch.spec[at + k] = r));
            energy += <f64>r * <f64>r;
          }
          const scale = <f32>(level / Math.sqrt(energy > 0 ? energy : 1.0));
          for (let k = start; k < end; k++) unchecked((ch.spec[at + k] *= scale));
        }
        continue;
      }
      const gain = unchecked(GAIN[sf]);
      for (let w = 0; w < glen; w++) {
        const at = (win + w) * 128;
        for (let k = at + start; k < at + end; k++) {
          const q = unchecked(ch.quant[k]);
          const m = unchecked(POW43[q < 0 ? -q : q]) * gain;
          unchecked((ch.spec[k] = q < 0 ? -m : m));
        }
      }
    }
    win += glen;
  }
}
