/**
 * A one-shot-per-notify wake-up: `wait()` resolves at the next `notify()`. Used for event-driven
 * backpressure (the downloader waits for the reader to move), never for polling.
 */
import { raceAbort } from '../platform/abort.js';

/** Wakes every current waiter at the next {@link Pulse.notify}. */
export class Pulse {
  private next = deferred();

  /** Resolves at the next `notify()`; rejects with an `aborted` KitharaError when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    return raceAbort(this.next.promise, signal);
  }

  /** Wakes everyone waiting now. */
  notify(): void {
    const current = this.next;
    this.next = deferred();
    current.resolve();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
