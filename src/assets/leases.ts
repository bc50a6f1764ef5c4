/**
 * Leases (the reference's `LeaseAssets`): every open pins its key until closed, and the
 * eviction layer never evicts a pinned key, so what is playing stays. Pins are counted (one
 * key may be opened by several layers' callers) and live in memory: other pages' use is
 * protected by the "in use" Web Lock instead (locks.ts).
 */
import type { AssetRequest, Assets, OpenedAsset } from './types.js';

/** Counted pins by key. */
export class PinSet {
  private readonly counts = new Map<string, number>();

  /** Adds a pin. */
  pin(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Removes a pin. */
  unpin(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  /** `true` while any pin holds `key`. */
  has(key: string): boolean {
    return this.counts.has(key);
  }

  /** Pinned keys. */
  keys(): string[] {
    return [...this.counts.keys()];
  }
}

/** The lease layer. */
export class LeaseAssets implements Assets {
  constructor(
    private readonly inner: Assets,
    private readonly pins: PinSet,
  ) {}

  async open(request: AssetRequest): Promise<OpenedAsset> {
    this.pins.pin(request.key);
    let opened: OpenedAsset;
    try {
      opened = await this.inner.open(request);
    } catch (err) {
      this.pins.unpin(request.key);
      throw err;
    }
    let released = false;
    return {
      ...opened,
      close: async () => {
        if (released) return;
        released = true;
        try {
          await opened.close();
        } finally {
          this.pins.unpin(request.key);
        }
      },
    };
  }

  remove(key: string): Promise<boolean> {
    if (this.pins.has(key)) return Promise.resolve(false);
    return this.inner.remove(key);
  }
}
