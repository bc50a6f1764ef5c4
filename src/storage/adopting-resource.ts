/**
 * A resource that takes writes at once and hands them to a persistent resource that opens
 * later: for a download that should not wait for storage to open.
 *
 * Opening a persistent asset costs several round trips to the browser (Web Locks, file
 * handles, access handles, the coverage record: about 10 ms on the start-up timeline), and a
 * download used to start only after them. When the cache knows it holds nothing for a key, the
 * download can start at once into an `AdoptingResource`; when the persistent resource is
 * ready, {@link AdoptingResource.adopt} copies what arrived meanwhile into it and from then on
 * writes go straight through.
 *
 * While everything it received fits in {@link MEMORY_MIRROR_BYTES}, it also keeps a copy in
 * memory and serves reads from it: the bytes were just downloaded and are about to be decoded,
 * and reading them back from the persistent store costs a storage call per read (about 1 ms per
 * 64 KiB in Chromium's incognito OPFS, which lives in the browser process). A resource that
 * outgrows the mirror drops it and reads from the target.
 *
 * **Promises:** it behaves as one resource throughout (its own coverage, waits and status, as
 * every {@link ResourceCore}); the target receives every byte exactly once, in any order, and
 * the final length and a commit; reads are served from memory or from the target, whichever
 * holds the bytes. **Never:** fails the target (a failed download leaves the target partial,
 * to be resumed), or writes to a target that is already committed (another page finished it;
 * its bytes are the same).
 */
import { RangeSet } from './range-set.js';
import { ResourceCore } from './resource-core.js';
import type { StorageResource } from './resource.js';

/** Bytes a resource keeps in memory beside its target for reads (a 6-minute song at 320 kbit/s). */
export const MEMORY_MIRROR_BYTES = 16 * 1024 * 1024;

/** A resource that buffers in memory until it adopts a persistent one. */
export class AdoptingResource extends ResourceCore {
  /**
   * Bytes written before adoption, by offset, and after it while the mirror lasts (see the
   * module notes); dropped when they outgrow {@link MEMORY_MIRROR_BYTES}.
   */
  private early = new Map<number, Uint8Array>();
  /** Ranges of `early`. */
  private earlyRanges = new RangeSet();
  /** Bytes in `early`. */
  private earlyBytes = 0;
  /** Whether `early` still mirrors every byte received (false once it outgrew the limit). */
  private mirroring = true;
  private target: StorageResource | undefined;
  /** The copy of `early` into the target, while it runs. */
  private copying: Promise<void> | undefined;
  /** The commit being passed to the target, once the writes in flight reached it. */
  private passing: Promise<void> | undefined;
  /** Writes in flight to the target (so a commit follows them). */
  private pending = new Set<Promise<void>>();

  constructor(name: string) {
    super(name);
  }

  private resolveAdopted: () => void = () => undefined;
  private readonly adoptedPromise = new Promise<void>((resolve) => (this.resolveAdopted = resolve));

  /**
   * Resolves once a target was adopted, what arrived before was copied into it, the writes in
   * flight reached it, and the target itself settled (its `settled()`, where it has one).
   */
  async settled(): Promise<void> {
    await this.adoptedPromise;
    await this.copying;
    await Promise.all([...this.pending]);
    await this.passing;
    await (this.target as { settled?: () => Promise<void> } | undefined)?.settled?.();
  }

  /**
   * Where the bytes are: `'memory'` until a target is adopted, then the target's mode
   * (`'persistent'`, `'snapshot'`, or `'memory'` after a storage fallback).
   */
  get mode(): string {
    const m = (this.target as { mode?: unknown } | undefined)?.mode;
    if (typeof m === 'string') return m;
    return this.target === undefined ? 'memory' : 'persistent';
  }

  /** `true` once a target was adopted. */
  get adopted(): boolean {
    return this.target !== undefined;
  }

  /**
   * Adopts `target`: copies what arrived so far into it (then drops it from memory) and passes
   * every later write, the length and a commit through. Resolves when the copy is done.
   */
  adopt(target: StorageResource): Promise<void> {
    if (this.target !== undefined) throw new Error('AdoptingResource.adopt: already adopted');
    this.target = target;
    const writable = target.status === 'active';
    if (writable && this.length !== undefined && target.length === undefined) target.setLength(this.length);
    const copy = async (): Promise<void> => {
      if (writable) {
        for (const [offset, bytes] of [...this.early].sort((a, b) => a[0] - b[0])) {
          if (!target.available.has(offset, offset + bytes.byteLength)) await target.writeAt(offset, bytes);
        }
      }
      if (!this.mirroring || !writable) this.dropMirror();
    };
    // A copy that fails (storage refused) keeps the early bytes in memory, where reads find them.
    const copying = copy().catch(() => undefined).then(() => {
      if (this.copying === copying) this.copying = undefined;
      this.passState();
    });
    this.copying = copying;
    this.resolveAdopted();
    return this.copying;
  }

  protected storeBytes(offset: number, bytes: Uint8Array): void | Promise<void> {
    const target = this.target;
    if (target === undefined || this.mirroring) this.keep(offset, bytes);
    if (target === undefined) return;
    if (target.status !== 'active' || target.available.has(offset, offset + bytes.byteLength)) return;
    const written = target.writeAt(offset, bytes);
    if (!(written instanceof Promise)) return;
    const tracked = written.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  protected async loadBytes(offset: number, length: number): Promise<Uint8Array> {
    const end = offset + length;
    if (this.earlyRanges.has(offset, end)) {
      const out = new Uint8Array(length);
      for (const [at, bytes] of this.early) {
        const from = Math.max(at, offset);
        const to = Math.min(at + bytes.byteLength, end);
        if (from < to) out.set(bytes.subarray(from - at, to - at), from - offset);
      }
      return out;
    }
    if (this.copying !== undefined) await this.copying;
    return (this.target as StorageResource).read(offset, length);
  }

  /** Keeps a copy of `bytes` in memory (the caller may reuse its buffer) while the mirror lasts. */
  private keep(offset: number, bytes: Uint8Array): void {
    if (this.target !== undefined && this.earlyBytes + bytes.byteLength > MEMORY_MIRROR_BYTES) {
      this.mirroring = false;
      // The copy into the target, if it still runs, drops the mirror when it is done.
      if (this.copying === undefined) this.dropMirror();
      return;
    }
    if (this.earlyBytes + bytes.byteLength > MEMORY_MIRROR_BYTES) this.mirroring = false;
    this.early.set(offset, bytes.slice());
    this.earlyRanges.add(offset, offset + bytes.byteLength);
    this.earlyBytes += bytes.byteLength;
  }

  private dropMirror(): void {
    this.mirroring = false;
    this.early = new Map();
    this.earlyRanges = new RangeSet();
    this.earlyBytes = 0;
  }

  protected override onLength(length: number): void {
    const t = this.target;
    if (t !== undefined && t.status === 'active' && t.length !== length) t.setLength(length);
  }

  protected override onStateChange(): void {
    if (this.copying === undefined) this.passState();
  }

  /** Passes a commit to the target once every write reached it. */
  private passState(): void {
    const t = this.target;
    if (t === undefined || this.status !== 'committed' || t.status !== 'active') return;
    const length = this.length;
    this.passing = Promise.all([...this.pending]).then(
      () => {
        if (t.status === 'active' && (length === undefined || t.available.has(0, length))) t.commit(length);
      },
      () => undefined,
    );
  }
}
