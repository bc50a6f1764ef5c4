/** The storage layer: random-access resources, their coverage and waits. */
export { RangeSet, type ByteRange, type RangeSetJSON, type ReadonlyRangeSet } from './range-set.js';
export type { ResourceOpenOptions, ResourceStatus, StorageDriver, StorageResource, WaitOutcome } from './resource.js';
export { ResourceCore } from './resource-core.js';
export { MEMORY_DEFAULTS, MemoryDriver, MemoryResource } from './memory-resource.js';
