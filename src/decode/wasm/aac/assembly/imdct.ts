// IMDCT through a DCT-IV computed with an N/4-point complex FFT (radix 2, precomputed twiddles
// and bit-reversal), for the 2048-point long and 256-point short windows.
//
// y[n] = (2/N) · Σ_k X[k] cos(2π/N · (n + n0)(k + 1/2)), n0 = (N/2 + 1)/2  (ISO/IEC 14496-3 §4.6.11)
// With M = N/2 and u = DCT-IV(X): y[n] = u[n + M/2] for n < M/2, −u[3M/2 − 1 − n] for
// n < 3M/2, −u[n − 3M/2] above. The DCT-IV of size M: z[k] = (X[2k] + i·X[M−1−2k])·e^{−iπ(k+1/4)/M},
// Z = FFT_{M/2}(z), d[p] = Z[p]·e^{−iπp/M}, u[2p] = Re d[p], u[M−1−2p] = −Im d[p].

const FFT_MAX: i32 = 512;
const re = new StaticArray<f32>(FFT_MAX);
const im = new StaticArray<f32>(FFT_MAX);
/** e^{−2πij/512} for j < 256: cos and −sin. */
const twCos = new StaticArray<f32>(FFT_MAX / 2);
const twSin = new StaticArray<f32>(FFT_MAX / 2);
const rev512 = new StaticArray<u16>(512);
const rev64 = new StaticArray<u16>(64);
// Pre- and post-twiddles for M = 1024 (long) and M = 128 (short).
const preCosL = new StaticArray<f32>(512);
const preSinL = new StaticArray<f32>(512);
const postCosL = new StaticArray<f32>(512);
const postSinL = new StaticArray<f32>(512);
const preCosS = new StaticArray<f32>(64);
const preSinS = new StaticArray<f32>(64);
const postCosS = new StaticArray<f32>(64);
const postSinS = new StaticArray<f32>(64);
/** The DCT-IV output. */
const u = new StaticArray<f32>(1024);

function fillRev(t: StaticArray<u16>, bits: i32): void {
  for (let i = 0; i < t.length; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    unchecked((t[i] = <u16>r));
  }
}

function fillTwiddles(m: i32, pc: StaticArray<f32>, ps: StaticArray<f32>, qc: StaticArray<f32>, qs: StaticArray<f32>): void {
  for (let k = 0; k < m / 2; k++) {
    const a = Math.PI * (<f64>k + 0.25) / <f64>m;
    unchecked((pc[k] = <f32>Math.cos(a)));
    unchecked((ps[k] = <f32>Math.sin(a)));
    const b = Math.PI * <f64>k / <f64>m;
    unchecked((qc[k] = <f32>Math.cos(b)));
    unchecked((qs[k] = <f32>Math.sin(b)));
  }
}

/** Fills the tables. Called once. */
export function initImdct(): void {
  for (let j = 0; j < FFT_MAX / 2; j++) {
    const a = 2.0 * Math.PI * <f64>j / <f64>FFT_MAX;
    unchecked((twCos[j] = <f32>Math.cos(a)));
    unchecked((twSin[j] = <f32>-Math.sin(a)));
  }
  fillRev(rev512, 9);
  fillRev(rev64, 6);
  fillTwiddles(1024, preCosL, preSinL, postCosL, postSinL);
  fillTwiddles(128, preCosS, preSinS, postCosS, postSinS);
}

/** In-place forward complex FFT of `re`/`im`, size n (64 or 512), input already bit-reversed. */
function fft(n: i32): void {
  const pr = changetype<usize>(re);
  const pi = changetype<usize>(im);
  // First stage (size 2) has unit twiddles.
  for (let a = 0; a < n; a += 2) {
    const ar = load<f32>(pr + (<usize>a << 2));
    const ai = load<f32>(pi + (<usize>a << 2));
    const br = load<f32>(pr + (<usize>a << 2), 4);
    const bi = load<f32>(pi + (<usize>a << 2), 4);
    store<f32>(pr + (<usize>a << 2), ar + br);
    store<f32>(pi + (<usize>a << 2), ai + bi);
    store<f32>(pr + (<usize>a << 2), ar - br, 4);
    store<f32>(pi + (<usize>a << 2), ai - bi, 4);
  }
  for (let size = 4; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = FFT_MAX / size;
    for (let j = 0; j < half; j++) {
      const wr = unchecked(twCos[j * step]);
      const wi = unchecked(twSin[j * step]);
      for (let a = j; a < n; a += size) {
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

/**
 * DCT-IV of `m` (1024 or 128) coefficients at `x`, scaled by 1/m (the IMDCT's 2/N), into `u`.
 * Returns the address of `u`.
 */
function dct4(x: usize, m: i32): usize {
  const long = m == 1024;
  const n = m >> 1;
  const rev = long ? rev512 : rev64;
  const pc = long ? preCosL : preCosS;
  const ps = long ? preSinL : preSinS;
  const qc = long ? postCosL : postCosS;
  const qs = long ? postSinL : postSinS;
  for (let k = 0; k < n; k++) {
    const a = load<f32>(x + (<usize>(2 * k) << 2));
    const b = load<f32>(x + (<usize>(m - 1 - 2 * k) << 2));
    const c = unchecked(pc[k]);
    const s = unchecked(ps[k]);
    const r = <i32>unchecked(rev[k]);
    unchecked((re[r] = a * c + b * s));
    unchecked((im[r] = b * c - a * s));
  }
  fft(n);
  const scale = <f32>(1.0 / <f64>m);
  for (let p = 0; p < n; p++) {
    const c = unchecked(qc[p]);
    const s = unchecked(qs[p]);
    const zr = unchecked(re[p]);
    const zi = unchecked(im[p]);
    unchecked((u[2 * p] = (zr * c + zi * s) * scale));
    unchecked((u[m - 1 - 2 * p] = (zr * s - zi * c) * scale));
  }
  return changetype<usize>(u);
}

/** IMDCT of `m` coefficients at `x` into 2m samples at `y` (unwindowed). */
export function imdct(x: usize, m: i32, y: usize): void {
  const d = dct4(x, m);
  const h = m >> 1;
  for (let n = 0; n < h; n++) store<f32>(y + (<usize>n << 2), load<f32>(d + (<usize>(n + h) << 2)));
  for (let n = h; n < 3 * h; n++) store<f32>(y + (<usize>n << 2), -load<f32>(d + (<usize>(3 * h - 1 - n) << 2)));
  for (let n = 3 * h; n < 2 * m; n++) store<f32>(y + (<usize>n << 2), -load<f32>(d + (<usize>(n - 3 * h) << 2)));
}
