/**
 * Pure helpers of `<kithara-player>`: which Player events it forwards and how, the status line,
 * and TimeRanges copying. No DOM access at module load.
 */
import type { PlayerEventMap, PlayerStats } from '../player/types.js';

/** The Player events the element re-dispatches, under the same names. */
export const FORWARDED_EVENTS: ReadonlyArray<keyof PlayerEventMap | 'loadeddata' | 'canplaythrough'> = [
  'loadstart', 'loadedmetadata', 'loadeddata', 'durationchange', 'canplay', 'canplaythrough', 'play',
  'playing', 'pause', 'waiting', 'seeking', 'seeked', 'timeupdate', 'progress', 'ended', 'error',
  'volumechange', 'variants', 'variantchange', 'formatchange',
];

/** One line for the status bar: codec, decoder, buffer, output mode. */
export function statusLine(stats: PlayerStats): string {
  const parts: string[] = [];
  const f = stats.format;
  if (f) {
    parts.push(`${f.codec} ${(f.sampleRate / 1000).toFixed(1)} kHz ${f.channels === 1 ? 'mono' : `${f.channels} ch`}`);
    parts.push(f.decoderName || f.decoder);
  }
  parts.push(`buffer ${stats.bufferedAheadSec.toFixed(2)} s`);
  if (stats.underruns > 0) parts.push(`${stats.underruns} underruns`);
  if (stats.outputMode !== 'none') parts.push(stats.outputMode);
  return parts.join(' · ');
}

/** Copies a TimeRanges-like object into plain `[start, end]` pairs. */
export function rangesOf(ranges: { length: number; start(i: number): number; end(i: number): number } | null): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!ranges) return out;
  for (let i = 0; i < ranges.length; i++) out.push([ranges.start(i), ranges.end(i)]);
  return out;
}

/**
 * A fresh event equal to `e` (an event being dispatched cannot be dispatched again): an
 * `ErrorEvent` keeps its `error`, a `CustomEvent` its `detail`.
 */
export function cloneEvent(e: Event): Event {
  if (e.type === 'error' || e instanceof ErrorEvent) {
    const error = (e as Partial<ErrorEvent>).error;
    const message = (e as Partial<ErrorEvent>).message ?? (error instanceof Error ? error.message : '');
    return new ErrorEvent(e.type, { error, message });
  }
  if (e instanceof CustomEvent) return new CustomEvent(e.type, { detail: e.detail as unknown });
  return new Event(e.type);
}
