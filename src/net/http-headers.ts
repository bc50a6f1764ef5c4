/**
 * Pure helpers for the HTTP headers this layer reads and writes: `Range`, `Content-Range`,
 * `Content-Length` and `Retry-After`.
 */
import type { NetRange } from './net.js';

/** The `Range` header value for a half-open range (`end` exclusive). */
export function rangeHeader(range: NetRange): string {
  if (!Number.isSafeInteger(range.start) || range.start < 0) throw new RangeError(`invalid range start ${range.start}`);
  if (range.end === undefined) return `bytes=${range.start}-`;
  if (!Number.isSafeInteger(range.end) || range.end <= range.start) throw new RangeError(`invalid range end ${range.end}`);
  return `bytes=${range.start}-${range.end - 1}`;
}

/** A parsed `Content-Range: bytes first-last/total` (`end` exclusive; `total` undefined for `*`). */
export interface ContentRange {
  start: number;
  end: number;
  total: number | undefined;
}

/** Parses `Content-Range`. Returns `null` when absent or malformed (including `bytes *\/total`). */
export function parseContentRange(value: string | null): ContentRange | null {
  if (value === null) return null;
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value);
  if (m === null) return null;
  const start = Number(m[1]);
  const last = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (last < start || (total !== undefined && last >= total)) return null;
  return { start, end: last + 1, total };
}

/** The total from an unsatisfied-range answer, `Content-Range: bytes *\/total`. */
export function parseUnsatisfiedTotal(value: string | null): number | undefined {
  if (value === null) return undefined;
  const m = /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(value);
  return m === null ? undefined : Number(m[1]);
}

/** Parses `Content-Length`; `undefined` when absent or not a plain non-negative integer. */
export function parseContentLength(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * `Retry-After` as a delay in ms: delta-seconds, or an HTTP-date relative to `nowMs` (wall-clock
 * epoch ms). `undefined` when absent or unparsable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
