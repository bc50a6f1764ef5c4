/**
 * Per-key locks across pages (Web Locks, `navigator.locks`), so two tabs never corrupt an asset.
 *
 * Two lock names per key:
 * - `kithara-w:<key>`, exclusive, taken with `ifAvailable` by the page that writes the key. A page
 *   that cannot get it opens the key as a read-only snapshot (see `AssetMode`).
 * - `kithara-u:<key>`, held SHARED by every page that has the key open, and EXCLUSIVE (with
 *   `ifAvailable`) by a page deleting it, so nothing is deleted while another page uses it, and an
 *   open waits for a deletion in progress to finish.
 *
 * Where Web Locks are missing (Node, old browsers), {@link localLocks} grants everything: there is
 * one page, and the handle cache already keeps one open resource per key.
 */

/** Releases a held lock. */
export type Release = () => void;

/** The lock operations the assets layer needs. */
export interface KeyLocks {
  /** Becomes the writer of `key`; `undefined` when another holder has it. */
  tryWrite(key: string): Promise<Release | undefined>;
  /** Marks `key` in use (shared); waits while a deletion holds it. */
  use(key: string): Promise<Release>;
  /** Exclusive use for deletion; `undefined` when someone uses the key. */
  tryDelete(key: string): Promise<Release | undefined>;
}

/** Locks that are always granted (a single page). */
export const localLocks: KeyLocks = {
  tryWrite: () => Promise.resolve(() => undefined),
  use: () => Promise.resolve(() => undefined),
  tryDelete: () => Promise.resolve(() => undefined),
};

/** The part of `LockManager` used here. */
export interface LockManagerLike {
  request(name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<unknown>): Promise<unknown>;
}

function hold(locks: LockManagerLike, name: string, options: LockOptions): Promise<Release | undefined> {
  return new Promise<Release | undefined>((resolve, reject) => {
    locks
      .request(name, options, (lock) => {
        if (lock === null) {
          resolve(undefined);
          return Promise.resolve();
        }
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}

/** {@link KeyLocks} over Web Locks. */
export function webLocks(locks: LockManagerLike, prefix = 'kithara'): KeyLocks {
  return {
    tryWrite: (key) => hold(locks, `${prefix}-w:${key}`, { mode: 'exclusive', ifAvailable: true }),
    use: async (key) => (await hold(locks, `${prefix}-u:${key}`, { mode: 'shared' }))!,
    tryDelete: (key) => hold(locks, `${prefix}-u:${key}`, { mode: 'exclusive', ifAvailable: true }),
  };
}

/** Web Locks when the platform has them, else {@link localLocks}. */
export function defaultLocks(): KeyLocks {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks !== undefined ? webLocks(nav.locks) : localLocks;
}
