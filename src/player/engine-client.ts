/**
 * The main thread's handle on the engine worker: one worker per page (per worker URL),
 * shared by every Player and Resource, driven through comlink.
 */
import * as Comlink from 'comlink';
import type { KeyLoader } from './types.js';
import { ENGINE_READY, type EngineApi, type EngineEvent } from '../engine/protocol.js';
import { installErrorTransfer } from '../engine/comlink-errors.js';
import { KitharaError } from '../platform/errors.js';

/** A connected engine. */
export interface EngineClient {
  api: Comlink.Remote<EngineApi>;
  nextId(): number;
  proxy(fn: (e: EngineEvent) => void): (e: EngineEvent) => void;
  /** Wraps a key loader so the worker can call it. */
  keyProxy(fn: KeyLoader): KeyLoader;
  /**
   * Exposes `fn` on a new MessageChannel for the worker to call (a comlink proxy that can travel
   * inside a message, where `proxy` only works as a call's argument): transfer `remote` to it;
   * `close` stops answering.
   */
  exposeOnPort<F extends (...args: never[]) => unknown>(fn: F): { remote: MessagePort; close(): void };
  /** Marks `value` to be sent with `transfer` moved, not copied. */
  transfer<T>(value: T, transfer: Transferable[]): T;
}

const engines = new Map<string, EngineClient>();
let ids = 0;

/** The URL of a file shipped next to this module in dist/. */
export function siblingUrl(name: string): URL {
  return new URL(name, import.meta.url);
}

function startWorker(url: URL): Worker {
  const sameOrigin = typeof location === 'undefined' || url.origin === location.origin;
  if (sameOrigin) return new Worker(url, { type: 'module', name: 'kithara-engine' });
  // A worker script on another origin (a CDN) is started through a same-origin trampoline.
  const blob = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(blob), { type: 'module', name: 'kithara-engine' });
}

/**
 * The worker's API, whose calls fail instead of waiting forever when the worker never starts (its
 * script does not load, e.g. a wrong `workerUrl`, or throws while it loads): the worker's `error`
 * event before it said {@link ENGINE_READY} (which comes before any answer) rejects every call made so far and
 * every later one with a `network` error, and `forget` drops the engine so the next use starts a
 * new worker. An error event after that (an uncaught error in a task) does not end it.
 */
function guardStart(worker: Worker, url: URL, forget: () => void): Comlink.Remote<EngineApi> {
  const remote = Comlink.wrap<EngineApi>(worker);
  let started = false;
  let rejectAll!: (e: KitharaError) => void;
  const failed = new Promise<never>((_, reject) => (rejectAll = reject));
  failed.catch(() => undefined);
  worker.addEventListener('message', (e: MessageEvent) => {
    if ((e.data as { type?: unknown } | null)?.type === ENGINE_READY) started = true;
  });
  worker.addEventListener('error', (e) => {
    if (started) return;
    const detail = e instanceof ErrorEvent && e.message ? `: ${e.message}` : '';
    rejectAll(new KitharaError('network', `The engine worker ${url.href} could not be started (its script did not load or failed${detail}).`, { url: url.href }));
    forget();
    worker.terminate();
  });
  const call = (name: PropertyKey) => (...args: unknown[]): Promise<unknown> => {
    const answer = Promise.resolve((remote as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[name]!(...args));
    return Promise.race([answer, failed]);
  };
  // Not a thenable: `await`ing the API object itself must not call the worker.
  return new Proxy({}, { get: (_, name) => (name === 'then' ? undefined : call(name)) }) as Comlink.Remote<EngineApi>;
}

/** Returns the shared engine for a worker URL, starting it on first use. */
export function getEngine(workerUrl?: string | URL): EngineClient {
  const url = workerUrl === undefined ? siblingUrl('kithara.worker.js') : new URL(String(workerUrl), globalThis.location?.href);
  const key = url.href;
  let engine = engines.get(key);
  if (engine === undefined) {
    installErrorTransfer();
    const worker = startWorker(url);
    engine = {
      api: guardStart(worker, url, () => engines.delete(key)),
      nextId: () => ++ids,
      proxy: (fn) => Comlink.proxy(fn),
      keyProxy: (fn) => Comlink.proxy(fn),
      exposeOnPort: (fn) => {
        const channel = new MessageChannel();
        Comlink.expose(fn, channel.port1);
        return { remote: channel.port2, close: () => channel.port1.close() };
      },
      transfer: (value, list) => (list.length === 0 ? value : Comlink.transfer(value, list)),
    };
    engines.set(key, engine);
  }
  return engine;
}
