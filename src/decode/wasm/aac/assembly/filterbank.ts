// Windowing and overlap-add (ISO/IEC 14496-3 §4.6.11.3): sine and Kaiser-Bessel-derived windows
// (alpha 4 long, 6 short), the four window sequences, window-shape switching (the left half of a
// window uses the previous frame's shape).

import { imdct } from './imdct';
import { Channel, EIGHT_SHORT, LONG_START, LONG_STOP } from './channel';
import { count, STAT_SHAPE_SWITCH } from './state';

/** Rising halves: [shape 0 = sine, shape 1 = KBD]. */
const sineLong = new StaticArray<f32>(1024);
const kbdLong = new StaticArray<f32>(1024);
const sineShort = new StaticArray<f32>(128);
const kbdShort = new StaticArray<f32>(128);
/** IMDCT output of one window, and the 2048-sample frame assembled from eight short windows. */
const y = new StaticArray<f32>(2048);
const frame = new StaticArray<f32>(2048);

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: f64): f64 {
  let sum = 1.0;
  let term = 1.0;
  const q = x * x / 4.0;
  for (let k = 1; k < 64; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function fillKbd(w: StaticArray<f32>, n: i32, alpha: f64): void {
  // W'(j) = I0(πα·sqrt(1 − ((j − N/4)/(N/4))²)) for j = 0..N/2; W(j) = sqrt(Σ_{0..j} W' / Σ_{0..N/2} W').
  const quarter = <f64>n / 4.0;
  let total = 0.0;
  for (let j = 0; j <= n / 2; j++) {
    const r = (<f64>j - quarter) / quarter;
    total += besselI0(Math.PI * alpha * Math.sqrt(Math.max(0.0, 1.0 - r * r)));
  }
  let acc = 0.0;
  for (let j = 0; j < n / 2; j++) {
    const r = (<f64>j - quarter) / quarter;
    acc += besselI0(Math.PI * alpha * Math.sqrt(Math.max(0.0, 1.0 - r * r)));
    unchecked((w[j] = <f32>Math.sqrt(acc / total)));
  }
}

/** Fills the windows. Called once. */
export function initFilterbank(): void {
  for (let i = 0; i < 1024; i++) unchecked((sineLong[i] = <f32>Math.sin(Math.PI / 2048.0 * (<f64>i + 0.5))));
  for (let i = 0; i < 128; i++) unchecked((sineShort[i] = <f32>Math.sin(Math.PI / 256.0 * (<f64>i + 0.5))));
  fillKbd(kbdLong, 2048, 4.0);
  fillKbd(kbdShort, 256, 6.0);
}

/**
 * Turns the channel's spectrum into 1024 output samples at `out`, using and updating its
 * overlap. The window shape becomes the next frame's previous shape.
 */
export function synthesize(ch: Channel, out: usize): void {
  const seq = ch.windowSequence;
  const prevLong = ch.prevShape ? kbdLong : sineLong;
  const curLong = ch.windowShape ? kbdLong : sineLong;
  const prevShort = ch.prevShape ? kbdShort : sineShort;
  const curShort = ch.windowShape ? kbdShort : sineShort;
  if (ch.prevShape != ch.windowShape) count(STAT_SHAPE_SWITCH);
  const ov = changetype<usize>(ch.overlap);
  const spec = changetype<usize>(ch.spec);
  if (seq != EIGHT_SHORT) {
    const py = changetype<usize>(y);
    imdct(spec, 1024, py);
    // Left half.
    if (seq == LONG_STOP) {
      for (let n = 0; n < 448; n++) store<f32>(out + (<usize>n << 2), load<f32>(ov + (<usize>n << 2)));
      for (let n = 448; n < 576; n++) {
        const v = load<f32>(ov + (<usize>n << 2)) + unchecked(y[n]) * unchecked(prevShort[n - 448]);
        store<f32>(out + (<usize>n << 2), v);
      }
      for (let n = 576; n < 1024; n++) store<f32>(out + (<usize>n << 2), load<f32>(ov + (<usize>n << 2)) + unchecked(y[n]));
    } else {
      for (let n = 0; n < 1024; n++) {
        const v = load<f32>(ov + (<usize>n << 2)) + unchecked(y[n]) * unchecked(prevLong[n]);
        store<f32>(out + (<usize>n << 2), v);
      }
    }
    // Right half into the overlap.
    if (seq == LONG_START) {
      for (let n = 0; n < 448; n++) unchecked((ch.overlap[n] = y[1024 + n]));
      for (let n = 448; n < 576; n++) unchecked((ch.overlap[n] = y[1024 + n] * curShort[575 - n]));
      for (let n = 576; n < 1024; n++) unchecked((ch.overlap[n] = 0));
    } else {
      for (let n = 0; n < 1024; n++) unchecked((ch.overlap[n] = y[1024 + n] * curLong[1023 - n]));
    }
  } else {
    const pf = changetype<usize>(frame);
    memory.fill(pf, 0, 2048 * 4);
    const py = changetype<usize>(y);
    for (let w = 0; w < 8; w++) {
      imdct(spec + (<usize>(w * 128) << 2), 128, py);
      const left = w == 0 ? prevShort : curShort;
      const at = 448 + w * 128;
      for (let n = 0; n < 128; n++) unchecked((frame[at + n] += y[n] * left[n]));
      for (let n = 0; n < 128; n++) unchecked((frame[at + 128 + n] += y[128 + n] * curShort[127 - n]));
    }
    for (let n = 0; n < 1024; n++) store<f32>(out + (<usize>n << 2), load<f32>(ov + (<usize>n << 2)) + unchecked(frame[n]));
    for (let n = 0; n < 1024; n++) unchecked((ch.overlap[n] = frame[1024 + n]));
  }
  ch.prevShape = ch.windowShape;
}
