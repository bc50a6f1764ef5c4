/**
 * The storage contract suite: one list of cases, run against every driver. Node runs it for
 * memory and the chunked driver over MapKv (storage-contract.test.ts); the browser runs it for
 * OPFS, IndexedDB and memory inside a dedicated worker (e2e/storage.spec.ts). It uses no
 * node:assert so it bundles for the browser.
 */
import { KitharaError } from '../../src/platform/errors.js';
import type { StorageDriver, StorageEvent, StorageResource } from '../../src/storage/resource.js';

/** A driver under test. */
export interface ContractDriver {
  readonly name: string;
  /** `true` when resources survive a new driver instance (OPFS, IndexedDB). */
  readonly persistent: boolean;
  /** A driver over the same storage: a fresh instance for persistent drivers (a new session). */
  driver(): StorageDriver;
  /** Damages the stored coverage index of `key` (persistent drivers). */
  corruptIndex?(key: string): Promise<void>;
}

/** One contract case. */
export interface ContractCase {
  readonly name: string;
  /** Runs only for persistent drivers. */
  readonly persistentOnly?: boolean;
  run(d: ContractDriver, key: string): Promise<void>;
}

/** Thrown when a case fails. */
export class ContractFailure extends Error {}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ContractFailure(message);
}

/** Position-coded bytes: the value at absolute offset `p` is a function of `p` and `seed`. */
export function pattern(start: number, length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const p = start + i;
    out[i] = ((p * 2654435761) >>> 24) ^ (p & 0xff) ^ seed;
  }
  return out;
}

function sameBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  check(got.length === want.length, `${what}: length ${got.length}, want ${want.length}`);
  for (let i = 0; i < got.length; i++) check(got[i] === want[i], `${what}: byte ${i} is ${got[i]}, want ${want[i]}`);
}

async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    check(err instanceof KitharaError && err.code === code, `${what}: rejected with ${String(err)}, want code ${code}`);
    return;
  }
  throw new ContractFailure(`${what}: resolved, want a ${code} rejection`);
}

function throwsWith(fn: () => unknown, code: string, what: string): Promise<void> {
  return rejectsWith(Promise.resolve().then(fn), code, what);
}

async function isPending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((res) => setTimeout(() => res(marker), 5))]);
  return r === marker;
}

function ranges(res: StorageResource): string {
  return JSON.stringify(res.available.toJSON());
}

async function closeRes(res: StorageResource): Promise<void> {
  await res.close?.();
}

const KiB = 1024;

/** The cases. */
export const contractCases: ContractCase[] = [
  {
    name: 'written bytes read back exactly across chunk boundaries and odd offsets',
    async run(d, key) {
      const res = await d.driver().open(key);
      await res.writeAt(0, pattern(0, 300_001));
      await res.writeAt(300_001, pattern(300_001, 70_000));
      sameBytes(await res.read(0, 370_001), pattern(0, 370_001), 'whole');
      sameBytes(await res.read(262_100, 1000), pattern(262_100, 1000), 'across 256 KiB');
      check(res.available.coveredBytes === 370_001, 'coverage counts every byte');
      await rejectsWith(res.read(370_000, 10), 'storage', 'read past the held bytes');
      await closeRes(res);
    },
  },
  {
    name: 'waitRange waits for its own bytes and is woken by the write',
    async run(d, key) {
      const res = await d.driver().open(key);
      const a = res.waitRange(1000, 2000);
      const b = res.waitRange(5000, 6000);
      check(await isPending(a), 'a waits before any write');
      await res.writeAt(0, pattern(0, 2500));
      check((await a) === 'ready', 'a ready after the write');
      check(await isPending(b), 'b still waits');
      await res.writeAt(4000, pattern(4000, 3000));
      check((await b) === 'ready', 'b ready');
      const ctl = new AbortController();
      const c = res.waitRange(9000, 9100, ctl.signal);
      ctl.abort();
      await rejectsWith(c, 'aborted', 'aborted wait');
      await closeRes(res);
    },
  },
  {
    name: 'out-of-order writes merge into one covered range',
    async run(d, key) {
      const res = await d.driver().open(key, { length: 600 * KiB });
      await res.writeAt(400 * KiB, pattern(400 * KiB, 200 * KiB));
      await res.writeAt(100 * KiB, pattern(100 * KiB, 100 * KiB));
      check(ranges(res) === JSON.stringify([[100 * KiB, 200 * KiB], [400 * KiB, 600 * KiB]]), `two ranges: ${ranges(res)}`);
      await res.writeAt(0, pattern(0, 100 * KiB));
      await res.writeAt(200 * KiB, pattern(200 * KiB, 200 * KiB));
      check(ranges(res) === JSON.stringify([[0, 600 * KiB]]), `merged: ${ranges(res)}`);
      sameBytes(await res.read(0, 600 * KiB), pattern(0, 600 * KiB), 'all');
      await closeRes(res);
    },
  },
  {
    name: 'commit wakes waiters: eof past the end, a storage error for bytes that can never come',
    async run(d, key) {
      const res = await d.driver().open(key);
      await res.writeAt(0, pattern(0, 1000));
      const past = res.waitRange(1000, 1100);
      const hole = res.waitRange(500, 1500);
      res.commit(1000);
      check((await past) === 'eof', 'past the end is eof');
      check((await hole) === 'ready', 'a range crossing the end is ready when the held part is complete');
      check(res.status === 'committed' && res.length === 1000, 'committed at 1000');
      await throwsWith(() => res.writeAt(0, pattern(0, 10)), 'storage', 'write after commit');
      await closeRes(res);
      const gap = await d.driver().open(`${key}g`);
      await gap.writeAt(0, pattern(0, 100));
      await gap.writeAt(200, pattern(200, 100));
      const missing = gap.waitRange(100, 200);
      gap.commit(300);
      await rejectsWith(missing, 'storage', 'a hole in a committed resource');
      await closeRes(gap);
      await d.driver().remove(`${key}g`);
    },
  },
  {
    name: 'fail rejects waiters; reactivate makes it writable again with its bytes',
    async run(d, key) {
      const res = await d.driver().open(key);
      await res.writeAt(0, pattern(0, 100));
      const w = res.waitRange(100, 200);
      res.fail(new KitharaError('network', 'gone'));
      await rejectsWith(w, 'network', 'waiter gets the failure');
      check(res.status === 'failed', 'failed');
      res.reactivate();
      check((res.status as string) === 'active', 'active again');
      await res.writeAt(100, pattern(100, 100));
      sameBytes(await res.read(0, 200), pattern(0, 200), 'old and new bytes');
      await closeRes(res);
    },
  },
  {
    name: 'writes past a known length are refused',
    async run(d, key) {
      const res = await d.driver().open(key, { length: 1000 });
      await throwsWith(() => res.writeAt(900, pattern(900, 200)), 'storage', 'write past the length');
      check(res.available.coveredBytes === 0, 'nothing stored');
      await closeRes(res);
    },
  },
  {
    name: 'coverage, length and bytes survive a reopen; completion survives too',
    async run(d, key) {
      const total = 700 * KiB;
      const res = await d.driver().open(key, { label: 'https://example.test/a.mp3' });
      res.setLength(total);
      await res.writeAt(0, pattern(0, 123_457));
      await res.writeAt(500 * KiB, pattern(500 * KiB, 200 * KiB));
      const before = ranges(res);
      await closeRes(res);
      const again = await d.driver().open(key);
      check(ranges(again) === before, `coverage restored: ${ranges(again)} vs ${before}`);
      check(again.length === total && again.status === 'active', `length ${again.length}, status ${again.status}`);
      sameBytes(await again.read(0, 123_457), pattern(0, 123_457), 'head bytes');
      sameBytes(await again.read(500 * KiB, 200 * KiB), pattern(500 * KiB, 200 * KiB), 'tail bytes');
      await again.writeAt(123_457, pattern(123_457, 500 * KiB - 123_457));
      again.commit();
      await closeRes(again);
      const done = await d.driver().open(key);
      check(done.status === 'committed' && done.length === total, `committed after reopen: ${done.status}`);
      check((await done.waitRange(0, total)) === 'ready', 'whole range ready without writing');
      sameBytes(await done.read(0, total), pattern(0, total), 'every byte');
      if (d.persistent) {
        const info = await d.driver().inspect?.(key);
        check(info !== undefined && info.complete && info.bytes === total && info.label === 'https://example.test/a.mp3', `inspect: ${JSON.stringify(info)}`);
      }
      await closeRes(done);
    },
  },
  {
    name: 'a corrupt coverage index is rebuilt, never fatal',
    persistentOnly: true,
    async run(d, key) {
      const res = await d.driver().open(key);
      await res.writeAt(0, pattern(0, 50_000));
      res.commit();
      await closeRes(res);
      await d.corruptIndex!(key);
      const events: StorageEvent[] = [];
      const again = await d.driver().open(key, { hooks: { onEvent: (e) => events.push(e) } });
      check(events.some((e) => e.type === 'index-rebuilt' && e.key === key), `rebuild reported: ${JSON.stringify(events.map((e) => e.type))}`);
      check(again.status === 'active' && again.available.coveredBytes === 0, 'treated as empty');
      await again.writeAt(0, pattern(0, 50_000));
      again.commit();
      sameBytes(await again.read(0, 50_000), pattern(0, 50_000), 'rewritten');
      await closeRes(again);
      const third = await d.driver().open(key);
      check(third.status === 'committed', 'the rebuilt index persists');
      await closeRes(third);
    },
  },
  {
    name: 'remove forgets the bytes and the key',
    async run(d, key) {
      const res = await d.driver().open(key);
      await res.writeAt(0, pattern(0, 10_000));
      res.commit();
      await closeRes(res);
      const drv = d.driver();
      check(((await drv.keys?.()) ?? [key]).includes(key), 'listed before remove');
      await drv.remove(key);
      check(!((await d.driver().keys?.()) ?? []).includes(key), 'not listed after remove');
      const fresh = await d.driver().open(key);
      check(fresh.available.coveredBytes === 0 && fresh.status === 'active', 'empty after remove');
      await closeRes(fresh);
    },
  },
  {
    name: 'a read-only open sees the durable bytes of an open writer and never writes them',
    persistentOnly: true,
    async run(d, key) {
      const writer = await d.driver().open(key, { length: 100_000 });
      await writer.writeAt(0, pattern(0, 40_000));
      await writer.close?.();
      const w2 = await d.driver().open(key);
      const reader = await d.driver().open(key, { readOnly: true });
      check(reader.available.coveredBytes === 40_000, `snapshot coverage ${ranges(reader)}`);
      sameBytes(await reader.read(0, 40_000), pattern(0, 40_000), 'snapshot bytes');
      await reader.writeAt(40_000, pattern(40_000, 10_000, 9));
      sameBytes(await reader.read(30_000, 20_000), new Uint8Array([...pattern(30_000, 10_000), ...pattern(40_000, 10_000, 9)]), 'snapshot + overlay');
      await reader.close?.();
      await w2.writeAt(40_000, pattern(40_000, 60_000));
      w2.commit();
      await w2.close?.();
      const check2 = await d.driver().open(key);
      sameBytes(await check2.read(0, 100_000), pattern(0, 100_000), 'the writer bytes, not the reader overlay');
      await closeRes(check2);
    },
  },
];

/** Runs every case for `d`; returns failures (empty when all pass). */
export async function runContract(d: ContractDriver, prefix = 'ct'): Promise<{ name: string; error?: string }[]> {
  const out: { name: string; error?: string }[] = [];
  let n = 0;
  for (const c of contractCases) {
    if (c.persistentOnly === true && !d.persistent) continue;
    const key = `${prefix}${n++}x${Math.floor(Math.random() * 1e9).toString(36)}`;
    try {
      await c.run(d, key);
      out.push({ name: c.name });
    } catch (err) {
      out.push({ name: c.name, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    } finally {
      await d.driver().remove(key).catch(() => undefined);
    }
  }
  return out;
}
