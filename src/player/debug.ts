/**
 * Diagnostics (`Kithara.debug`): timeline marks of the main thread and the engine worker, to
 * see where start-up and seek time goes; and `block`, which stalls the worker on purpose (tests).
 * Not part of playback; off by default.
 *
 * ```js
 * await Kithara.debug.trace(true);
 * player.src = url; await player.play();
 * console.table(await Kithara.debug.marks());
 * ```
 */
import { mark, setTracing, takeMarks, type TraceMark } from '../platform/trace.js';
import { getEngine } from './engine-client.js';

/** The diagnostics API. */
export const debug = {
  /**
   * Turns timeline marks on or off, here and in the engine worker of `workerUrl` (the default
   * worker when omitted; it is started if it was not).
   */
  async trace(on: boolean, workerUrl?: string | URL): Promise<void> {
    setTracing(on);
    await getEngine(workerUrl).api.debugTrace(on);
  },
  /** Notes a mark of the page's own (e.g. the moment a benchmark starts its clock). */
  mark(name: string): void {
    mark(name);
  },
  /**
   * The marks so far of this page and the engine worker, merged in time order (then forgotten).
   * `at` is epoch milliseconds (`performance.timeOrigin + performance.now()`); worker marks are
   * named `worker:…`.
   */
  async marks(workerUrl?: string | URL): Promise<TraceMark[]> {
    const mine = takeMarks();
    const theirs = (await getEngine(workerUrl).api.debugMarks()).map((m) => ({ name: `worker:${m.name}`, at: m.at }));
    return [...mine, ...theirs].sort((a, b) => a.at - b.at);
  },
  /**
   * Diagnostic and test use only: blocks the engine worker of `workerUrl` (the default worker when
   * omitted; it is started if it was not) for `ms` milliseconds by busy-waiting its thread, as a
   * long task there would. Resolves when the worker is free again. Playback should not notice
   * while the output ring holds more than `ms` of audio.
   */
  async block(ms: number, workerUrl?: string | URL): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TypeError('ms must be a finite number ≥ 0.');
    await getEngine(workerUrl).api.debugBlock(ms);
  },
};
