/** Shared test helpers for the ring: a seeded PRNG and sentinel PCM. */

/** mulberry32: a small deterministic PRNG; returns floats in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi]. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Sentinel value of frame `index` in channel `c`: exact in Float32 (below 2^24), distinct per channel. */
export function sentinel(index: number, c: number): number {
  const v = index % 16777216;
  return c === 0 ? v : -v - c * 0.25;
}

/** Planar buffers holding frames `start .. start + frames` of the sentinel sequence. */
export function sentinelPlanes(channels: number, start: number, frames: number): Float32Array[] {
  const planes: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const p = new Float32Array(frames);
    for (let i = 0; i < frames; i++) p[i] = sentinel(start + i, c);
    planes.push(p);
  }
  return planes;
}

/** Fresh output channel arrays (a fake render quantum). */
export function outputs(channels: number, frames = 128): Float32Array[] {
  return Array.from({ length: channels }, () => new Float32Array(frames));
}
