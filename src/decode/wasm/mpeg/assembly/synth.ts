// The polyphase synthesis filterbank (ISO/IEC 11172-3 §2.4.3.2 / Annex A figure A.2): each block
// of 32 subband samples is matrixed into 64 values V (a 32-point DCT-II, computed with Lee's
// recursive factorization, then unfolded by the matrix's symmetries), V is kept in a
// 1024-value history per channel, and 32 PCM samples are the windowed sum of 16 history taps.

import { SYNTH_WINDOW } from './synth-window';

/** The synthesis window D[0..511]. */
const window = new StaticArray<f32>(512);
/** 1 / (2 cos(π (2i + 1) / (2n))) for the DCT stage of size n, at [n + i]. */
const dctCoef = new StaticArray<f32>(64);
/** V history of each channel and its current offset (a multiple of 64). */
const history = new StaticArray<f32>(2 * 1024);
const offsets = new StaticArray<i32>(2);
/** DCT input copy and scratch (62 values per recursion). */
const dctBuf = new StaticArray<f32>(32);
const scratch = new StaticArray<f32>(128);

/** Fills the window and DCT tables. */
export function initSynth(): void {
  for (let i = 0; i <= 256; i++) {
    const v = <f32>unchecked(SYNTH_WINDOW[i]) / 65536.0;
    unchecked((window[i] = v));
    if (i > 0 && i < 256) unchecked((window[512 - i] = (i & 63) != 0 ? -v : v));
  }
  for (let n = 4; n <= 32; n <<= 1) {
    for (let i = 0; i < (n >> 1); i++) {
      unchecked((dctCoef[n + i] = <f32>(0.5 / Math.cos((Math.PI * <f64>(2 * i + 1)) / <f64>(2 * n)))));
    }
  }
  resetSynth();
}

/** Clears the history of both channels. */
export function resetSynth(): void {
  memory.fill(changetype<usize>(history), 0, 2 * 1024 * 4);
  unchecked((offsets[0] = 0));
  unchecked((offsets[1] = 0));
}

/**
 * In-place unnormalized DCT-II of the n values at `x`: X[k] = Σ x[i] cos(π (2i + 1) k / (2n)).
 * `tmp` holds at least 2n - 2 scratch values.
 */
function dct(x: usize, n: i32, tmp: usize): void {
  if (n == 2) {
    const a = load<f32>(x);
    const b = load<f32>(x, 4);
    store<f32>(x, a + b);
    store<f32>(x, (a - b) * <f32>0.70710678118654752, 4);
    return;
  }
  const half = n >> 1;
  const odd = tmp + (<usize>half << 2);
  if (ASC_FEATURE_SIMD && half >= 4) {
    dctSimd(x, n, tmp);
    return;
  }
  for (let i = 0; i < half; i++) {
    const a = load<f32>(x + (<usize>i << 2));
    const b = load<f32>(x + (<usize>(n - 1 - i) << 2));
    store<f32>(tmp + (<usize>i << 2), a + b);
    store<f32>(odd + (<usize>i << 2), (a - b) * unchecked(dctCoef[n + i]));
  }
  const deeper = tmp + (<usize>n << 2);
  dct(tmp, half, deeper);
  dct(odd, half, deeper);
  for (let k = 0; k < half - 1; k++) {
    store<f32>(x + (<usize>(2 * k) << 2), load<f32>(tmp + (<usize>k << 2)));
    store<f32>(x + (<usize>(2 * k + 1) << 2), load<f32>(odd + (<usize>k << 2)) + load<f32>(odd + (<usize>(k + 1) << 2)));
  }
  store<f32>(x + (<usize>(n - 2) << 2), load<f32>(tmp + (<usize>(half - 1) << 2)));
  store<f32>(x + (<usize>(n - 1) << 2), load<f32>(odd + (<usize>(half - 1) << 2)));
}

/**
 * {@link dct} for n ≥ 8 with f32x4: the same operations on the same values as the scalar code,
 * four at a time, so the result is bit-identical.
 */
function dctSimd(x: usize, n: i32, tmp: usize): void {
  const half = n >> 1;
  const odd = tmp + (<usize>half << 2);
  const coef = changetype<usize>(dctCoef) + (<usize>n << 2);
  for (let i = 0; i < half; i += 4) {
    const o = <usize>i << 2;
    const a = v128.load(x + o);
    const r = v128.load(x + (<usize>(n - 4 - i) << 2));
    const b = v128.shuffle<f32>(r, r, 3, 2, 1, 0);
    v128.store(tmp + o, f32x4.add(a, b));
    v128.store(odd + o, f32x4.mul(f32x4.sub(a, b), v128.load(coef + o)));
  }
  const deeper = tmp + (<usize>n << 2);
  dct(tmp, half, deeper);
  dct(odd, half, deeper);
  // x[2k] = tmp[k], x[2k + 1] = odd[k] + odd[k + 1]; the last odd sum reads one value past
  // `odd` (scratch) and is replaced by x[n - 1] = odd[half - 1] below.
  for (let k = 0; k < half; k += 4) {
    const o = <usize>k << 2;
    const t = v128.load(tmp + o);
    const sum = f32x4.add(v128.load(odd + o), v128.load(odd + o + 4));
    v128.store(x + (o << 1), v128.shuffle<f32>(t, sum, 0, 4, 1, 5));
    v128.store(x + (o << 1), v128.shuffle<f32>(t, sum, 2, 6, 3, 7), 16);
  }
  store<f32>(x + (<usize>(n - 1) << 2), load<f32>(odd + (<usize>(half - 1) << 2)));
}

/** Synthesizes 32 PCM samples at `out` from the 32 subband samples at `sb`, for channel `ch`. */
export function synthesize(ch: i32, sb: usize, out: usize): void {
  const x = changetype<usize>(dctBuf);
  memory.copy(x, sb, 128);
  dct(x, 32, changetype<usize>(scratch));
  const off = (unchecked(offsets[ch]) - 64) & 1023;
  unchecked((offsets[ch] = off));
  const hist = changetype<usize>(history) + (<usize>(ch << 10) << 2);
  const v = hist + (<usize>off << 2);
  // V[i] = X[16 + i] (i < 16), V[16] = 0, V[i] = -X[48 - i] (17..47), V[i] = -X[i - 48] (48..63).
  if (ASC_FEATURE_SIMD) {
    for (let i = 0; i < 16; i += 4) {
      const o = <usize>i << 2;
      v128.store(v + o, v128.load(x + o, 64));
      v128.store(v + o, f32x4.neg(v128.load(x + o)), 192);
      // V[16 + i .. 19 + i] = -X[32 - i], -X[31 - i], -X[30 - i], -X[29 - i] (X[32], read past
      // the DCT buffer at i = 0, is replaced by V[16] = 0).
      const r = v128.load(x + (<usize>(29 - i) << 2));
      const neg = f32x4.neg(v128.shuffle<f32>(r, r, 3, 2, 1, 0));
      v128.store(v + o, i == 0 ? f32x4.replace_lane(neg, 0, 0) : neg, 64);
      const r2 = v128.load(x + (<usize>(13 - i) << 2));
      v128.store(v + o, f32x4.neg(v128.shuffle<f32>(r2, r2, 3, 2, 1, 0)), 128);
    }
  } else {
    for (let i = 0; i < 16; i++) store<f32>(v + (<usize>i << 2), load<f32>(x + (<usize>(16 + i) << 2)));
    store<f32>(v + 64, 0);
    for (let i = 17; i < 48; i++) store<f32>(v + (<usize>i << 2), -load<f32>(x + (<usize>(48 - i) << 2)));
    for (let i = 48; i < 64; i++) store<f32>(v + (<usize>i << 2), -load<f32>(x + (<usize>(i - 48) << 2)));
  }
  // out[j] = Σ_i D[64i + j] V[128i + j] + D[64i + 32 + j] V[128i + 96 + j] (V indices modulo 1024;
  // off is a multiple of 64, so each run of 32 is contiguous).
  const w = changetype<usize>(window);
  const h0 = hist + (<usize>((off) & 1023) << 2);
  const h1 = hist + (<usize>((off + 96) & 1023) << 2);
  const h2 = hist + (<usize>((off + 128) & 1023) << 2);
  const h3 = hist + (<usize>((off + 224) & 1023) << 2);
  const h4 = hist + (<usize>((off + 256) & 1023) << 2);
  const h5 = hist + (<usize>((off + 352) & 1023) << 2);
  const h6 = hist + (<usize>((off + 384) & 1023) << 2);
  const h7 = hist + (<usize>((off + 480) & 1023) << 2);
  const h8 = hist + (<usize>((off + 512) & 1023) << 2);
  const h9 = hist + (<usize>((off + 608) & 1023) << 2);
  const h10 = hist + (<usize>((off + 640) & 1023) << 2);
  const h11 = hist + (<usize>((off + 736) & 1023) << 2);
  const h12 = hist + (<usize>((off + 768) & 1023) << 2);
  const h13 = hist + (<usize>((off + 864) & 1023) << 2);
  const h14 = hist + (<usize>((off + 896) & 1023) << 2);
  const h15 = hist + (<usize>((off + 992) & 1023) << 2);
  if (ASC_FEATURE_SIMD) {
    // Four output samples per step; each lane sums its 16 products in the scalar order, so the
    // result is bit-identical to the scalar build (WebAssembly has no fused multiply-add here).
    for (let j = 0; j < 32; j += 4) {
      const o = <usize>j << 2;
      const d = w + o;
      let sum = f32x4.mul(v128.load(d), v128.load(h0 + o));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 128), v128.load(h1 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 256), v128.load(h2 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 384), v128.load(h3 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 512), v128.load(h4 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 640), v128.load(h5 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 768), v128.load(h6 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 896), v128.load(h7 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1024), v128.load(h8 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1152), v128.load(h9 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1280), v128.load(h10 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1408), v128.load(h11 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1536), v128.load(h12 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1664), v128.load(h13 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1792), v128.load(h14 + o)));
      sum = f32x4.add(sum, f32x4.mul(v128.load(d, 1920), v128.load(h15 + o)));
      v128.store(out + o, sum);
    }
    return;
  }
  for (let j = 0; j < 32; j++) {
    const o = <usize>j << 2;
    const d = w + o;
    let sum = load<f32>(d) * load<f32>(h0 + o);
    sum += load<f32>(d, 128) * load<f32>(h1 + o);
    sum += load<f32>(d, 256) * load<f32>(h2 + o);
    sum += load<f32>(d, 384) * load<f32>(h3 + o);
    sum += load<f32>(d, 512) * load<f32>(h4 + o);
    sum += load<f32>(d, 640) * load<f32>(h5 + o);
    sum += load<f32>(d, 768) * load<f32>(h6 + o);
    sum += load<f32>(d, 896) * load<f32>(h7 + o);
    sum += load<f32>(d, 1024) * load<f32>(h8 + o);
    sum += load<f32>(d, 1152) * load<f32>(h9 + o);
    sum += load<f32>(d, 1280) * load<f32>(h10 + o);
    sum += load<f32>(d, 1408) * load<f32>(h11 + o);
    sum += load<f32>(d, 1536) * load<f32>(h12 + o);
    sum += load<f32>(d, 1664) * load<f32>(h13 + o);
    sum += load<f32>(d, 1792) * load<f32>(h14 + o);
    sum += load<f32>(d, 1920) * load<f32>(h15 + o);
    store<f32>(out + o, sum);
  }
}

/** Subband samples of the frame: channel c, time slot t, subband s at [c * 1152 + t * 32 + s]. */
export const subbands = new StaticArray<f32>(2 * 1152);
