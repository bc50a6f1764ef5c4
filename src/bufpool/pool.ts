/**
 * A small pool of reusable `Float32Array`s for hot paths (decode output, resampler output, channel
 * maps), so steady-state streaming allocates nothing.
 *
 * Arrays come in power-of-two size classes. `acquire(n)` returns an array of the smallest class that
 * holds `n` samples (so its `length` may exceed `n`: use the count you asked for). `release(a)`
 * returns it. Each class keeps at most `perClass` free arrays; extra ones are left to the garbage
 * collector. Single-threaded: one pool per thread (worker) — arrays are not shared through it.
 *
 * @module
 */

import { KitharaError, assert } from '../platform/errors.js';

/** Options of {@link Float32Pool}. */
export interface Float32PoolOptions {
  /** Most free arrays kept per size class. Defaults to `16`. */
  perClass?: number;
  /** Smallest class in samples (a power of two). Defaults to `64`. */
  minLength?: number;
  /** Largest pooled class in samples (a power of two). Bigger requests are plain allocations. Defaults to `2 ** 22`. */
  maxLength?: number;
}

/** Defaults of {@link Float32Pool}. */
export const FLOAT32_POOL_DEFAULTS = {
  /** Most free arrays kept per size class. */
  perClass: 16,
  /** Smallest class in samples. */
  minLength: 64,
  /** Largest pooled class in samples (16 MiB of Float32). */
  maxLength: 2 ** 22,
} as const;

/** Counters for tests and diagnostics. */
export interface Float32PoolStats {
  /** `acquire` calls served from the pool. */
  hits: number;
  /** `acquire` calls that allocated. */
  misses: number;
  /** Arrays currently free in the pool, all classes. */
  free: number;
}

/** A pool of `Float32Array`s in power-of-two size classes. See the module notes. */
export class Float32Pool {
  private readonly perClass: number;
  private readonly minShift: number;
  private readonly maxShift: number;
  /** Free lists, indexed by log2 of the class length. */
  private readonly classes: Float32Array[][] = [];
  private readonly counters: Float32PoolStats = { hits: 0, misses: 0, free: 0 };

  constructor(options: Float32PoolOptions = {}) {
    const perClass = options.perClass ?? FLOAT32_POOL_DEFAULTS.perClass;
    const minLength = options.minLength ?? FLOAT32_POOL_DEFAULTS.minLength;
    const maxLength = options.maxLength ?? FLOAT32_POOL_DEFAULTS.maxLength;
    if (!Number.isInteger(perClass) || perClass < 0) {
      throw new KitharaError('unsupported', 'options.perClass, when provided, must be a non-negative integer.');
    }
    if (!isPowerOfTwo(minLength)) {
      throw new KitharaError('unsupported', 'options.minLength, when provided, must be a power of two.');
    }
    if (!isPowerOfTwo(maxLength) || maxLength < minLength || maxLength > 2 ** 30) {
      throw new KitharaError('unsupported', 'options.maxLength, when provided, must be a power of two from minLength to 2 ** 30.');
    }
    this.perClass = perClass;
    this.minShift = Math.log2(minLength);
    this.maxShift = Math.log2(maxLength);
    for (let s = 0; s <= this.maxShift; s++) this.classes.push([]);
  }

  /**
   * An array of at least `minLength` samples: its length is the next power of two (at least the
   * smallest class). Contents are whatever the last user left: clear it if you need zeros.
   * Requests above the largest class are allocated at exactly `minLength` and not pooled.
   */
  acquire(minLength: number): Float32Array {
    assert(Number.isInteger(minLength) && minLength >= 0, 'Float32Pool.acquire: bad length');
    const shift = Math.max(this.minShift, ceilLog2(minLength));
    if (shift > this.maxShift) {
      this.counters.misses++;
      return new Float32Array(minLength);
    }
    const free = this.classes[shift]!;
    const a = free.pop();
    if (a !== undefined) {
      this.counters.hits++;
      this.counters.free--;
      return a;
    }
    this.counters.misses++;
    return new Float32Array(2 ** shift);
  }

  /**
   * Returns an array to the pool. Arrays that are not of a pooled class (including detached ones,
   * whose length is 0 after a transfer) and arrays beyond a full class are dropped. Views into a
   * larger buffer are never pooled. Releasing an array that is already free is a bug and asserts.
   */
  release(a: Float32Array): void {
    const n = a.length;
    if (!isPowerOfTwo(n) || a.byteOffset !== 0 || a.buffer.byteLength !== n * 4) return;
    const shift = Math.log2(n);
    if (shift < this.minShift || shift > this.maxShift) return;
    const free = this.classes[shift]!;
    assert(!free.includes(a), 'Float32Pool.release: array released twice');
    if (free.length >= this.perClass) return;
    free.push(a);
    this.counters.free++;
  }

  /** Drops every free array. */
  clear(): void {
    for (const free of this.classes) free.length = 0;
    this.counters.free = 0;
  }

  /** A snapshot of the counters. */
  stats(): Float32PoolStats {
    return { ...this.counters };
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function ceilLog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}
