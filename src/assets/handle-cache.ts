/**
 * The handle cache (the reference's `CachedAssets`): one open resource per key, shared by
 * every concurrent caller. Each `open` returns its own {@link AssetHandle}; the resource is
 * closed (persisted, handles and locks released) when the last handle is released. An open
 * that arrives while the key is closing waits for the close, so it never races a stale writer.
 */
import type { StorageResource } from '../storage/resource.js';
import type { AssetMode, AssetRequest, Assets, OpenedAsset } from './types.js';

/** A caller's hold on an open asset. */
export interface AssetHandle {
  /** The asset key. */
  readonly key: string;
  /** The URL it was opened for. */
  readonly url: string;
  /** The bytes: hand this to the downloader (`ProgressiveSource` `options.resource`) and the readers. */
  readonly resource: StorageResource;
  /** How the bytes are held at open. */
  readonly mode: AssetMode;
  /** Releases this hold; the last release persists and closes the resource. Idempotent; never rejects. */
  release(): Promise<void>;
}

interface Slot {
  readonly opened: Promise<OpenedAsset>;
  refs: number;
}

/** The handle-cache layer (outermost). */
export class CachedAssets {
  private readonly slots = new Map<string, Slot>();
  private readonly closing = new Map<string, Promise<void>>();

  /**
   * @param onIdle Called after the last handle of a key was released and its resource closed.
   */
  constructor(
    private readonly inner: Assets,
    private readonly onIdle: (key: string) => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Opens `request.key`, sharing an already open resource. */
  async open(request: AssetRequest): Promise<AssetHandle> {
    let slot = this.slots.get(request.key);
    if (slot === undefined) {
      const pendingClose = this.closing.get(request.key);
      const opened = (pendingClose ?? Promise.resolve()).then(() => this.inner.open(request));
      slot = { opened, refs: 0 };
      this.slots.set(request.key, slot);
      opened.catch(() => {
        if (this.slots.get(request.key) === slot) this.slots.delete(request.key);
      });
    }
    slot.refs++;
    let opened: OpenedAsset;
    try {
      opened = await slot.opened;
    } catch (err) {
      slot.refs--;
      throw err;
    }
    const held = slot;
    let released = false;
    return {
      key: request.key,
      url: request.url,
      resource: opened.resource,
      mode: opened.mode,
      release: async () => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.refs > 0 || this.slots.get(request.key) !== held) return;
        this.slots.delete(request.key);
        const done = opened
          .close()
          .catch(() => undefined)
          .then(() => this.onIdle(request.key))
          .catch(() => undefined)
          .finally(() => {
            if (this.closing.get(request.key) === done) this.closing.delete(request.key);
          });
        this.closing.set(request.key, done);
        await done;
      },
    };
  }

  /** `true` while `key` has handles. */
  isOpen(key: string): boolean {
    return this.slots.has(key);
  }

  /** Waits for every close in progress. */
  async idle(): Promise<void> {
    await Promise.all([...this.closing.values()]);
  }

  /** Deletes `key` below the cache. */
  remove(key: string): Promise<boolean> {
    if (this.slots.has(key)) return Promise.resolve(false);
    return (this.closing.get(key) ?? Promise.resolve()).then(() => this.inner.remove(key));
  }
}
