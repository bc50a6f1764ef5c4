/**
 * Ahead-of-use preparation of the resampler for players: designing a 'high' polyphase table and
 * getting the SIMD kernel optimized costs 10–20 ms the first time in a fresh worker (measured on
 * the start-up timeline, `Kithara.debug`), which would otherwise land between the first decoded
 * packet and the first audio. When a player is made, the engine runs {@link prepareResampler},
 * one idle task per rate, from the common source rates to the player's output rate.
 */
import { prepareResampler } from './resampler.js';
import type { ResamplerQuality } from './resampler-kernels.js';

/** Source rates prepared for: what nearly every file and stream uses. */
export const COMMON_SOURCE_RATES: readonly number[] = [44100, 48000];

/**
 * Prepares resampling from the common source rates to `outRate` at `quality`, in idle tasks
 * (returns at once). Repeated calls cost nothing (the tables are cached, the warm-up runs once).
 */
export function prepareResampling(outRate: number, quality: ResamplerQuality): void {
  if (!Number.isSafeInteger(outRate) || outRate <= 0) return;
  for (const inRate of COMMON_SOURCE_RATES) {
    if (inRate === outRate) continue;
    setTimeout(() => {
      try {
        prepareResampler(inRate, outRate, quality);
      } catch {
        // Preparation is an optimization; the first open designs what it needs itself.
      }
    }, 0);
  }
}
