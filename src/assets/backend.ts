/**
 * The innermost layer: opens resources from a {@link StorageDriver} under the key's locks.
 *
 * - Persistent drivers: the page that gets the writer lock opens the key for writing; any other
 *   page opens a read-only snapshot (durable bytes from storage, new bytes in memory, nothing
 *   persisted). Every open holds the key's shared "in use" lock until closed.
 * - A driver that fails to open a key (storage refused, handles unavailable) yields a memory
 *   resource and a `fallback` event: playback never stops because of the cache.
 */
import { mark } from '../platform/trace.js';
import { KitharaError } from '../platform/errors.js';
import { MemoryResource } from '../storage/memory-resource.js';
import type { StorageDriver, StorageEvent, StorageHooks, StorageResource } from '../storage/resource.js';
import type { AssetMode, AssetRequest, Assets, OpenedAsset } from './types.js';
import type { KeyLocks, Release } from './locks.js';

function modeOf(resource: StorageResource, persistent: boolean): AssetMode {
  const m = (resource as { mode?: unknown }).mode;
  if (m === 'persistent' || m === 'snapshot' || m === 'memory') return m;
  return persistent ? 'persistent' : 'memory';
}

/** Opens resources from a driver. */
export class BackendAssets implements Assets {
  constructor(
    private readonly driver: StorageDriver,
    private readonly locks: KeyLocks,
    private readonly hooks: StorageHooks,
  ) {}

  private emit(event: StorageEvent): void {
    try {
      this.hooks.onEvent?.(event);
    } catch {
      // Listeners never break the cache.
    }
  }

  async open(request: AssetRequest): Promise<OpenedAsset> {
    const persistent = this.driver.persistent === true;
    const releases: Release[] = [];
    let resource: StorageResource;
    try {
      // Both locks are asked for at once (each is a round trip to the browser): the writer lock
      // does not depend on the use lock, and the files are opened only once both are settled.
      let writer: Release | undefined;
      if (persistent) {
        const [use, write] = await Promise.allSettled([this.locks.use(request.key), this.locks.tryWrite(request.key)]);
        if (use.status === 'fulfilled') releases.push(use.value);
        if (write.status === 'fulfilled' && write.value !== undefined) releases.push((writer = write.value));
        if (use.status === 'rejected') throw use.reason;
        if (write.status === 'rejected') throw write.reason;
      }
      mark('assets:locks');
      resource = await this.driver.open(request.key, {
        ...(request.length !== undefined && { length: request.length }),
        label: request.url,
        readOnly: persistent && writer === undefined,
        hooks: this.hooks,
      });
    } catch (err) {
      for (const r of releases) r();
      if (!persistent) throw err;
      this.emit({ type: 'fallback', key: request.key, reason: 'error', error: err });
      return { key: request.key, resource: new MemoryResource(request.key, request.length === undefined ? {} : { length: request.length }), mode: 'memory', close: () => Promise.resolve() };
    }
    let closed = false;
    return {
      key: request.key,
      resource,
      mode: modeOf(resource, persistent),
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await resource.close?.();
        } finally {
          for (const r of releases.reverse()) r();
        }
      },
    };
  }

  async remove(key: string): Promise<boolean> {
    if (this.driver.persistent !== true) {
      await this.driver.remove(key);
      return true;
    }
    const release = await this.locks.tryDelete(key);
    if (release === undefined) return false;
    try {
      await this.driver.remove(key);
      return true;
    } catch (err) {
      throw err instanceof KitharaError ? err : new KitharaError('storage', `cannot remove ${key}`, { cause: err, fatal: false });
    } finally {
      release();
    }
  }
}
