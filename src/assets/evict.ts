/**
 * Eviction (the reference's `EvictAssets`): keeps the cache within `maxBytes` and `maxEntries`,
 * least recently used first, never touching a pinned key (what is playing) nor one another
 * page has open. Limits are enforced when a key is opened, when a persisted size update or a
 * close shows the cache over its byte cap, and on demand when a write hits the quota.
 * The caps are soft: pinned entries may exceed them.
 */
import type { StorageResource } from '../storage/resource.js';
import type { AssetIndex } from './asset-index.js';
import { selectVictims, type LruLimits } from './lru.js';
import type { AssetRequest, Assets, OpenedAsset } from './types.js';

/** Why an entry was evicted. */
export type EvictReason = 'limit' | 'quota';

/** What the eviction layer needs from outside. */
export interface EvictDeps {
  readonly index: AssetIndex;
  readonly limits: LruLimits;
  /** `true` for keys that must stay (pinned by a lease). */
  isPinned(key: string): boolean;
  /** Wall-clock time for last access (epoch ms). */
  now(): number;
  /** Told after each eviction. */
  onEvicted(key: string, url: string, bytes: number, reason: EvictReason): void;
}

/** The eviction layer. */
export class EvictAssets implements Assets {
  private readonly live = new Map<string, StorageResource>();
  private running: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly inner: Assets,
    private readonly deps: EvictDeps,
  ) {}

  async open(request: AssetRequest): Promise<OpenedAsset> {
    this.deps.index.touch(request.key, request.url, this.deps.now());
    await this.enforce('limit', 0, request.key);
    const opened = await this.inner.open(request);
    this.live.set(request.key, opened.resource);
    this.refresh(request.key, opened.resource);
    return {
      ...opened,
      close: async () => {
        try {
          await opened.close();
        } finally {
          this.refresh(request.key, opened.resource);
          this.live.delete(request.key);
        }
        if (this.deps.index.totalBytes > this.deps.limits.maxBytes) await this.enforce('limit', 0);
      },
    };
  }

  /** Takes a size from a live resource into the index. */
  private refresh(key: string, res: StorageResource): void {
    this.deps.index.update(key, res.available.coveredBytes, res.length, res.status === 'committed');
  }

  /** Records a durable size reported by storage; enforces the byte cap when it is passed. */
  noteStored(key: string, bytes: number, length: number | undefined, complete: boolean): void {
    this.deps.index.update(key, bytes, length, complete);
    if (this.deps.index.totalBytes > this.deps.limits.maxBytes) void this.enforce('limit', 0);
  }

  /**
   * Evicts until the limits hold, with `reclaimBytes` to spare; `keep` is never evicted.
   * Runs one pass at a time. Resolves the bytes freed; never rejects.
   */
  enforce(reason: EvictReason, reclaimBytes: number, keep?: string): Promise<number> {
    const run = this.running.then(() => this.pass(reason, reclaimBytes, keep));
    this.running = run.catch(() => 0);
    return this.running;
  }

  private async pass(reason: EvictReason, reclaimBytes: number, keep: string | undefined): Promise<number> {
    for (const [key, res] of this.live) this.refresh(key, res);
    const index = this.deps.index;
    const victims = selectVictims(index.all(), this.deps.limits, (k) => k === keep || this.deps.isPinned(k) || this.live.has(k), reclaimBytes);
    let freed = 0;
    for (const key of victims) {
      const entry = index.get(key);
      let removed = false;
      try {
        removed = await this.inner.remove(key);
      } catch {
        removed = false;
      }
      if (!removed) continue; // in use elsewhere: skip it
      index.delete(key);
      freed += entry?.bytes ?? 0;
      this.deps.onEvicted(key, entry?.url ?? '', entry?.bytes ?? 0, reason);
    }
    return freed;
  }

  /** Waits for the eviction passes in progress. Never rejects. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Frees room after a quota failure. Resolves `true` when something was evicted. */
  async reclaim(key: string, bytesNeeded: number, minimum: number): Promise<boolean> {
    const before = this.deps.index.size;
    await this.enforce('quota', Math.max(bytesNeeded, minimum), key);
    return this.deps.index.size < before;
  }

  async remove(key: string): Promise<boolean> {
    const removed = await this.inner.remove(key);
    if (removed) this.deps.index.delete(key);
    return removed;
  }
}
