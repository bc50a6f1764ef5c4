/**
 * Line-level reading of an M3U8 text: m3u8-parser's ParseStream tokenizes each line (tag
 * grammar, attribute lists); this module adds what it lacks: line numbers, the #EXTM3U check,
 * strict values, and one error type.
 */

import { ParseStream, type M3u8Entry } from 'm3u8-parser';
import { KitharaError } from '../../platform/errors.js';
import type { ByteRange } from './types.js';

/** A `parse` error that says on which line of which playlist it happened. */
export class PlaylistError extends KitharaError {
  /** 1-based line number in the playlist text. */
  readonly line: number;

  constructor(line: number, problem: string, url: string) {
    super('parse', `Malformed playlist at line ${line}: ${problem}`, { url });
    this.name = 'PlaylistError';
    this.line = line;
  }
}

/** One non-empty line, tokenized. */
export interface PlaylistLine {
  /** 1-based line number. */
  line: number;
  /** The line with surrounding white space removed. */
  text: string;
  /** What ParseStream made of it. */
  entry: M3u8Entry;
}

/** How much of a bad value an error message quotes. */
const QUOTE_MAX = 60;

/** `"value"`, shortened to QUOTE_MAX characters. */
export function quote(value: string): string {
  return JSON.stringify(value.length > QUOTE_MAX ? `${value.slice(0, QUOTE_MAX)}…` : value);
}

/**
 * Splits `text` into tokenized lines. Throws a {@link PlaylistError} at line 1 when the text
 * does not start with #EXTM3U (a BOM is allowed), and at the line of any tag the tokenizer
 * cannot read.
 */
export function readLines(text: string, url: string): PlaylistLine[] {
  const raw = text.replace(/^\uFEFF/, '').split('\n');
  const first = (raw[0] ?? '').trim();
  if (!first.startsWith('#EXTM3U')) {
    throw new PlaylistError(1, `not an HLS playlist: first line is ${quote(first)}`, url);
  }
  const out: PlaylistLine[] = [];
  const stream = new ParseStream();
  const emitted: M3u8Entry[] = [];
  stream.on('data', (entry) => emitted.push(entry));
  raw.forEach((rawLine, i) => {
    const text = rawLine.trim();
    if (text === '' || (text.startsWith('#') && !text.startsWith('#EXT'))) return; // blank, comment
    const line = i + 1;
    const checked = precheck(text, line, url);
    emitted.length = 0;
    try {
      stream.push(checked);
    } catch (err) {
      throw new PlaylistError(line, `cannot read ${quote(text)} (${String(err)})`, url);
    }
    const entry = emitted[0];
    if (entry !== undefined) out.push({ line, text, entry });
  });
  return out;
}

/**
 * Checks the values the tokenizer would misread or choke on before it sees them, and returns the
 * line to give it. An IV of fewer than 32 hex digits is valid but crashes the tokenizer, so it
 * gets the IV zero-padded (the parsers read the IV from the original text anyway).
 */
function precheck(text: string, line: number, url: string): string {
  if (text.startsWith('#EXT-X-KEY:') || text.startsWith('#EXT-X-SESSION-KEY:')) {
    const iv = rawAttribute(text, 'IV');
    if (iv !== undefined) {
      const bytes = parseIv(iv, line, url);
      const padded = `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
      return text.replace(`IV=${iv}`, `IV=${padded}`);
    }
  }
  return text;
}

/**
 * The raw text of attribute `name` in a tag line (quotes kept off), or undefined. Used to check
 * values strictly where the tokenizer is lenient (it reads "12abc" as 12).
 */
export function rawAttribute(text: string, name: string): string | undefined {
  const list = text.slice(text.indexOf(':') + 1);
  const re = /\s*([A-Z0-9-]+)\s*=\s*("[^"]*"|[^,]*)\s*(?:,|$)/gy;
  for (let m = re.exec(list); m !== null && m[0] !== ''; m = re.exec(list)) {
    if (m[1] === name) {
      const value = m[2] ?? '';
      return value.startsWith('"') ? value.slice(1, -1) : value.trim();
    }
  }
  return undefined;
}

/** The tag name of a tag line (`#EXT-X-KEY:…` gives `EXT-X-KEY`). */
export function tagName(text: string): string {
  return /^#([A-Z0-9-]+)/.exec(text)?.[1] ?? text;
}

/** The text after the tag name and colon. */
export function tagValue(text: string): string {
  const colon = text.indexOf(':');
  return colon < 0 ? '' : text.slice(colon + 1).trim();
}

/** A non-negative decimal-integer, or a {@link PlaylistError}. */
export function parseInteger(value: string | undefined, what: string, line: number, url: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new PlaylistError(line, `${what} ${value === undefined ? 'is missing' : `${quote(value)} is not an integer`}`, url);
  }
  return Number(value);
}

/** `<length>[@<offset>]`; `offset` is undefined when omitted. */
export function parseByteRange(
  value: string | undefined,
  what: string,
  line: number,
  url: string,
): { length: number; offset: number | undefined } {
  const m = value === undefined ? null : /^(\d+)(?:@(\d+))?$/.exec(value.trim());
  if (m === null) {
    throw new PlaylistError(line, `${what} ${quote(value ?? '')} is not <length>[@<offset>]`, url);
  }
  return { length: Number(m[1]), offset: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Fills in an omitted offset: 0 (EXT-X-MAP). */
export function byteRangeAt(range: { length: number; offset: number | undefined }, offset: number): ByteRange {
  return { offset: range.offset ?? offset, length: range.length };
}

/**
 * A 0x/0X hexadecimal-sequence IV as 16 bytes. Shorter values are read as a 128-bit integer
 * (left-padded with zeros); longer ones and non-hex digits are errors.
 */
export function parseIv(value: string, line: number, url: string): Uint8Array {
  const m = /^0[xX]([0-9a-fA-F]{1,32})$/.exec(value);
  if (m === null || m[1] === undefined) {
    throw new PlaylistError(line, `IV ${quote(value)} is not a 0x-prefixed hexadecimal number of at most 128 bits`, url);
  }
  const hex = m[1].padStart(32, '0');
  const iv = new Uint8Array(16);
  for (let i = 0; i < 16; i++) iv[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return iv;
}

/** `new URL(uri, base).href`, or a {@link PlaylistError}. */
export function resolveUri(uri: string, base: string, line: number): string {
  try {
    return new URL(uri, base).href;
  } catch {
    throw new PlaylistError(line, `cannot resolve URI ${quote(uri)} against ${quote(base)}`, base);
  }
}

/** A string attribute as the tokenizer left it (unquoted), if it is a string. */
export function stringAttribute(entry: M3u8Entry, name: string): string | undefined {
  const v = entry.attributes?.[name];
  return typeof v === 'string' ? v : undefined;
}
