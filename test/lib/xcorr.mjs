// Cross-correlation for analyze.mjs: direct sums for small searches, FFT for wide ones.

/** out[L] += Σ_i x[i]·ref[L + i] for L in [0, out.length). */
export function addCrossCorrelationDirect(x, ref, out) {
  const W = x.length;
  for (let L = 0; L < out.length; L++) {
    let s = 0;
    for (let i = 0; i < W; i++) s += x[i] * ref[L + i];
    out[L] += s;
  }
}

/** Same as addCrossCorrelationDirect, via FFT: IFFT(conj(X)·REF)[L]. */
export function addCrossCorrelationFft(x, ref, out) {
  let N = 1;
  while (N < ref.length) N <<= 1;
  const xr = new Float64Array(N);
  const xi = new Float64Array(N);
  const rr = new Float64Array(N);
  const ri = new Float64Array(N);
  xr.set(x);
  rr.set(ref);
  fft(xr, xi, false);
  fft(rr, ri, false);
  for (let k = 0; k < N; k++) {
    // conj(X) · R
    const re = xr[k] * rr[k] + xi[k] * ri[k];
    const im = xr[k] * ri[k] - xi[k] * rr[k];
    xr[k] = re;
    xi[k] = im;
  }
  fft(xr, xi, true);
  for (let L = 0; L < out.length; L++) out[L] += xr[L];
}

/** In-place iterative radix-2 complex FFT; `inverse` includes the 1/N scale. */
function fft(re, im, inverse) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] /= n;
      im[i] /= n;
    }
  }
}
