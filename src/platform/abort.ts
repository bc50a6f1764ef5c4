/** Cancellation is an AbortSignal tree: closing a parent aborts every child. */
import { KitharaError } from './errors.js';

/** A controller whose signal also aborts when any parent aborts. Call `dispose` to detach. */
export interface ChildController {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  dispose(): void;
}

/** Makes a child of the given parent signals. */
export function childController(...parents: (AbortSignal | undefined)[]): ChildController {
  const controller = new AbortController();
  const detach: (() => void)[] = [];
  for (const parent of parents) {
    if (parent === undefined) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const onAbort = (): void => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    detach.push(() => parent.removeEventListener('abort', onAbort));
  }
  const dispose = (): void => {
    for (const d of detach.splice(0)) d();
  };
  return {
    controller,
    signal: controller.signal,
    abort: (reason?: unknown) => {
      dispose();
      controller.abort(reason ?? new KitharaError('aborted', 'The operation was aborted.'));
    },
    dispose,
  };
}

/** Throws an `aborted` KitharaError if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof KitharaError ? reason : new KitharaError('aborted', 'The operation was aborted.', { cause: reason });
  }
}

/** Rejects when the signal aborts; otherwise settles like `promise`. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      const reason: unknown = signal.reason;
      reject(reason instanceof KitharaError ? reason : new KitharaError('aborted', 'The operation was aborted.', { cause: reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
