/**
 * The small key-value interface the chunked (IndexedDB) driver stores through. Keys are arrays
 * of strings and numbers (valid IndexedDB keys); a "prefix" selects every key that starts with
 * it, itself included. `setMany` and `removePrefixes` are atomic (one transaction).
 */

/** A key: `['d', assetKey, chunkIndex]`, `['m', assetKey]`, `['x', name]`. */
export type KvKey = (string | number)[];

/** A transactional key-value store. */
export interface KvBackend {
  /** The value under `key`, or `undefined`. */
  get(key: KvKey): Promise<unknown>;
  /** The values under `keys`, in order. */
  getMany(keys: KvKey[]): Promise<unknown[]>;
  /** Stores every entry, atomically. */
  setMany(entries: [KvKey, unknown][]): Promise<void>;
  /** Removes every key under each prefix, atomically. */
  removePrefixes(prefixes: KvKey[]): Promise<void>;
  /** Every key under `prefix`, sorted. */
  keys(prefix: KvKey): Promise<KvKey[]>;
}

function startsWith(key: KvKey, prefix: KvKey): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

function compareKeys(a: KvKey, b: KvKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * A {@link KvBackend} in a `Map`, with IndexedDB's value semantics (values are structured
 * clones). Its contents survive a driver being dropped without `close`, which makes it the
 * stand-in for IndexedDB in Node tests of crash recovery.
 */
export class MapKv implements KvBackend {
  private readonly map = new Map<string, { key: KvKey; value: unknown }>();
  /** Number of `setMany` calls (tests measure write batching with it). */
  transactions = 0;

  get(key: KvKey): Promise<unknown> {
    const e = this.map.get(JSON.stringify(key));
    return Promise.resolve(e === undefined ? undefined : structuredClone(e.value));
  }

  async getMany(keys: KvKey[]): Promise<unknown[]> {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  setMany(entries: [KvKey, unknown][]): Promise<void> {
    this.transactions++;
    for (const [key, value] of entries) this.map.set(JSON.stringify(key), { key: [...key], value: structuredClone(value) });
    return Promise.resolve();
  }

  removePrefixes(prefixes: KvKey[]): Promise<void> {
    for (const [id, e] of [...this.map]) if (prefixes.some((p) => startsWith(e.key, p))) this.map.delete(id);
    return Promise.resolve();
  }

  keys(prefix: KvKey): Promise<KvKey[]> {
    const out: KvKey[] = [];
    for (const e of this.map.values()) if (startsWith(e.key, prefix)) out.push([...e.key]);
    return Promise.resolve(out.sort(compareKeys));
  }

  /** Replaces a raw value (tests corrupt records with it). */
  poke(key: KvKey, value: unknown): void {
    this.map.set(JSON.stringify(key), { key: [...key], value });
  }
}
