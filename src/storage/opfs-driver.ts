/**
 * The OPFS driver: each resource is one file `<key>.data` in a directory of the origin private
 * file system (`kithara-cache` by default), with its coverage record in `<key>.i0` / `<key>.i1`
 * (two slots written in turn). The assets index lives in `_index.0` / `_index.1`.
 *
 * In a dedicated worker the files are written through `FileSystemSyncAccessHandle`s (fast,
 * synchronous); elsewhere through `createWritable` (write-back, committed on flush).
 * Keys must be file-name safe (`[A-Za-z0-9_-]`, at most 100 characters): asset keys are hex hashes.
 */
import { mark } from '../platform/trace.js';
import { KitharaError } from '../platform/errors.js';
import { QuotaStore, type ByteStore, type MetaStore } from './byte-store.js';
import { entryInfo, type PersistentDriverOptions } from './chunked-driver.js';
import { OpfsAsyncStore, OpfsJsonSlot, OpfsSlots, OpfsSyncStore, hasSyncAccessHandles, openSyncHandle } from './opfs-store.js';
import type { JsonSlot, ResourceOpenOptions, StorageDriver, StoredEntryInfo } from './resource.js';
import { StoredResource, type StoredResourceOptions } from './stored-resource.js';
import { MemoryByteStore } from './byte-store.js';

/** Defaults of the OPFS driver. */
export const OPFS_DEFAULTS = {
  /** Directory under the OPFS root. Defaults to `'kithara-cache'`. */
  directory: 'kithara-cache',
  /**
   * Coverage update interval in bytes when writing through `createWritable` (each flush
   * rewrites the file through a swap copy, so it is kept rarer). Defaults to 8 MiB.
   */
  asyncIndexEveryBytes: 8 * 1024 * 1024,
} as const;

/** Options of {@link OpfsDriver}. */
export interface OpfsDriverOptions extends PersistentDriverOptions {
  /** Defaults to {@link OPFS_DEFAULTS.directory}. */
  directory?: string;
  /** `'sync'` (access handles), `'async'` (`createWritable`), `'auto'`: sync where available. Defaults to `'auto'`. */
  access?: 'auto' | 'sync' | 'async';
}

const SAFE_KEY = /^[A-Za-z0-9_-]{1,100}$/;

/** `true` where the origin private file system exists (it may still refuse, e.g. in private modes). */
export function hasOpfs(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'NotFoundError';
}

/** The OPFS {@link StorageDriver}. */
export class OpfsDriver implements StorageDriver {
  readonly kind = 'opfs';
  readonly persistent = true;
  readonly index: JsonSlot;
  /** `'sync'` or `'async'`: how files are written. */
  readonly access: 'sync' | 'async';
  private dirPromise: Promise<FileSystemDirectoryHandle> | undefined;

  constructor(private readonly options: OpfsDriverOptions = {}) {
    const access = options.access ?? 'auto';
    this.access = access === 'auto' ? (hasSyncAccessHandles() ? 'sync' : 'async') : access;
    this.index = new OpfsJsonSlot(async () => {
      const dir = await this.dir();
      return Promise.all([dir.getFileHandle('_index.0', { create: true }), dir.getFileHandle('_index.1', { create: true })]);
    });
  }

  /** The cache directory (created on first use). */
  dir(): Promise<FileSystemDirectoryHandle> {
    this.dirPromise ??= navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(this.options.directory ?? OPFS_DEFAULTS.directory, { create: true }));
    return this.dirPromise;
  }

  private checkKey(key: string): void {
    if (!SAFE_KEY.test(key)) throw new KitharaError('storage', `OPFS keys must match ${SAFE_KEY.source}: ${JSON.stringify(key)}`);
  }

  /**
   * The key's three files: the handles met when the directory was listed (see {@link keys}), or
   * from the directory (created when missing). `fresh` skips what was met.
   */
  private async files(key: string, fresh: boolean): Promise<[FileSystemFileHandle, FileSystemFileHandle, FileSystemFileHandle]> {
    const names = [`${key}.data`, `${key}.i0`, `${key}.i1`];
    const met = names.map((n) => this.met.get(n));
    if (!fresh && met.every((h) => h !== undefined)) return met as [FileSystemFileHandle, FileSystemFileHandle, FileSystemFileHandle];
    const dir = await this.dir();
    const files = await Promise.all(names.map((n) => dir.getFileHandle(n, { create: true })));
    names.forEach((n, i) => this.met.set(n, files[i]!));
    return files as [FileSystemFileHandle, FileSystemFileHandle, FileSystemFileHandle];
  }

  /**
   * File handles met while listing the directory or opening keys, by file name: opening a
   * stored key then costs no `getFileHandle` round trip (one of the two between a warm load and
   * its first byte). A handle names a path, so a file another page replaced is still found; one
   * it removed fails to open with `NotFoundError`, and the open asks the directory again.
   */
  private readonly met = new Map<string, FileSystemFileHandle>();

  /** Opens the three files' sync handles, or closes what opened and rethrows. */
  private async openSync(files: readonly FileSystemFileHandle[]): Promise<FileSystemSyncAccessHandle[]> {
    const handles: FileSystemSyncAccessHandle[] = [];
    // In parallel: each open is a round trip to the browser's storage service.
    const opened = await Promise.allSettled(files.map((f) => openSyncHandle(f)));
    for (const o of opened) if (o.status === 'fulfilled') handles.push(o.value);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed !== undefined) {
      for (const h of handles) h.close();
      throw failed.reason;
    }
    return handles;
  }

  async open(key: string, options: ResourceOpenOptions = {}): Promise<StoredResource> {
    this.checkKey(key);
    let files = await this.files(key, this.access !== 'sync');
    mark('opfs:files');
    let store: ByteStore;
    let meta: MetaStore;
    if (this.access === 'sync') {
      let handles: FileSystemSyncAccessHandle[];
      try {
        try {
          handles = await this.openSync(files);
        } catch (err) {
          // A handle met earlier whose file another page removed since: ask the directory.
          if (!isNotFound(err)) throw err;
          files = await this.files(key, true);
          handles = await this.openSync(files);
        }
      } catch (err) {
        if (options.readOnly !== true) throw new KitharaError('storage', `cannot open ${key} in OPFS`, { cause: err });
        // A reader that cannot share the file (an exclusive writer elsewhere) starts empty, in memory.
        return StoredResource.open(key, new MemoryByteStore(), emptyMeta, this.resourceOptions(options));
      }
      mark('opfs:sync');
      store = new OpfsSyncStore(handles[0]!);
      meta = new OpfsSlots([files[1], files[2]], [handles[1]!, handles[2]!]);
    } else {
      store = new OpfsAsyncStore(files[0]);
      meta = new OpfsSlots([files[1], files[2]], undefined);
    }
    const quota = this.options.quota;
    if (quota !== undefined) store = new QuotaStore(store, quota, key);
    const res = await StoredResource.open(key, store, meta, this.resourceOptions(options));
    quota?.track(key, (await store.size()) ?? 0);
    return res;
  }

  private resourceOptions(o: ResourceOpenOptions): StoredResourceOptions {
    const d = this.options;
    const everyBytes = d.indexEveryBytes ?? (this.access === 'async' ? OPFS_DEFAULTS.asyncIndexEveryBytes : undefined);
    return {
      ...(d.clock !== undefined && { clock: d.clock }),
      ...(d.now !== undefined && { now: d.now }),
      ...(everyBytes !== undefined && { indexEveryBytes: everyBytes }),
      ...(d.indexEveryMs !== undefined && { indexEveryMs: d.indexEveryMs }),
      ...(o.hooks !== undefined && { hooks: o.hooks }),
      ...(o.label !== undefined && { label: o.label }),
      ...(o.readOnly !== undefined && { readOnly: o.readOnly }),
      ...(o.length !== undefined && { length: o.length }),
    };
  }

  /**
   * Deletes the key's files: the coverage slots first, so a crash part-way leaves at worst
   * bytes without a record (an empty resource), never a record without bytes.
   */
  async remove(key: string): Promise<void> {
    this.checkKey(key);
    const dir = await this.dir();
    for (const name of [`${key}.i0`, `${key}.i1`, `${key}.data`]) {
      this.met.delete(name);
      try {
        await dir.removeEntry(name);
      } catch (err) {
        if (!isNotFound(err)) throw new KitharaError('storage', `cannot remove ${name}`, { cause: err, fatal: false });
      }
    }
    this.options.quota?.release(key);
  }

  async keys(): Promise<string[]> {
    const dir = await this.dir();
    const out: string[] = [];
    // Values, not names: the handles come with the listing, and opens reuse them (see `met`).
    for await (const handle of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
      const name = handle.name;
      if (handle.kind === 'file' && /\.(?:data|i0|i1)$/.test(name)) this.met.set(name, handle as FileSystemFileHandle);
      if (name.endsWith('.data')) out.push(name.slice(0, -5));
    }
    return out.sort();
  }

  async inspect(key: string): Promise<StoredEntryInfo | undefined> {
    this.checkKey(key);
    const dir = await this.dir();
    try {
      const files = await Promise.all([dir.getFileHandle(`${key}.i0`), dir.getFileHandle(`${key}.i1`)]);
      const { record } = await new OpfsSlots(files, undefined).load();
      return entryInfo(key, record);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

const emptyMeta: MetaStore = {
  load: () => Promise.resolve({ record: undefined, damaged: 0 }),
  save: () => undefined,
  close: () => undefined,
};
