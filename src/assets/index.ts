/** The assets layer: keys, the decorator chain over storage drivers, and cache management. */
export { ASSETS_DEFAULTS, AssetStore, type AssetEvent, type AssetOpenOptions, type AssetStoreOptions, type CacheEntry, type CacheUsage } from './asset-store.js';
export type { AssetHandle } from './handle-cache.js';
export type { AssetMode, AssetRequest, Assets, OpenedAsset } from './types.js';
export { ASSET_KEY_LENGTH, assetIdentity, assetKey, canonicalUrl, isAssetKey, memoizeKeyFn, sha256Hex, type AssetKeyOptions, type AssetRange } from './keys.js';
export { selectVictims, type LruEntry, type LruLimits } from './lru.js';
export { AssetIndex, INDEX_DEFAULTS, type IndexEntry } from './asset-index.js';
export { defaultLocks, localLocks, webLocks, type KeyLocks, type LockManagerLike, type Release } from './locks.js';
export { ProcessedResource, type ProcessInput, type ReadProcessor } from './processing.js';
export { PinSet } from './leases.js';
export { CachedAssets } from './handle-cache.js';
export { EvictAssets, type EvictReason } from './evict.js';
export { BackendAssets } from './backend.js';
