/**
 * Helpers shared by the net and file tests: the real test server over fixtures/media plus a temp
 * folder of generated files, and tools to drive a FakeClock while promises settle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../../e2e/server/test-server.mjs';
import type { FakeClock } from '../../src/platform/clock.js';
import { concatBytes } from '../../src/platform/bytes.js';

/** Folder of the committed media fixtures. */
export const MEDIA_DIR = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));

/** A test server plus a temp folder served under `/gen`. */
export interface Served {
  server: TestServer;
  /** Absolute URL of a fixture or generated file: `url('chirp.flac')`, `url('/gen/big.bin')`. */
  url(path: string, query?: Record<string, string | number>): string;
  /** Writes a generated file under `/gen` and returns its bytes. */
  generate(name: string, bytes: Uint8Array): Uint8Array;
  /** Bytes of a fixture in fixtures/media. */
  fixture(name: string): Uint8Array;
  /** Requests the server logged for a path. */
  requests(path: string): TestServer['log'];
  close(): Promise<void>;
}

/** Starts the test server for one test file. */
export async function serve(): Promise<Served> {
  const gen = mkdtempSync(join(tmpdir(), 'kithara-net-'));
  const server = await startServer({ root: MEDIA_DIR, extraRoots: { '/gen': gen }, coi: false });
  return {
    server,
    url(path, query = {}) {
      const u = new URL(path.startsWith('/') ? path : `/${path}`, server.url);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
      return u.href;
    },
    generate(name, bytes) {
      writeFileSync(join(gen, name), bytes);
      return bytes;
    },
    fixture: (name) => new Uint8Array(readFileSync(join(MEDIA_DIR, name))),
    requests: (path) => server.log.filter((r) => r.path === path),
    async close() {
      await server.close();
      rmSync(gen, { recursive: true, force: true });
    },
  };
}

/** Deterministic pseudo-random bytes where every offset's value differs from its neighbours'. */
export function patternBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances a FakeClock in steps, flushing between steps so awaited timers chain. */
export async function advance(clock: FakeClock, ms: number, step = ms): Promise<void> {
  await flush();
  let done = 0;
  do {
    const dt = Math.min(step, ms - done);
    clock.advance(dt);
    done += dt;
    await flush();
  } while (done < ms);
}

/** The settled state of a promise right now, without waiting for it. */
export async function settled<T>(p: Promise<T>): Promise<'pending' | { value: T } | { error: unknown }> {
  const pending = Symbol('pending');
  const r = await Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), flush().then(() => pending)]);
  return r === pending ? 'pending' : (r as { value: T } | { error: unknown });
}

/** Reads a stream to the end. */
export async function drain(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return concat(parts);
}

/** Joins byte arrays (the SDK's own helper). */
export const concat = concatBytes;
