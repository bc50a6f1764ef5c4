/**
 * The IndexedDB driver: the chunked driver (chunked-driver.ts) over idb-keyval. One database
 * (`kithara-cache` by default) with one object store; keys are arrays (see kv.ts).
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { KvBackend, KvKey } from './kv.js';
import { ChunkedDriver, type ChunkedDriverOptions } from './chunked-driver.js';

/** Defaults of the IndexedDB driver. */
export const IDB_DEFAULTS = {
  /** Database name. Defaults to `'kithara-cache'`. */
  database: 'kithara-cache',
  /** Object store name. Defaults to `'assets'`. */
  store: 'assets',
} as const;

function prefixRange(prefix: KvKey): IDBKeyRange {
  // Arrays sort after every string and number, so `[...prefix, []]` bounds every extension.
  return IDBKeyRange.bound(prefix, [...prefix, []]);
}

/** A {@link KvBackend} on IndexedDB through idb-keyval. */
export function idbKv(database: string = IDB_DEFAULTS.database, storeName: string = IDB_DEFAULTS.store): KvBackend {
  const store: UseStore = createStore(database, storeName);
  return {
    get: (key) => store('readonly', (s) => promisifyRequest(s.get(key))),
    getMany: (keys) => store('readonly', (s) => Promise.all(keys.map((k) => promisifyRequest(s.get(k))))),
    setMany: (entries) =>
      store('readwrite', (s) => {
        for (const [k, v] of entries) s.put(v, k);
        return promisifyRequest(s.transaction);
      }),
    removePrefixes: (prefixes) =>
      store('readwrite', (s) => {
        for (const p of prefixes) s.delete(prefixRange(p));
        return promisifyRequest(s.transaction);
      }),
    keys: (prefix) => store('readonly', (s) => promisifyRequest(s.getAllKeys(prefixRange(prefix)))) as Promise<KvKey[]>,
  };
}

/** `true` where IndexedDB exists. */
export function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined' && typeof IDBKeyRange !== 'undefined';
}

/** Options of {@link createIdbDriver}. */
export interface IdbDriverOptions extends ChunkedDriverOptions {
  /** Defaults to {@link IDB_DEFAULTS.database}. */
  database?: string;
}

/** The IndexedDB driver. */
export function createIdbDriver(options: IdbDriverOptions = {}): ChunkedDriver {
  return new ChunkedDriver(idbKv(options.database), options);
}
