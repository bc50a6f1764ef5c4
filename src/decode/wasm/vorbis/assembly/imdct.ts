// The inverse MDCT of Vorbis (§1.3.2, §4.3.8) for a block of n samples from n/2 coefficients:
//   y[i] = Σ_k X[k] · cos(2π/n · (i + 1/2 + n/4) · (k + 1/2)),  i < n
// computed through a DCT-IV of size m = n/2 with an n/4-point complex FFT:
//   z[k] = (X[2k] + i·X[m−1−2k]) · e^{−iπ(k+1/4)/m},  Z = FFT(z),  d[p] = Z[p] · e^{−iπp/m},
//   u[2p] = Re d[p],  u[m−1−2p] = −Im d[p]
// and then y[i] = u[i + m/2] (i < m/2), −u[3m/2 − 1 − i] (i < 3m/2), −u[i − 3m/2] (above).
// Tables are built once per block size at setup; a transform allocates nothing.

import { hostCos, hostSin } from './state';

/** Tables for one block size. */
export class Transform {
  n: i32 = 0;
  /** Bit reversal of the FFT's indices. */
  reverse: StaticArray<i32> = new StaticArray<i32>(0);
  /** FFT twiddles e^{−2πij/q} for j < q/2 (q = n/4): cos and −sin. */
  twCos: StaticArray<f32> = new StaticArray<f32>(0);
  twSin: StaticArray<f32> = new StaticArray<f32>(0);
  preCos: StaticArray<f32> = new StaticArray<f32>(0);
  preSin: StaticArray<f32> = new StaticArray<f32>(0);
  postCos: StaticArray<f32> = new StaticArray<f32>(0);
  postSin: StaticArray<f32> = new StaticArray<f32>(0);
}

/** FFT work buffers and the DCT-IV output, sized for the largest block. */
let re = new StaticArray<f32>(0);
let im = new StaticArray<f32>(0);
let u = new StaticArray<f32>(0);

/** Builds the tables of block size n (a power of two, 64..8192). */
export function makeTransform(n: i32): Transform {
  const t = new Transform();
  t.n = n;
  const m = n >> 1;
  const q = n >> 2;
  const bits = ctz<i32>(q);
  t.reverse = new StaticArray<i32>(q);
  for (let i = 0; i < q; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if ((i & (1 << b)) != 0) r |= 1 << (bits - 1 - b);
    unchecked((t.reverse[i] = r));
  }
  t.twCos = new StaticArray<f32>(q >> 1);
  t.twSin = new StaticArray<f32>(q >> 1);
  for (let j = 0; j < q >> 1; j++) {
    const a = 2.0 * Math.PI * <f64>j / <f64>q;
    unchecked((t.twCos[j] = <f32>hostCos(a)));
    unchecked((t.twSin[j] = <f32>-hostSin(a)));
  }
  t.preCos = new StaticArray<f32>(q);
  t.preSin = new StaticArray<f32>(q);
  t.postCos = new StaticArray<f32>(q);
  t.postSin = new StaticArray<f32>(q);
  for (let k = 0; k < q; k++) {
    const a = Math.PI * (<f64>k + 0.25) / <f64>m;
    unchecked((t.preCos[k] = <f32>hostCos(a)));
    unchecked((t.preSin[k] = <f32>hostSin(a)));
    const b = Math.PI * <f64>k / <f64>m;
    unchecked((t.postCos[k] = <f32>hostCos(b)));
    unchecked((t.postSin[k] = <f32>hostSin(b)));
  }
  if (re.length < q) {
    re = new StaticArray<f32>(q);
    im = new StaticArray<f32>(q);
  }
  if (u.length < m) u = new StaticArray<f32>(m);
  return t;
}

/** In-place forward complex FFT of size q on bit-reversed input in `re`/`im`. */
function fft(t: Transform, q: i32): void {
  const pr = changetype<usize>(re);
  const pi = changetype<usize>(im);
  for (let a = 0; a < q; a += 2) {
    const o = <usize>a << 2;
    const ar = load<f32>(pr + o);
    const ai = load<f32>(pi + o);
    const br = load<f32>(pr + o, 4);
    const bi = load<f32>(pi + o, 4);
    store<f32>(pr + o, ar + br);
    store<f32>(pi + o, ai + bi);
    store<f32>(pr + o, ar - br, 4);
    store<f32>(pi + o, ai - bi, 4);
  }
  const tc = changetype<usize>(t.twCos);
  const ts = changetype<usize>(t.twSin);
  for (let size = 4; size <= q; size <<= 1) {
    const half = size >> 1;
    const step = q / size;
    for (let j = 0; j < half; j++) {
      const wr = load<f32>(tc + (<usize>(j * step) << 2));
      const wi = load<f32>(ts + (<usize>(j * step) << 2));
      for (let a = j; a < q; a += size) {
        const pa = <usize>a << 2;
        const pb = <usize>(a + half) << 2;
        const br = load<f32>(pr + pb);
        const bi = load<f32>(pi + pb);
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        const ar = load<f32>(pr + pa);
        const ai = load<f32>(pi + pa);
        store<f32>(pr + pb, ar - tr);
        store<f32>(pi + pb, ai - ti);
        store<f32>(pr + pa, ar + tr);
        store<f32>(pi + pa, ai + ti);
      }
    }
  }
}

/** Inverse MDCT of the n/2 coefficients at `x` into n samples at `y` (unwindowed, unscaled). */
export function imdct(t: Transform, x: usize, y: usize): void {
  const n = t.n;
  const m = n >> 1;
  const q = n >> 2;
  const rev = changetype<usize>(t.reverse);
  const pc = changetype<usize>(t.preCos);
  const ps = changetype<usize>(t.preSin);
  const pr = changetype<usize>(re);
  const pi = changetype<usize>(im);
  for (let k = 0; k < q; k++) {
    const a = load<f32>(x + (<usize>(2 * k) << 2));
    const b = load<f32>(x + (<usize>(m - 1 - 2 * k) << 2));
    const c = load<f32>(pc + (<usize>k << 2));
    const s = load<f32>(ps + (<usize>k << 2));
    const r = <usize>load<i32>(rev + (<usize>k << 2)) << 2;
    store<f32>(pr + r, a * c + b * s);
    store<f32>(pi + r, b * c - a * s);
  }
  fft(t, q);
  const qc = changetype<usize>(t.postCos);
  const qs = changetype<usize>(t.postSin);
  const pu = changetype<usize>(u);
  for (let p = 0; p < q; p++) {
    const c = load<f32>(qc + (<usize>p << 2));
    const s = load<f32>(qs + (<usize>p << 2));
    const zr = load<f32>(pr + (<usize>p << 2));
    const zi = load<f32>(pi + (<usize>p << 2));
    store<f32>(pu + (<usize>(2 * p) << 2), zr * c + zi * s);
    store<f32>(pu + (<usize>(m - 1 - 2 * p) << 2), zr * s - zi * c);
  }
  const h = m >> 1;
  for (let i = 0; i < h; i++) store<f32>(y + (<usize>i << 2), load<f32>(pu + (<usize>(i + h) << 2)));
  for (let i = h; i < 3 * h; i++) store<f32>(y + (<usize>i << 2), -load<f32>(pu + (<usize>(3 * h - 1 - i) << 2)));
  for (let i = 3 * h; i < n; i++) store<f32>(y + (<usize>i << 2), -load<f32>(pu + (<usize>(i - 3 * h) << 2)));
}
