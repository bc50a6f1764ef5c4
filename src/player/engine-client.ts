/**
 * The main thread's handle on the engine worker: one worker per page (per worker URL),
 * shared by every Player and Resource, driven through comlink.
 */
import * as Comlink from 'comlink';
import type { KeyLoader } from './types.js';
import type { EngineApi, EngineEvent } from '../engine/protocol.js';
import { installErrorTransfer } from '../engine/comlink-errors.js';

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

/** Returns the shared engine for a worker URL, starting it on first use. */
export function getEngine(workerUrl?: string | URL): EngineClient {
  const url = workerUrl === undefined ? siblingUrl('kithara.worker.js') : new URL(String(workerUrl), globalThis.location?.href);
  const key = url.href;
  let engine = engines.get(key);
  if (engine === undefined) {
    installErrorTransfer();
    const worker = startWorker(url);
    engine = {
      api: Comlink.wrap<EngineApi>(worker),
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
