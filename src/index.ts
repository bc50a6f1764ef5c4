/**
 * Kithara: a browser-first streaming audio SDK.
 *
 * ```js
 * import { Player } from 'kithara';
 * const player = new Player();
 * player.src = 'https://example.com/song.m4a';
 * await player.play();
 * ```
 * @packageDocumentation
 */
import { defineKitharaPlayer, KitharaPlayerElement } from './element/kithara-player.js';

export { Player } from './player/player.js';
export { Resource } from './player/resource.js';
export { cache, CacheApi, type PrefetchOptions } from './player/cache-api.js';
export { KitharaPlayerElement, defineKitharaPlayer };
export { KitharaError, type KitharaErrorCode } from './platform/errors.js';
export { PLAYER_DEFAULTS } from './player/defaults.js';
export { version } from './version.js';
export { debug } from './player/debug.js';
export type { TraceMark } from './platform/trace.js';
export type {
  PlayerOptions,
  ResourceOptions,
  PlayerEventMap,
  PlayerStats,
  FormatInfo,
  VariantInfo,
  VariantChangeDetail,
  NetOptions,
  RetryOptions,
  AbrOptions,
  DecoderChoice,
  CacheChoice,
  CacheSettings,
  CacheEntryInfo,
  CacheUsageInfo,
  CacheEventDetail,
  CacheEventMap,
  PrefetchProgress,
  ResamplerQuality,
} from './player/types.js';

// Registers <kithara-player> where custom elements exist (no-op in Node or workers).
defineKitharaPlayer();
