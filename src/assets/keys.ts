/**
 * Asset keys: a URL is canonicalized, then hashed (SHA-256, hex, first 32 digits as in the
 * reference's asset roots) into a file-name-safe key.
 *
 * Canonical form (the reference canonicalizes scheme, host and port, and drops the fragment):
 * - the scheme and host are lowercased and a default port is dropped (WHATWG URL parsing does
 *   this, and resolves `.` and `..` path segments);
 * - percent-escapes are uppercased (`%7e` and `%7E` name the same byte);
 * - the fragment is removed;
 * - the query is KEPT by default, in its order (unlike the reference, which drops it: on the web
 *   a query often selects the content). `dropQueryParams` removes named parameters (signed-URL
 *   tokens, cache busters); `ignoreQuery` drops the whole query as the reference does.
 *
 * A user `keyFn` replaces the URL → identity mapping (its result is hashed, as a canonical URL
 * is); it may be asynchronous (the public `cacheKey` runs on the page and answers over the worker
 * boundary: {@link memoizeKeyFn} keeps one answer per URL so a key costs one round trip per URL,
 * not per open). A byte-range sub-resource (an HLS `EXT-X-BYTERANGE` segment) is keyed by its
 * identity plus the range.
 */
import { KitharaError } from '../platform/errors.js';

/** How URLs map to asset keys. */
export interface AssetKeyOptions {
  /** Query parameters removed before keying, by exact name (e.g. `['token', 'Expires']`). Defaults to none. */
  dropQueryParams?: readonly string[];
  /** Drop the whole query. Defaults to `false`. */
  ignoreQuery?: boolean;
  /**
   * Maps a URL to its identity (hashed into the key) instead of {@link canonicalUrl}; then
   * `dropQueryParams` and `ignoreQuery` do not apply. It may return a promise. Defaults to none.
   */
  keyFn?: (url: string) => string | Promise<string>;
}

/** A byte range of a resource: `length` bytes from `offset`. */
export interface AssetRange {
  readonly offset: number;
  readonly length: number;
}

function upperEscapes(s: string): string {
  return s.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

function paramName(part: string): string {
  const eq = part.indexOf('=');
  const raw = (eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The canonical form of `url` (see the file header). Throws a `parse` KitharaError for a relative or invalid URL. */
export function canonicalUrl(url: string, options: AssetKeyOptions = {}): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new KitharaError('parse', `Not an absolute URL: ${url}`, { url, cause: err });
  }
  u.hash = '';
  let query = '';
  if (options.ignoreQuery !== true && u.search.length > 1) {
    const drop = new Set(options.dropQueryParams ?? []);
    const kept = u.search
      .slice(1)
      .split('&')
      .filter((part) => part.length > 0 && !drop.has(paramName(part)));
    if (kept.length > 0) query = `?${kept.join('&')}`;
  }
  u.search = '';
  const base = u.href.endsWith('#') ? u.href.slice(0, -1) : u.href;
  return upperEscapes(base) + upperEscapes(query);
}

/** The identity string hashed into a key: the canonical URL (or `keyFn`'s result), plus the range. */
export async function assetIdentity(url: string, options: AssetKeyOptions = {}, range?: AssetRange): Promise<string> {
  const id = options.keyFn !== undefined ? await options.keyFn(url) : canonicalUrl(url, options);
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('options.keyFn, when provided, must return a non-empty string.');
  if (range === undefined) return id;
  if (!Number.isSafeInteger(range.offset) || range.offset < 0 || !Number.isSafeInteger(range.length) || range.length <= 0) {
    throw new TypeError('range, when provided, must have a non-negative integer offset and a positive integer length.');
  }
  return `${id}\nbytes=${range.offset}-${range.offset + range.length - 1}`;
}

/**
 * `fn` with one answer kept per URL (the most recent `maxUrls` URLs): a key function that costs
 * a round trip (the page's `cacheKey`, called from the worker) is asked once per URL, and
 * concurrent opens of one URL share one call. A call that fails (or answers with anything but a
 * non-empty string) is not kept, so the next open asks again.
 */
export function memoizeKeyFn(fn: (url: string) => string | Promise<string>, maxUrls: number): (url: string) => Promise<string> {
  if (!Number.isSafeInteger(maxUrls) || maxUrls < 1) throw new TypeError('maxUrls must be a positive integer.');
  const answers = new Map<string, Promise<string>>();
  return (url) => {
    const known = answers.get(url);
    if (known !== undefined) {
      // Most recently used last: the oldest URL is the first to go.
      answers.delete(url);
      answers.set(url, known);
      return known;
    }
    const answer = (async () => {
      const id = await fn(url);
      if (typeof id !== 'string' || id.length === 0) throw new TypeError('options.keyFn, when provided, must return a non-empty string.');
      return id;
    })();
    answers.set(url, answer);
    answer.catch(() => {
      if (answers.get(url) === answer) answers.delete(url);
    });
    if (answers.size > maxUrls) answers.delete(answers.keys().next().value as string);
    return answer;
  };
}

/** SHA-256 of UTF-8 `text` as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Length of an asset key in hex digits (128 bits, as the reference's asset roots). */
export const ASSET_KEY_LENGTH = 32;

/** The asset key of `url` (and `range`): 32 lowercase hex digits, safe as a file name. */
export async function assetKey(url: string, options: AssetKeyOptions = {}, range?: AssetRange): Promise<string> {
  return (await sha256Hex(await assetIdentity(url, options, range))).slice(0, ASSET_KEY_LENGTH);
}

/** `true` when `s` has the shape of an asset key. */
export function isAssetKey(s: string): boolean {
  return s.length === ASSET_KEY_LENGTH && /^[0-9a-f]+$/.test(s);
}
