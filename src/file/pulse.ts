/**
 * A wake-up signal: `wait()` resolves at the next `notify()`. Used for event-driven
 * backpressure (the downloader waits for the reader to move), never for polling. `notify()`
 * with nobody waiting costs nothing, so the reader may call it on every read.
 */
import { raceAbort } from '../platform/abort.js';

/** Wakes every current waiter at the next {@link Pulse.notify}. */
export class Pulse {
  private next: { promise: Promise<void>; resolve: () => void } | undefined;

  /** Resolves at the next `notify()`; rejects with an `aborted` KitharaError when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (this.next === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.next = { promise, resolve };
    }
    return raceAbort(this.next.promise, signal);
  }

  /** Wakes everyone waiting now. */
  notify(): void {
    const current = this.next;
    this.next = undefined;
    current?.resolve();
  }
}
