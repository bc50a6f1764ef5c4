/**
 * The assets index (the reference's `LruIndex`): one entry per stored key with its URL, bytes
 * held, length, completeness and last access. It is persisted in the driver's {@link JsonSlot}
 * (saved at most every {@link INDEX_DEFAULTS.saveDelayMs}, and on flush), and it is
 * rebuildable: at load, keys the driver holds but the index lacks are added from their coverage
 * records (`inspect`), entries without stored bytes are dropped, and a corrupt index is rebuilt
 * from the driver alone (last access then comes from the record's write time).
 */
import type { Clock } from '../platform/clock.js';
import type { JsonSlot, StorageDriver, StoredEntryInfo } from '../storage/resource.js';
import { SCRATCH_KEY } from './types.js';

/** Defaults of the index. */
export const INDEX_DEFAULTS = {
  /** Delay between a change and the index save. Defaults to 1000 ms. */
  saveDelayMs: 1000,
} as const;

/** One stored asset. */
export interface IndexEntry {
  readonly key: string;
  /** The URL it was opened for ('' when unknown). */
  url: string;
  /** Bytes held. */
  bytes: number;
  /** Final length, when known. */
  length: number | undefined;
  /** `true` once committed. */
  complete: boolean;
  /** Last open (epoch ms). */
  lastAccess: number;
}

type Row = [string, string, number, number | null, boolean, number];

function parseRows(value: unknown): IndexEntry[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { v?: unknown; entries?: unknown };
  if (v.v !== 1 || !Array.isArray(v.entries)) return undefined;
  const out: IndexEntry[] = [];
  for (const row of v.entries as unknown[]) {
    if (!Array.isArray(row) || row.length !== 6) return undefined;
    const [key, url, bytes, length, complete, lastAccess] = row as Row;
    if (typeof key !== 'string' || typeof url !== 'string' || typeof bytes !== 'number' || !(bytes >= 0)) return undefined;
    if (length !== null && typeof length !== 'number') return undefined;
    if (typeof complete !== 'boolean' || typeof lastAccess !== 'number') return undefined;
    out.push({ key, url, bytes, length: length ?? undefined, complete, lastAccess });
  }
  return out;
}

/** Why {@link AssetIndex.load} rebuilt the index, if it did. */
export type IndexLoadProblem = 'corrupt' | 'unreadable' | undefined;

/** The persisted, rebuildable index of stored assets. */
export class AssetIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private cancelSave: (() => void) | undefined;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly slot: JsonSlot | undefined,
    private readonly clock: Clock,
  ) {}

  /**
   * Loads the index and reconciles it with what `driver` holds. Never rejects for a corrupt or
   * unreadable index: `problem` says it was rebuilt.
   */
  static async load(driver: StorageDriver, clock: Clock): Promise<{ index: AssetIndex; problem: IndexLoadProblem }> {
    const index = new AssetIndex(driver.index, clock);
    let rows: IndexEntry[] | undefined = [];
    let problem: IndexLoadProblem;
    if (driver.index !== undefined) {
      try {
        const value = await driver.index.load();
        rows = value === undefined ? [] : parseRows(value);
        if (rows === undefined) problem = 'corrupt';
      } catch {
        rows = undefined;
        problem = 'corrupt';
      }
    }
    for (const e of rows ?? []) index.entries.set(e.key, e);
    if (driver.keys !== undefined) {
      let stored: string[] = [];
      try {
        stored = await driver.keys();
      } catch {
        problem ??= 'unreadable';
      }
      const present = new Set(stored);
      for (const key of [...index.entries.keys()]) if (!present.has(key)) index.entries.delete(key);
      for (const key of stored) {
        if (index.entries.has(key) || key === SCRATCH_KEY) continue;
        let info: StoredEntryInfo | undefined;
        try {
          info = await driver.inspect?.(key);
        } catch {
          info = undefined;
        }
        index.entries.set(key, {
          key,
          url: info?.label ?? '',
          bytes: info?.bytes ?? 0,
          length: info?.length,
          complete: info?.complete ?? false,
          lastAccess: info?.modified ?? 0,
        });
      }
    }
    if (problem !== undefined) index.scheduleSave();
    return { index, problem };
  }

  /** The entry of `key`. */
  get(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  /** Every entry. */
  all(): IndexEntry[] {
    return [...this.entries.values()];
  }

  /** Total bytes held. */
  get totalBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Records an access to `key` (creating its entry). Returns `true` when the entry is new. */
  touch(key: string, url: string, at: number): boolean {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.entries.set(key, { key, url, bytes: 0, length: undefined, complete: false, lastAccess: at });
      this.scheduleSave();
      return true;
    }
    e.lastAccess = Math.max(e.lastAccess, at);
    if (url !== '') e.url = url;
    this.scheduleSave();
    return false;
  }

  /** Updates what `key` holds. */
  update(key: string, bytes: number, length: number | undefined, complete: boolean): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    if (e.bytes === bytes && e.length === length && e.complete === complete) return;
    e.bytes = bytes;
    e.length = length;
    e.complete = complete;
    this.scheduleSave();
  }

  /** Forgets `key`. */
  delete(key: string): void {
    if (this.entries.delete(key)) this.scheduleSave();
  }

  private toJSON(): unknown {
    const rows: Row[] = this.all().map((e) => [e.key, e.url, e.bytes, e.length ?? null, e.complete, e.lastAccess]);
    return { v: 1, entries: rows };
  }

  private scheduleSave(): void {
    if (this.slot === undefined || this.cancelSave !== undefined) return;
    this.cancelSave = this.clock.setTimer(INDEX_DEFAULTS.saveDelayMs, () => {
      this.cancelSave = undefined;
      void this.save();
    });
  }

  /** Saves now (cancelling a scheduled save). Never rejects: the index is rebuildable. */
  save(): Promise<void> {
    this.cancelSave?.();
    this.cancelSave = undefined;
    const slot = this.slot;
    if (slot === undefined) return Promise.resolve();
    this.saving = this.saving.then(() => slot.save(this.toJSON())).catch(() => undefined);
    return this.saving;
  }
}
