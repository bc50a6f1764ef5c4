/**
 * OPFS byte and record stores.
 *
 * - {@link OpfsSyncStore}: a `FileSystemSyncAccessHandle` (dedicated workers only): synchronous
 *   positional reads and writes, `flush` makes them durable. Opened in `'readwrite-unsafe'`
 *   mode where the browser supports it, so a second tab can open the same file to read (the
 *   assets layer's Web Locks keep writers single); elsewhere the handle is exclusive.
 * - {@link OpfsAsyncStore}: where sync handles are missing. Writes are buffered in memory and
 *   `flush` applies them through one `createWritable({ keepExistingData: true })`, which the
 *   browser commits atomically on `close`.
 * - {@link OpfsSlots}: a framed record (coverage-index.ts) in two files written in turn, so a
 *   torn write never destroys the previous record.
 */
import { RangeSet } from './range-set.js';
import { decodeFrame, encodeFrame, pickNewest, type CoverageRecord } from './coverage-index.js';
import type { ByteStore, MetaStore } from './byte-store.js';
import { KitharaError } from '../platform/errors.js';
import type { JsonSlot } from './resource.js';

type SyncHandleOptions = { mode?: 'readwrite' | 'read-only' | 'readwrite-unsafe' };

/** `true` where `FileSystemSyncAccessHandle` can be created (dedicated workers). */
export function hasSyncAccessHandles(): boolean {
  return typeof FileSystemFileHandle !== 'undefined' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype;
}

/** Opens a sync access handle in shared (`readwrite-unsafe`) mode where supported. */
export function openSyncHandle(file: FileSystemFileHandle): Promise<FileSystemSyncAccessHandle> {
  const open = file.createSyncAccessHandle as (this: FileSystemFileHandle, o?: SyncHandleOptions) => Promise<FileSystemSyncAccessHandle>;
  return open.call(file, { mode: 'readwrite-unsafe' });
}

/** A {@link ByteStore} over a sync access handle. */
export class OpfsSyncStore implements ByteStore {
  constructor(private readonly handle: FileSystemSyncAccessHandle) {}

  write(offset: number, bytes: Uint8Array): void {
    const n = this.handle.write(bytes, { at: offset });
    if (n !== bytes.byteLength) throw new KitharaError('storage', `short OPFS write (${n} of ${bytes.byteLength})`);
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const n = this.handle.read(out, { at: offset });
    if (n !== length) throw new KitharaError('storage', `short OPFS read (${n} of ${length})`);
    return out;
  }

  flush(): void {
    this.handle.flush();
  }

  size(): number {
    return this.handle.getSize();
  }

  close(): void {
    this.handle.close();
  }
}

/** A {@link ByteStore} over a file handle without sync access: write-back, committed by `flush`. */
export class OpfsAsyncStore implements ByteStore {
  private pending: { offset: number; bytes: Uint8Array }[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly file: FileSystemFileHandle) {}

  write(offset: number, bytes: Uint8Array): void {
    this.pending.push({ offset, bytes: bytes.slice() });
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const writes = this.pending.slice();
    const out = new Uint8Array(length);
    const end = offset + length;
    const cover = new RangeSet();
    for (const w of writes) {
      const s = Math.max(offset, w.offset);
      const e = Math.min(end, w.offset + w.bytes.byteLength);
      if (e > s) cover.add(s, e);
    }
    if (!cover.has(offset, end)) {
      const blob = (await this.file.getFile()).slice(offset, end);
      out.set(new Uint8Array(await blob.arrayBuffer()));
    }
    for (const w of writes) {
      const s = Math.max(offset, w.offset);
      const e = Math.min(end, w.offset + w.bytes.byteLength);
      if (e > s) out.set(w.bytes.subarray(s - w.offset, e - w.offset), s - offset);
    }
    return out;
  }

  flush(): Promise<void> {
    const run = this.chain.then(() => this.flushNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const writable = await this.file.createWritable({ keepExistingData: true });
    try {
      for (const w of batch) await writable.write({ type: 'write', position: w.offset, data: w.bytes as Uint8Array<ArrayBuffer> });
      await writable.close();
    } catch (err) {
      await writable.abort().catch(() => undefined);
      throw err;
    }
    // Only now drop them: reads overlay them until the file holds them.
    this.pending = this.pending.slice(batch.length);
  }

  async size(): Promise<number> {
    return (await this.file.getFile()).size;
  }

  close(): Promise<void> {
    return this.chain;
  }
}

async function readWhole(file: FileSystemFileHandle): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await (await file.getFile()).arrayBuffer());
  } catch {
    return undefined;
  }
}

/** Two files written in turn, each holding one framed record. */
export class OpfsSlots implements MetaStore {
  /**
   * @param files The two slot files.
   * @param handles Their sync handles (writes stay synchronous), or `undefined` to write through
   *   `createWritable`.
   */
  constructor(
    private readonly files: readonly [FileSystemFileHandle, FileSystemFileHandle],
    private readonly handles: readonly [FileSystemSyncAccessHandle, FileSystemSyncAccessHandle] | undefined,
  ) {}

  /** Both slots' raw bytes (missing or unreadable slots are `undefined`). */
  async raw(): Promise<(Uint8Array | undefined)[]> {
    if (this.handles !== undefined) {
      return this.handles.map((h) => {
        const out = new Uint8Array(h.getSize());
        h.read(out, { at: 0 });
        return out;
      });
    }
    return Promise.all(this.files.map(readWhole));
  }

  async load(): Promise<{ record: CoverageRecord | undefined; damaged: number }> {
    return pickNewest(await this.raw());
  }

  /** Saves into slot `seq % 2`: records alternate, so the newest valid one survives a torn write. */
  save(record: CoverageRecord): void | Promise<void> {
    return this.write(encodeFrame(record), record.seq % 2);
  }

  /** Writes framed bytes into slot `slot` (durably). */
  write(bytes: Uint8Array, slot: number): void | Promise<void> {
    const h = this.handles?.[slot];
    if (h !== undefined) {
      h.write(bytes, { at: 0 });
      if (h.getSize() > bytes.length) h.truncate(bytes.length);
      h.flush();
      return;
    }
    return (async () => {
      const w = await this.files[slot]!.createWritable();
      await w.write(bytes as Uint8Array<ArrayBuffer>);
      await w.close();
    })();
  }

  close(): void {
    for (const h of this.handles ?? []) h.close();
  }
}

/** A {@link JsonSlot} in two OPFS files written in turn (through `createWritable`, atomic per file). */
export class OpfsJsonSlot implements JsonSlot {
  private seq = 0;

  constructor(private readonly files: () => Promise<readonly [FileSystemFileHandle, FileSystemFileHandle]>) {}

  async load(): Promise<unknown> {
    const raws = await Promise.all((await this.files()).map(readWhole));
    let best: { seq: number; value: unknown } | undefined;
    let damaged = 0;
    for (const raw of raws) {
      if (raw === undefined || raw.length === 0) continue;
      const v = decodeFrame(raw) as { seq?: unknown; value?: unknown } | undefined;
      if (v === undefined || typeof v.seq !== 'number') damaged++;
      else if (best === undefined || v.seq > best.seq) best = { seq: v.seq, value: v.value };
    }
    if (best === undefined) {
      if (damaged > 0) throw new KitharaError('storage', 'The stored index is corrupt.', { fatal: false });
      return undefined;
    }
    this.seq = best.seq;
    return best.value;
  }

  async save(value: unknown): Promise<void> {
    const seq = ++this.seq;
    const file = (await this.files())[seq % 2]!;
    const w = await file.createWritable();
    await w.write(encodeFrame({ seq, value }) as Uint8Array<ArrayBuffer>);
    await w.close();
  }
}
