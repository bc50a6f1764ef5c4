/**
 * Finding pages by granule in an Ogg file: bisection over the byte range (each probe reads one
 * chunk at the midpoint and resyncs to the next page with a valid CRC), then a short linear walk;
 * and the last granule of a stream from one read of the file's tail.
 */
import type { OggPage, OggPageReader } from './ogg-page.js';

/** Tunables of Ogg seeking. */
export const OGG_SEEK_DEFAULTS = {
  /** Bisection stops when the range is this small and a linear walk finishes. Defaults to 64 KiB. */
  linearBytes: 64 * 1024,
  /** The tail read for the last granule. Defaults to 64 KiB. */
  tailBytes: 64 * 1024,
  /** The tail read grows up to this when the last page of the stream is not in it. Defaults to 1 MiB. */
  maxTailBytes: 1024 * 1024,
} as const;

/** The first page of `serial` with a granule at or after `from` and before `limit`. */
async function firstGranulePage(pages: OggPageReader, serial: number, from: number, limit: number): Promise<OggPage | null> {
  for (let at = from; ; ) {
    const p = await pages.find(at, limit);
    if (!p) return null;
    if (p.serial === serial && p.granule !== -1) return p;
    at = p.offset + p.size;
  }
}

/**
 * The last page of `serial` after offset `after` whose granule is at most `granule`, or `null`
 * when the first such page is already past it. `after` must be a page offset.
 */
export async function findSeekPage(pages: OggPageReader, serial: number, after: number, granule: number): Promise<OggPage | null> {
  let best: OggPage | null = null;
  let lo = after;
  const length = pages.length;
  if (length !== undefined) {
    let hi = length;
    while (hi - lo > OGG_SEEK_DEFAULTS.linearBytes) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const p = await firstGranulePage(pages, serial, mid, hi);
      if (p && p.offset > after && p.granule <= granule) {
        best = p;
        lo = p.offset + p.size;
      } else {
        hi = mid;
      }
    }
  }
  for (let at = best ? best.offset + best.size : lo; ; ) {
    let r = await pages.readAt(at);
    if (r === 'invalid') r = (await pages.find(at + 1)) ?? 'eof';
    if (typeof r !== 'object') break;
    at = r.offset + r.size;
    if (r.serial !== serial || r.granule === -1 || r.offset <= after) continue;
    if (r.granule > granule) break;
    best = r;
  }
  return best;
}

/**
 * The granule of the last page of `serial` that has one, read from the tail of the file, or
 * `undefined` when the length is unknown or no such page is near the end.
 */
export async function findLastGranule(pages: OggPageReader, serial: number): Promise<number | undefined> {
  const length = pages.length;
  if (length === undefined) return undefined;
  for (let window = OGG_SEEK_DEFAULTS.tailBytes; ; window *= 4) {
    const start = Math.max(0, length - window);
    let last: number | undefined;
    for (let at = start; ; ) {
      const p = await pages.find(at);
      if (!p) break;
      if (p.serial === serial && p.granule !== -1) last = p.granule;
      at = p.offset + p.size;
    }
    if (last !== undefined) return last;
    if (start === 0 || window >= OGG_SEEK_DEFAULTS.maxTailBytes) return undefined;
  }
}
