/**
 * Yielding to the event loop for one task (not a microtask): lets tasks already queued run first,
 * such as a platform decoder's output and decode-done callbacks. A `MessageChannel` message, which
 * is not clamped like nested `setTimeout(0)`; `setTimeout` where there is none. The channel is made
 * on first use (no side effect at module load) and does not keep a Node process alive.
 */

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

/** Resolves in a later task of this thread's event loop. */
export function nextTask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(0);
  });
}
