// Joint stereo of a channel_pair_element (ISO/IEC 14496-3 §4.6.8 M/S, §4.6.8.2 intensity,
// §4.6.13.3 correlated noise) and temporal noise shaping (§4.6.9), on dequantized spectra.

import { Channel, BAND_STRIDE, INTENSITY_HCB, INTENSITY_HCB2, NOISE_HCB, TNS_MAX_ORDER } from './channel';
import { count, sfi, swbL, swbS, numSwbL, numSwbS, STAT_IS_BANDS, STAT_MS_BANDS } from './state';
import { TNS_MAX_BANDS_LONG, TNS_MAX_BANDS_SHORT } from './tables';

/**
 * Applies M/S, intensity stereo and correlated noise to a common-window pair. `msMask` holds
 * ms_used per [group][band]; `msPresent` is ms_mask_present (0, 1 or 2).
 */
export function applyJointStereo(l: Channel, r: Channel, msPresent: i32, msMask: StaticArray<u8>): void {
  const swb = l.short ? swbS : swbL;
  let win = 0;
  for (let g = 0; g < l.numGroups; g++) {
    const glen = <i32>unchecked(l.groupLen[g]);
    const row = g * BAND_STRIDE;
    for (let b = 0; b < l.maxSfb; b++) {
      const ms = msPresent != 0 && unchecked(msMask[row + b]) != 0;
      const cbl = <i32>unchecked(l.cb[row + b]);
      const cbr = <i32>unchecked(r.cb[row + b]);
      const start = <i32>unchecked(swb[b]);
      const end = <i32>unchecked(swb[b + 1]);
      if (cbr == INTENSITY_HCB || cbr == INTENSITY_HCB2) {
        count(STAT_IS_BANDS);
        let scale = Math.pow(0.5, 0.25 * <f64>unchecked(r.sf[row + b]));
        if (cbr == INTENSITY_HCB2) scale = -scale;
        if (ms) scale = -scale;
        const s = <f32>scale;
        for (let w = 0; w < glen; w++) {
          const at = (win + w) * 128;
          for (let k = at + start; k < at + end; k++) unchecked((r.spec[k] = l.spec[k] * s));
        }
      } else if (cbl == NOISE_HCB && cbr == NOISE_HCB) {
        if (!ms) continue;
        // Correlated noise: the right channel reuses the left channel's noise at its own level.
        const s = <f32>Math.pow(2.0, 0.25 * <f64>(unchecked(r.sf[row + b]) - unchecked(l.sf[row + b])));
        for (let w = 0; w < glen; w++) {
          const at = (win + w) * 128;
          for (let k = at + start; k < at + end; k++) unchecked((r.spec[k] = l.spec[k] * s));
        }
      } else if (ms && cbl < NOISE_HCB && cbr < NOISE_HCB) {
        count(STAT_MS_BANDS);
        for (let w = 0; w < glen; w++) {
          const at = (win + w) * 128;
          for (let k = at + start; k < at + end; k++) {
            const m = unchecked(l.spec[k]);
            const s = unchecked(r.spec[k]);
            unchecked((l.spec[k] = m + s));
            unchecked((r.spec[k] = m - s));
          }
        }
      }
    }
    win += glen;
  }
}

/** Applies the channel's TNS all-pole filters to its spectrum. */
export function applyTns(ch: Channel): void {
  if (!ch.tnsPresent) return;
  const short = ch.short;
  const windows = short ? 8 : 1;
  const swb = short ? swbS : swbL;
  const numSwb = short ? numSwbS : numSwbL;
  const maxBands = <i32>(short ? unchecked(TNS_MAX_BANDS_SHORT[sfi]) : unchecked(TNS_MAX_BANDS_LONG[sfi]));
  const limit = min(maxBands, ch.maxSfb);
  const spec = changetype<usize>(ch.spec);
  for (let w = 0; w < windows; w++) {
    let bottom = numSwb;
    const nf = <i32>unchecked(ch.tnsFilters[w]);
    for (let f = 0; f < nf; f++) {
      const slot = w * 4 + f;
      const top = bottom;
      bottom = max(top - <i32>unchecked(ch.tnsLength[slot]), 0);
      const order = <i32>unchecked(ch.tnsOrder[slot]);
      if (order == 0) continue;
      const start = <i32>unchecked(swb[min(bottom, limit)]);
      const end = <i32>unchecked(swb[min(top, limit)]);
      const size = end - start;
      if (size <= 0) continue;
      const inc = unchecked(ch.tnsDown[slot]) ? -1 : 1;
      let pos = w * 128 + (inc < 0 ? end - 1 : start);
      const lpc = changetype<usize>(ch.tnsLpc) + (<usize>(slot * TNS_MAX_ORDER) << 2);
      for (let m = 0; m < size; m++) {
        let y = load<f32>(spec + (<usize>pos << 2));
        const n = min(m, order);
        for (let i = 1; i <= n; i++) {
          y -= load<f32>(spec + (<usize>(pos - i * inc) << 2)) * load<f32>(lpc + (<usize>(i - 1) << 2));
        }
        store<f32>(spec + (<usize>pos << 2), y);
        pos += inc;
      }
    }
  }
}
