/**
 * Debug timeline marks: `mark('name')` notes the wall time (`performance.timeOrigin + now()`,
 * comparable across the page, its workers and worklets) of a step, when tracing is on. Off by
 * default; a page turns it on with `Kithara.debug.trace(true)`, which also turns it on in the
 * engine worker. Bounded (the oldest marks go first), allocation-free when off. Benchmarks read
 * the marks to explain where start-up time goes; nothing in the SDK depends on them.
 */

/** One mark: what happened and when (epoch ms, fractional). */
export interface TraceMark {
  readonly name: string;
  readonly at: number;
}

/** Marks kept at most. */
const CAPACITY = 512;
let on = false;
let marks: TraceMark[] = [];

/** Turns tracing on or off (off also forgets the marks). */
export function setTracing(enabled: boolean): void {
  on = enabled;
  if (!enabled) marks = [];
}

/** `true` while tracing. */
export function tracing(): boolean {
  return on;
}

/** Notes `name` now, when tracing. */
export function mark(name: string): void {
  if (!on) return;
  if (marks.length >= CAPACITY) marks.shift();
  marks.push({ name, at: performance.timeOrigin + performance.now() });
}

/** Returns the marks so far and forgets them. */
export function takeMarks(): TraceMark[] {
  const out = marks;
  marks = [];
  return out;
}
