/** The storage layer: random-access resources, their coverage and waits, and their drivers. */
export { RangeSet, type ByteRange, type RangeSetJSON, type ReadonlyRangeSet } from './range-set.js';
export type {
  JsonSlot,
  ResourceOpenOptions,
  ResourceStatus,
  StorageDriver,
  StorageEvent,
  StorageHooks,
  StorageResource,
  StoredEntryInfo,
  WaitOutcome,
} from './resource.js';
export { ResourceCore } from './resource-core.js';
export { MEMORY_DEFAULTS, MemoryDriver, MemoryResource } from './memory-resource.js';
export { FakeQuota, MemoryByteStore, isQuotaError, quotaError, type ByteStore, type MetaStore } from './byte-store.js';
export { STORED_DEFAULTS, StoredResource, type StoredMode, type StoredResourceOptions } from './stored-resource.js';
export { CHUNKED_DEFAULTS, ChunkedDriver, type ChunkedDriverOptions, type PersistentDriverOptions } from './chunked-driver.js';
export { MapKv, type KvBackend, type KvKey } from './kv.js';
export { IDB_DEFAULTS, createIdbDriver, hasIndexedDb, idbKv, type IdbDriverOptions } from './idb-driver.js';
export { OPFS_DEFAULTS, OpfsDriver, hasOpfs, type OpfsDriverOptions } from './opfs-driver.js';
export { CACHE_MODES, selectDriver, type CacheMode, type SelectDriverOptions, type SelectedDriver } from './select-driver.js';
export { measureOpfsWriteThroughput, type OpfsThroughput, type OpfsThroughputOptions } from './opfs-bench.js';
