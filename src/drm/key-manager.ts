/**
 * Fetches, checks, imports and caches AES-128 keys by URI (the key half of the reference's
 * `kithara-hls::keys::KeyManager`). One request per URI at a time; callers asking for a key that is
 * already on its way share that request.
 */
import { isAbortError, KitharaError } from '../platform/errors.js';
import { AES_BLOCK, importAesKey } from './aes-cbc.js';

/** Supplies the raw bytes of a key. Must reject with a KitharaError (e.g. `http` 404) on failure. */
export type KeySource = (uri: string, signal: AbortSignal) => Promise<Uint8Array>;

/** Options of {@link KeyManager}. */
export interface KeyManagerOptions {
  /**
   * Fetches a key over the network, with the user's headers and credentials (the caller builds it
   * on its Net). Required.
   */
  fetchKey: KeySource;
  /**
   * When set, supplies every key instead of the network (e.g. keys from a licence service or a
   * test). Defaults to none.
   */
  keyLoader?: KeySource;
  /** Keys kept; the least recently used is dropped beyond this. Defaults to {@link DRM_DEFAULTS}.maxCachedKeys. */
  maxCachedKeys?: number;
}

/** Defaults of the drm layer. */
export const DRM_DEFAULTS = {
  /**
   * Defaults to 64 keys: far more than one playlist window uses, even with a key per segment, while
   * a long live session with key rotation cannot grow without bound.
   */
  maxCachedKeys: 64,
} as const;

interface Pending {
  readonly promise: Promise<CryptoKey>;
  readonly controller: AbortController;
  waiters: number;
}

/** Key cache of one resource. Failed requests are not cached: the next `getKey` retries. */
export class KeyManager {
  private readonly fetchKey: KeySource;
  private readonly keyLoader: KeySource | undefined;
  private readonly maxKeys: number;
  private readonly keys = new Map<string, CryptoKey>();
  private readonly pending = new Map<string, Pending>();

  constructor(options: KeyManagerOptions) {
    if (typeof options.fetchKey !== 'function') throw new TypeError('options.fetchKey must be a function.');
    if (options.keyLoader !== undefined && typeof options.keyLoader !== 'function') {
      throw new TypeError('options.keyLoader, when provided, must be a function.');
    }
    const max = options.maxCachedKeys ?? DRM_DEFAULTS.maxCachedKeys;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new TypeError('options.maxCachedKeys, when provided, must be an integer from 1.');
    }
    this.fetchKey = options.fetchKey;
    this.keyLoader = options.keyLoader;
    this.maxKeys = max;
  }

  /**
   * The imported key at `uri`, from the cache or loaded once. Rejects with the loader's
   * KitharaError (e.g. `http` with `status`), `decrypt` for a key that is not 16 bytes, or
   * `aborted` when `signal` fires. Aborting one caller aborts the request only when no other caller
   * still waits for it.
   */
  getKey(uri: string, signal?: AbortSignal): Promise<CryptoKey> {
    const cached = this.keys.get(uri);
    if (cached !== undefined) {
      this.keys.delete(uri); // most recently used goes last
      this.keys.set(uri, cached);
      return Promise.resolve(cached);
    }
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const entry = this.pending.get(uri) ?? this.load(uri);
    entry.waiters += 1;
    if (signal === undefined) return entry.promise;
    return new Promise<CryptoKey>((resolve, reject) => {
      const onAbort = (): void => {
        entry.waiters -= 1;
        if (entry.waiters === 0 && this.pending.get(uri) === entry) {
          this.pending.delete(uri);
          entry.controller.abort(abortError(signal));
        }
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (key) => {
          signal.removeEventListener('abort', onAbort);
          resolve(key);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  /** `true` when the key at `uri` is cached. */
  has(uri: string): boolean {
    return this.keys.has(uri);
  }

  /** Number of cached keys. */
  get size(): number {
    return this.keys.size;
  }

  /** Aborts every request and forgets every key. */
  close(): void {
    for (const entry of this.pending.values()) {
      entry.controller.abort(new KitharaError('aborted', 'The key manager was closed.'));
    }
    this.pending.clear();
    this.keys.clear();
  }

  private load(uri: string): Pending {
    const controller = new AbortController();
    const source = this.keyLoader ?? this.fetchKey;
    const via = this.keyLoader === undefined ? 'network' : 'keyLoader';
    const promise = (async (): Promise<CryptoKey> => {
      let raw: Uint8Array;
      try {
        raw = await source(uri, controller.signal);
      } catch (err) {
        throw loadError(err, uri, via);
      }
      if (!(raw instanceof Uint8Array) || raw.length !== AES_BLOCK) {
        const size = raw instanceof Uint8Array ? raw.length : 'not';
        throw new KitharaError('decrypt', `key at ${uri} is ${size} bytes, expected 16`, { url: uri });
      }
      return importAesKey(raw);
    })();
    const entry: Pending = { promise, controller, waiters: 0 };
    this.pending.set(uri, entry);
    promise.then(
      (key) => {
        if (this.pending.get(uri) !== entry) return; // aborted or closed meanwhile
        this.pending.delete(uri);
        this.remember(uri, key);
      },
      () => {
        if (this.pending.get(uri) === entry) this.pending.delete(uri);
      },
    );
    return entry;
  }

  private remember(uri: string, key: CryptoKey): void {
    this.keys.set(uri, key);
    while (this.keys.size > this.maxKeys) {
      const oldest = this.keys.keys().next();
      if (oldest.done === true) break;
      this.keys.delete(oldest.value);
    }
  }
}

function loadError(err: unknown, uri: string, via: 'network' | 'keyLoader'): KitharaError {
  if (err instanceof KitharaError) return err;
  if (isAbortError(err)) return new KitharaError('aborted', 'The operation was aborted.', { url: uri, cause: err });
  const message = err instanceof Error ? err.message : String(err);
  const code = via === 'network' ? 'network' : 'decrypt';
  return new KitharaError(code, `could not load the key at ${uri} (${via}): ${message}`, { url: uri, cause: err });
}

function abortError(signal: AbortSignal): KitharaError {
  const reason: unknown = signal.reason;
  return reason instanceof KitharaError ? reason : new KitharaError('aborted', 'The operation was aborted.', { cause: reason });
}
