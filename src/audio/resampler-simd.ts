/**
 * The WebAssembly SIMD inner loop of {@link Resampler} for exact polyphase tables: about 7× the
 * scalar JavaScript loop in V8. The module is about 300 bytes, assembled here from opcodes (no
 * build step, no fetch) and compiled once, synchronously, on first use. Where WebAssembly or its
 * SIMD proposal is missing (or blocked by a CSP without `'wasm-unsafe-eval'`), {@link simdKernel}
 * returns `null` and the resampler runs its JavaScript loop.
 *
 * The exported function `run` is stateless. For one channel it computes up to `max` output frames:
 *
 * ```
 * run(coeffs, taps, hist, start, phase, L, stepInt, stepFrac, last, out, max) → frames written
 * ```
 *
 * Pointers are byte offsets into the instance's memory. Output `k` is the dot product of the
 * coefficient row `phase` with `taps` history samples from `start`, accumulated in `f32x4`
 * accumulators (four for `run`, two per channel for the stereo `run2`, 4 taps each per step,
 * so `taps` must be a multiple of 16), then summed pairwise and lane 0…3. Where the platform
 * has relaxed SIMD, each step is one `f32x4.relaxed_madd`; else a multiply and an add.
 * The order is fixed, so results do not depend on how the caller chunks its input.
 *
 * Measured in V8 (Node 20, stereo 44100→48000, 'high'): `run2` with two accumulators per
 * channel takes 36 ns per output frame, with four 54 ns (the eight accumulators no longer fit
 * the 16 SIMD registers and spill); `run` with four takes 23 ns per channel.
 *
 * @module
 */

/** A compiled kernel bound to its own memory. */
export interface SimdKernel {
  /** The instance memory; it never grows, so views on `memory.buffer` stay valid. */
  readonly memory: WebAssembly.Memory;
  /** See the module notes. */
  readonly run: (
    coeffs: number,
    taps: number,
    hist: number,
    start: number,
    phase: number,
    L: number,
    stepInt: number,
    stepFrac: number,
    last: number,
    out: number,
    max: number,
  ) => number;
  /** Two channels at once: like `run`, with history pointers `hist`, `hist2` and outputs `out`, `out2`. */
  readonly run2: (
    coeffs: number,
    taps: number,
    hist: number,
    hist2: number,
    start: number,
    phase: number,
    L: number,
    stepInt: number,
    stepFrac: number,
    last: number,
    out: number,
    out2: number,
    max: number,
  ) => number;
}

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;
let fmaEnabled = true;

/**
 * Turns the SIMD path on or off for resamplers created afterwards (tests use it to cover the
 * JavaScript path).
 * @internal
 */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Turns the fused multiply-add kernel on or off for resamplers created afterwards (tests use it
 * to cover the plain `f32x4` kernel where the platform has relaxed SIMD).
 * @internal
 */
export function setFmaEnabled(on: boolean): void {
  if (fmaEnabled !== on) compiled = undefined;
  fmaEnabled = on;
}

/** Whether kernels made now use `f32x4.relaxed_madd` (the platform has relaxed SIMD). */
export function simdKernelFused(): boolean {
  if (!enabled) return false;
  if (compiled === undefined) compiled = compile();
  return compiled !== null && compiledFused;
}
let compiledFused = false;

/** A kernel instance with `bytes` bytes of memory, or `null` when SIMD is unavailable. */
export function simdKernel(bytes: number): SimdKernel | null {
  if (!enabled) return null;
  if (compiled === undefined) compiled = compile();
  if (compiled === null) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new WebAssembly.Instance(compiled, { e: { m: memory } });
    return { memory, run: instance.exports['run'] as SimdKernel['run'], run2: instance.exports['run2'] as SimdKernel['run2'] };
  } catch {
    return null;
  }
}

/**
 * The fused kernel where relaxed SIMD validates (each step is then one `f32x4.relaxed_madd`
 * instead of a multiply and an add: about a third faster), else the plain `f32x4` one.
 */
function compile(): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    for (const fused of fmaEnabled ? [true, false] : [false]) {
      const bytes = moduleBytes(fused);
      if (WebAssembly.validate(bytes)) {
        compiledFused = fused;
        return new WebAssembly.Module(bytes);
      }
    }
    return null;
  } catch {
    return null;
  }
}

/** Signed LEB128 (i32.const immediates). */
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** Sums the operands as a balanced tree of `add` (a fixed order). */
function pairwiseSum(operands: number[][], add: number[]): number[] {
  let level = operands;
  while (level.length > 1) {
    const next: number[][] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? [...(level[i] as number[]), ...(level[i + 1] as number[]), ...add] : (level[i] as number[]));
    level = next;
  }
  return level[0] as number[];
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/**
 * Builds the module over an imported memory `e.m`: `run` (one channel, 11 × i32 → i32) and
 * `run2` (two channels sharing each coefficient load, 13 × i32 → i32: the history and output
 * pointers come in pairs). Each output is summed in a fixed order, so results do not depend on
 * chunking; `run` and `run2` group the taps differently (four accumulators against two), so a
 * channel resampled alone and one resampled in a pair may differ in the last bit.
 */
function moduleBytes(fused: boolean): Uint8Array<ArrayBuffer> {
  const section = (id: number, b: number[]) => [id, ...uleb(b.length), ...b];
  const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const mono = kernelBody(false, fused);
  const stereo = kernelBody(true, fused);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 11 × i32 → i32, 13 × i32 → i32
    ...section(1, [2, 0x60, 11, ...new Array<number>(11).fill(0x7f), 1, 0x7f, 0x60, 13, ...new Array<number>(13).fill(0x7f), 1, 0x7f]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]), // import memory e.m, min 1 page
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('run'), 0x00, 0, ...name('run2'), 0x00, 1]),
    ...section(10, [2, ...uleb(mono.length), ...mono, ...uleb(stereo.length), ...stereo]),
  ]);
}

/**
 * The body of `run` (mono) or `run2` (stereo). `fused`: each step is `acc = relaxed_madd(c, x,
 * acc)` (the platform fuses it or not, the same way for every call, so chunking still does not
 * matter), else `acc = acc + c · x`.
 */
function kernelBody(stereo: boolean, fused: boolean): number[] {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i32 = (v: number) => [0x41, v]; // small non-negative constants only (< 64)
  const [ADD, SUB, MUL, SHL, GT_S, GE_S, LT_U, GE_U, F32_ADD] = [0x6a, 0x6b, 0x6c, 0x74, 0x4a, 0x4e, 0x49, 0x4f, 0x92];
  const load = (offset: number) => [0xfd, 0x00, 0x00, offset]; // v128.load align=1 offset (< 128)
  const vAdd = [0xfd, 0xe4, 0x01]; // f32x4.add
  const vMul = [0xfd, 0xe6, 0x01]; // f32x4.mul
  const vMadd = [0xfd, 0x85, 0x02]; // f32x4.relaxed_madd (a · b + c)
  const lane = (n: number) => [0xfd, 0x1f, n]; // f32x4.extract_lane
  // Accumulators per channel, each taking one f32x4 of taps per step: four for one channel, two
  // per channel for two (more would not fit the SIMD registers: measured 1.5× slower in V8).
  const K = stereo ? 2 : 4;
  const STEP = [0x41, ...sleb(16 * K)]; // i32.const: bytes of taps per step
  // Params (the stereo kernel has a second history pointer B2 and output pointer O2), then
  // locals: made, r, s, s2, end (i32), then v128: K accumulators per channel and the
  // coefficient vector shared by both channels.
  let n = 0;
  const C = n++, TAPS = n++, B = n++, B2 = stereo ? n++ : -1, START = n++, PHASE = n++, L = n++, SI = n++, SF = n++, LAST = n++;
  const O = n++, O2 = stereo ? n++ : -1, MAX = n++;
  const MADE = n++, R = n++, S = n++, S2 = n++, END = n++;
  const A = Array.from({ length: K }, () => n++);
  const Q = Array.from({ length: K }, () => n++);
  const V = n++;
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const taps: number[] = [];
  for (let k = 0; k < K; k++) {
    const a = A[k] as number;
    const q = Q[k] as number;
    if (fused) {
      taps.push(...get(R), ...load(16 * k), ...(stereo ? tee(V) : []), ...get(S), ...load(16 * k), ...get(a), ...vMadd, ...set(a));
      if (stereo) taps.push(...get(V), ...get(S2), ...load(16 * k), ...get(q), ...vMadd, ...set(q));
    } else if (stereo) {
      taps.push(...get(a), ...get(R), ...load(16 * k), ...tee(V), ...get(S), ...load(16 * k), ...vMul, ...vAdd, ...set(a));
      taps.push(...get(q), ...get(V), ...get(S2), ...load(16 * k), ...vMul, ...vAdd, ...set(q));
    } else {
      taps.push(...get(a), ...get(R), ...load(16 * k), ...get(S), ...load(16 * k), ...vMul, ...vAdd, ...set(a));
    }
  }
  /** Sums the accumulators pairwise, then lanes 0…3, and stores at `ptr[made]`. */
  const store = (acc: number[], ptr: number) => [
    ...pairwiseSum(acc.map(get), vAdd),
    ...set(acc[0] as number),
    ...get(ptr), ...get(MADE), ...i32(2), SHL, ADD, // &out[made]
    ...get(acc[0] as number), ...lane(0), ...get(acc[0] as number), ...lane(1), F32_ADD,
    ...get(acc[0] as number), ...lane(2), F32_ADD, ...get(acc[0] as number), ...lane(3), F32_ADD,
    0x38, 0x02, 0x00, // f32.store
  ];
  return [
    0x02, 0x05, 0x7f, 2 * K + 1, 0x7b, // locals: 5 × i32, 2K + 1 × v128
    0x02, 0x40, 0x03, 0x40, // block, loop (outputs)
    ...get(START), ...get(LAST), GT_S, 0x0d, 1, // out of input → done
    ...get(MADE), ...get(MAX), GE_S, 0x0d, 1, // enough output → done
    ...get(C), ...get(PHASE), ...get(TAPS), MUL, ...i32(2), SHL, ADD, ...set(R),
    ...get(B), ...get(START), ...i32(2), SHL, ADD, ...set(S),
    ...(stereo ? [...get(B2), ...get(START), ...i32(2), SHL, ADD, ...set(S2)] : []),
    ...get(R), ...get(TAPS), ...i32(2), SHL, ADD, ...set(END),
    ...zero, ...A.slice(1).flatMap(tee), ...set(A[0] as number), // accumulators = 0
    ...(stereo ? [...zero, ...Q.slice(1).flatMap(tee), ...set(Q[0] as number)] : []),
    0x03, 0x40, // loop (taps, 4K per step)
    ...taps,
    ...get(S), ...STEP, ADD, ...set(S),
    ...(stereo ? [...get(S2), ...STEP, ADD, ...set(S2)] : []),
    ...get(R), ...STEP, ADD, ...tee(R), ...get(END), LT_U, 0x0d, 0,
    0x0b,
    ...store(A, O),
    ...(stereo ? store(Q, O2) : []),
    ...get(MADE), ...i32(1), ADD, ...set(MADE),
    ...get(START), ...get(SI), ADD, ...set(START),
    ...get(PHASE), ...get(SF), ADD, ...tee(PHASE), ...get(L), GE_U,
    0x04, 0x40, ...get(PHASE), ...get(L), SUB, ...set(PHASE), ...get(START), ...i32(1), ADD, ...set(START), 0x0b,
    0x0c, 0, // next output
    0x0b, 0x0b,
    ...get(MADE), 0x0b,
  ];
}
