/**
 * Ahead-of-use preparation of the resampler: designing a 'high' polyphase table and compiling
 * the SIMD kernel costs 10–20 ms the first time in a fresh worker (measured on the start-up
 * timeline, `Kithara.debug`), which would otherwise land between the first decoded packet and the
 * first audio. When a player is made, the engine prepares, one idle task per rate, the tables
 * from the common source rates to the player's output rate, and runs each resampler once over a
 * short block so the kernel is compiled and its JavaScript is warm.
 */
import { Resampler } from './resampler.js';
import type { ResamplerQuality } from './resampler-kernels.js';

/** Source rates prepared for: what nearly every file and stream uses. */
export const COMMON_SOURCE_RATES: readonly number[] = [44100, 48000];

/** Frames run through each prepared resampler. */
const WARM_FRAMES = 1024;

const prepared = new Set<string>();

/**
 * Prepares resampling from the common source rates to `outRate` at `quality`, in idle tasks
 * (returns at once). Repeated calls with the same arguments do nothing.
 */
export function prepareResampling(outRate: number, quality: ResamplerQuality): void {
  if (!Number.isSafeInteger(outRate) || outRate <= 0) return;
  for (const inRate of COMMON_SOURCE_RATES) {
    const key = `${inRate}>${outRate}:${quality}`;
    if (inRate === outRate || prepared.has(key)) continue;
    prepared.add(key);
    setTimeout(() => {
      try {
        const r = new Resampler({ inRate, outRate, channels: 2, quality });
        const input = [new Float32Array(WARM_FRAMES), new Float32Array(WARM_FRAMES)];
        const n = r.outputFramesFor(WARM_FRAMES);
        r.process(input, WARM_FRAMES, [new Float32Array(n), new Float32Array(n)]);
      } catch {
        // Preparation is an optimization; the first open designs what it needs itself.
      }
    }, 0);
  }
}
