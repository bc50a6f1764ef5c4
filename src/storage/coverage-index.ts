/**
 * The persisted coverage of one resource (the reference's `CoverageIndex`): which byte ranges
 * are durable, the final length, whether it is committed, and a label (the URL).
 *
 * Crash safety rests on three rules:
 * 1. A record is written only after the bytes it describes were flushed, so a record never
 *    claims bytes that a crash could lose. Held bytes never change, so an older record is always
 *    a subset of the truth.
 * 2. Records are framed with their length and a CRC-32, so a torn or corrupted record is
 *    detected, never trusted. Drivers without atomic writes keep two slots and write them in
 *    turn (see {@link pickNewest}), so a torn write loses only the newest update.
 * 3. On open the record is checked against what can be verified (the stored size); anything
 *    it cannot vouch for is dropped ({@link verifyRecord}). A missing or corrupt record means
 *    an empty resource, never an error.
 */
import { KitharaError } from '../platform/errors.js';
import { crc32 } from './crc32.js';
import { RangeSet, type RangeSetJSON } from './range-set.js';

/** The persisted coverage of one resource. */
export interface CoverageRecord {
  /** Format version (1). */
  readonly v: 1;
  /** Write sequence: the newest valid record wins. */
  readonly seq: number;
  /** Durable byte ranges. */
  readonly ranges: RangeSetJSON;
  /** Final length, when known. */
  readonly length: number | undefined;
  /** `true` once the resource was committed. */
  readonly committed: boolean;
  /** The label given at open (the URL). */
  readonly label: string | undefined;
  /** Wall-clock time of the write (epoch ms). */
  readonly time: number;
}

const MAGIC = 'KCOV1';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Frames a JSON value: `KCOV1 <bodyLength> <crc32 hex>\n<body>`. */
export function encodeFrame(value: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(value));
  const header = encoder.encode(`${MAGIC} ${body.length} ${crc32(body).toString(16).padStart(8, '0')}\n`);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Reads a frame written by {@link encodeFrame}. Bytes after the frame are ignored (a shorter
 * record written over a longer one). Returns `undefined` for anything torn or corrupted.
 */
export function decodeFrame(bytes: Uint8Array): unknown {
  const nl = bytes.indexOf(10);
  if (nl < 0 || nl > 64) return undefined;
  let header: string;
  try {
    header = decoder.decode(bytes.subarray(0, nl));
  } catch {
    return undefined;
  }
  const m = /^KCOV1 (\d+) ([0-9a-f]{8})$/.exec(header);
  if (m === null) return undefined;
  const len = Number(m[1]);
  if (nl + 1 + len > bytes.length) return undefined;
  const body = bytes.subarray(nl + 1, nl + 1 + len);
  if (crc32(body) !== parseInt(m[2]!, 16)) return undefined;
  try {
    return JSON.parse(decoder.decode(body)) as unknown;
  } catch {
    return undefined;
  }
}

function isLength(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Checks the shape of a decoded record; `undefined` when it is not a valid {@link CoverageRecord}. */
export function asCoverageRecord(value: unknown): CoverageRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (r['v'] !== 1 || !isLength(r['seq']) || typeof r['committed'] !== 'boolean') return undefined;
  if (r['length'] !== undefined && r['length'] !== null && !isLength(r['length'])) return undefined;
  if (r['label'] !== undefined && r['label'] !== null && typeof r['label'] !== 'string') return undefined;
  let ranges: RangeSet;
  try {
    ranges = RangeSet.fromJSON(r['ranges']);
  } catch {
    return undefined;
  }
  const length = isLength(r['length']) ? r['length'] : undefined;
  if (length !== undefined) {
    for (const range of ranges) if (range.end > length) return undefined;
  }
  if (r['committed'] === true && length === undefined) return undefined;
  return {
    v: 1,
    seq: r['seq'],
    ranges: ranges.toJSON(),
    length,
    committed: r['committed'],
    label: typeof r['label'] === 'string' ? r['label'] : undefined,
    time: typeof r['time'] === 'number' ? r['time'] : 0,
  };
}

/** Of the slots read back (any may be missing, torn or corrupt), the valid record with the highest `seq`. */
export function pickNewest(slots: readonly (Uint8Array | undefined)[]): { record: CoverageRecord | undefined; damaged: number } {
  let best: CoverageRecord | undefined;
  let damaged = 0;
  for (const bytes of slots) {
    if (bytes === undefined || bytes.length === 0) continue;
    const rec = asCoverageRecord(decodeFrame(bytes));
    if (rec === undefined) damaged++;
    else if (best === undefined || rec.seq > best.seq) best = rec;
  }
  return { record: best, damaged };
}

/** What a resource restores at open, after {@link verifyRecord}. */
export interface RestoredCoverage {
  readonly ranges: RangeSet;
  readonly length: number | undefined;
  readonly committed: boolean;
  /** Why the record was not trusted as it was, when it was not. */
  readonly problem: string | undefined;
}

/**
 * Trusts a record only as far as it can be verified: ranges past the stored size (when the
 * driver knows it) are dropped, and a resource whose ranges no longer cover its length is no
 * longer committed.
 */
export function verifyRecord(record: CoverageRecord | undefined, storedSize: number | undefined): RestoredCoverage {
  if (record === undefined) return { ranges: new RangeSet(), length: undefined, committed: false, problem: undefined };
  const ranges = RangeSet.fromJSON(record.ranges);
  let problem: string | undefined;
  if (storedSize !== undefined) {
    const clipped = new RangeSet();
    for (const r of ranges) if (r.start < storedSize) clipped.add(r.start, Math.min(r.end, storedSize));
    if (clipped.coveredBytes !== ranges.coveredBytes) {
      problem = `the index claims bytes past the stored size ${storedSize}`;
      return { ranges: clipped, length: record.length, committed: false, problem };
    }
  }
  const committed = record.committed && record.length !== undefined && ranges.has(0, record.length);
  if (record.committed && !committed) problem = 'a committed index that does not cover its length';
  return { ranges, length: record.length, committed, problem };
}

/** A `storage` error for a corrupt JSON slot. */
export function corruptSlotError(name: string): KitharaError {
  return new KitharaError('storage', `The stored record ${name} is corrupt.`, { fatal: false });
}
