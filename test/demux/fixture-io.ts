/** Test helpers for the demuxer tests: fixture loading and ByteSources with network-like behaviour. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ByteReader } from '../../src/stream/byte-reader.js';
import { MemorySource, type ByteSource } from '../../src/stream/source.js';
import type { Demuxer, EncodedPacket } from '../../src/demux/types.js';
import { KitharaError } from '../../src/platform/errors.js';
import { concatBytes } from '../../src/platform/bytes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MEDIA = join(ROOT, 'fixtures', 'media');

/** One manifest.json entry. */
export interface FixtureFacts {
  file: string;
  container: string;
  sampleRate: number;
  channels: number;
  frames: number;
  bits?: number;
}

/** The fixture manifest. */
export const manifest: FixtureFacts[] = JSON.parse(readFileSync(join(MEDIA, 'manifest.json'), 'utf8'));

/** Facts of one fixture. */
export function facts(file: string): FixtureFacts {
  const f = manifest.find((m) => m.file === file);
  if (!f) throw new Error(`no manifest entry for ${file}`);
  return f;
}

/** The bytes of a fixture. */
export function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(MEDIA, file)));
}

/**
 * A source that behaves like a download without Content-Length: the length stays unknown,
 * every read resolves on a later turn of the event loop, and reads are counted.
 */
export class TrickleSource implements ByteSource {
  reads = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get length(): number | undefined {
    return undefined;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    await new Promise((resolve) => setImmediate(resolve));
    const start = Math.min(Math.max(0, offset), this.bytes.length);
    return this.bytes.slice(start, Math.min(start + length, this.bytes.length));
  }
}

/** A reader over memory. */
export function memoryReader(bytes: Uint8Array): ByteReader {
  return new ByteReader(new MemorySource(bytes));
}

/** A reader of unknown length that fetches small pieces (`chunk` bytes) asynchronously. */
export function trickleReader(bytes: Uint8Array, chunk = 700): ByteReader {
  return new ByteReader(new TrickleSource(bytes), chunk);
}

/** Reads every packet. */
export async function readAll(demuxer: Demuxer): Promise<EncodedPacket[]> {
  const out: EncodedPacket[] = [];
  for (let p = await demuxer.next(); p; p = await demuxer.next()) out.push(p);
  return out;
}

/** Asserts that `promise` rejects with a KitharaError of `code`; returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<KitharaError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof KitharaError)) throw new Error(`expected KitharaError '${code}', got ${String(err)}`);
    if (err.code !== code) throw new Error(`expected KitharaError '${code}', got '${err.code}': ${err.message}`);
    return err;
  }
  throw new Error(`expected KitharaError '${code}', but it resolved`);
}

/** Joins byte arrays (the SDK's own helper). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function noise(n: number, seed = 12345): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

/** An ID3v2.3 tag of `bodyBytes` zero bytes (a padding-only tag). */
export function id3Tag(bodyBytes: number): Uint8Array {
  const tag = new Uint8Array(10 + bodyBytes);
  tag.set([0x49, 0x44, 0x33, 3, 0, 0]);
  tag[6] = (bodyBytes >> 21) & 0x7f;
  tag[7] = (bodyBytes >> 14) & 0x7f;
  tag[8] = (bodyBytes >> 7) & 0x7f;
  tag[9] = bodyBytes & 0x7f;
  return tag;
}

/** Whether two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
