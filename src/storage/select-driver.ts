/**
 * Maps the `cache` option to a driver: `'auto'` = OPFS, else IndexedDB, else memory;
 * `'none'` = memory (the assets layer also forgets each resource once released).
 * A requested backend that is missing or refuses to work (e.g. private browsing) degrades to
 * the next one; `fellBack` says so.
 */
import { MemoryDriver } from './memory-resource.js';
import { createIdbDriver, hasIndexedDb } from './idb-driver.js';
import { OpfsDriver, hasOpfs } from './opfs-driver.js';
import type { PersistentDriverOptions } from './chunked-driver.js';
import type { StorageDriver } from './resource.js';

/** The `cache` option: which backend holds downloaded bytes. */
export type CacheMode = 'auto' | 'opfs' | 'indexeddb' | 'memory' | 'none';

/** The cache modes, for option checks. */
export const CACHE_MODES: readonly CacheMode[] = ['auto', 'opfs', 'indexeddb', 'memory', 'none'];

/** Options of {@link selectDriver}. */
export interface SelectDriverOptions extends PersistentDriverOptions {
  /** OPFS directory and IndexedDB database name. Defaults to `'kithara-cache'`. */
  name?: string;
}

/** The chosen driver and whether it is not the one asked for. */
export interface SelectedDriver {
  readonly driver: StorageDriver;
  /** `true` when the requested backend was unavailable and a later one was chosen. */
  readonly fellBack: boolean;
}

async function probeOpfs(options: SelectDriverOptions): Promise<StorageDriver | undefined> {
  if (!hasOpfs()) return undefined;
  try {
    const driver = new OpfsDriver({ ...options, ...(options.name !== undefined && { directory: options.name }) });
    await driver.dir();
    return driver;
  } catch {
    return undefined;
  }
}

async function probeIdb(options: SelectDriverOptions): Promise<StorageDriver | undefined> {
  if (!hasIndexedDb()) return undefined;
  try {
    const driver = createIdbDriver({ ...options, ...(options.name !== undefined && { database: options.name }) });
    await driver.keys();
    return driver;
  } catch {
    return undefined;
  }
}

/** Picks the driver for `mode`, probing that it works. Never rejects: memory is always there. */
export async function selectDriver(mode: CacheMode, options: SelectDriverOptions = {}): Promise<SelectedDriver> {
  if (!CACHE_MODES.includes(mode)) throw new TypeError(`options.cache, when provided, must be one of ${CACHE_MODES.join(', ')}.`);
  if (mode === 'memory' || mode === 'none') return { driver: new MemoryDriver(), fellBack: false };
  if (mode === 'auto' || mode === 'opfs') {
    const opfs = await probeOpfs(options);
    if (opfs !== undefined) return { driver: opfs, fellBack: false };
  }
  const idb = await probeIdb(options);
  if (idb !== undefined) return { driver: idb, fellBack: mode === 'opfs' };
  return { driver: new MemoryDriver(), fellBack: mode !== 'auto' };
}
