/**
 * The eviction policy, a pure function: least recently used first, by bytes and by count.
 * Pinned (protected) entries are never chosen; the caps are soft (when pinned entries alone
 * exceed them, every unpinned entry goes and the rest stays).
 */

/** What the policy needs to know of an entry. */
export interface LruEntry {
  readonly key: string;
  /** Bytes held. */
  readonly bytes: number;
  /** Last access (any monotonic scale; ties break by key). */
  readonly lastAccess: number;
}

/** The caps. */
export interface LruLimits {
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/**
 * The keys to evict, oldest first, so that the total fits `limits` with `reclaimBytes` to
 * spare (a quota failure asks for room). Entries for which `isProtected` is true are skipped.
 */
export function selectVictims(
  entries: Iterable<LruEntry>,
  limits: LruLimits,
  isProtected: (key: string) => boolean,
  reclaimBytes = 0,
): string[] {
  const all = [...entries];
  let total = 0;
  for (const e of all) total += e.bytes;
  let count = all.length;
  const targetBytes = Math.min(limits.maxBytes, total - reclaimBytes);
  const candidates = all
    .filter((e) => !isProtected(e.key))
    .sort((a, b) => a.lastAccess - b.lastAccess || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: string[] = [];
  for (const e of candidates) {
    if (total <= targetBytes && count <= limits.maxEntries) break;
    out.push(e.key);
    total -= e.bytes;
    count--;
  }
  return out;
}
