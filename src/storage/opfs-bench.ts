/**
 * Measures OPFS cache write throughput the way a download writes: a resource of `totalBytes`
 * in sequential `writeBytes` writes through the OPFS driver, coverage updates included, then
 * `commit` and `close` (everything durable). Run it in a dedicated worker for the sync-handle
 * path. The benchmark page calls it; the files are removed afterwards.
 */
import { OpfsDriver } from './opfs-driver.js';

/** What {@link measureOpfsWriteThroughput} measured. */
export interface OpfsThroughput {
  /** Megabytes (10^6 bytes) per second, from the first write to a durable close. */
  readonly mbPerSec: number;
  /** Elapsed milliseconds. */
  readonly ms: number;
  /** Bytes written. */
  readonly bytes: number;
  /** How the files were written. */
  readonly access: 'sync' | 'async';
  /** Coverage records saved on the way. */
  readonly indexWrites: number;
}

/** Options of {@link measureOpfsWriteThroughput}. */
export interface OpfsThroughputOptions {
  /** Resource size. Defaults to 32 MiB. */
  totalBytes?: number;
  /** Bytes per write. Defaults to 256 KiB. */
  writeBytes?: number;
  /** OPFS directory used (and emptied of its test file). Defaults to `'kithara-bench'`. */
  directory?: string;
}

/** Writes a resource through the OPFS driver and reports the throughput. */
export async function measureOpfsWriteThroughput(options: OpfsThroughputOptions = {}): Promise<OpfsThroughput> {
  const total = options.totalBytes ?? 32 * 1024 * 1024;
  const step = options.writeBytes ?? 256 * 1024;
  const driver = new OpfsDriver({ directory: options.directory ?? 'kithara-bench' });
  const key = 'throughput';
  await driver.remove(key);
  const chunk = new Uint8Array(step);
  for (let i = 0; i < step; i++) chunk[i] = (i * 31 + 7) & 0xff;
  const res = await driver.open(key, { length: total });
  const t0 = performance.now();
  for (let pos = 0; pos < total; pos += step) {
    await res.writeAt(pos, pos + step <= total ? chunk : chunk.subarray(0, total - pos));
  }
  res.commit();
  await res.close();
  const ms = performance.now() - t0;
  const indexWrites = res.indexWrites;
  await driver.remove(key);
  return { mbPerSec: total / 1e6 / (ms / 1000), ms, bytes: total, access: driver.access, indexWrites };
}
