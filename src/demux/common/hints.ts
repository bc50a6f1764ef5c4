/** Scoring help for probes: URL extensions and MIME types only add a few points. */
import type { ProbeHints } from '../types.js';

/** Points a matching extension or MIME type adds to a content score. */
export const HINT_POINTS = 5;

/** The lower-case extension of `url`'s path ('mp3'), or '' when it has none. */
export function urlExtension(url: string | undefined): string {
  if (!url) return '';
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** {@link HINT_POINTS} when the URL extension or MIME type is one of the given ones, else 0. */
export function hintBonus(hints: ProbeHints, extensions: readonly string[], mimeTypes: readonly string[]): number {
  const mime = (hints.mimeType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (mime && mimeTypes.includes(mime)) return HINT_POINTS;
  return extensions.includes(urlExtension(hints.url)) ? HINT_POINTS : 0;
}

