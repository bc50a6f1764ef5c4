/** The engine: every session of the page, keyed by id. Exposed to the main thread by comlink. */
import * as Comlink from 'comlink';
import { KitharaError } from '../platform/errors.js';
import type { EngineApi, EngineEvent, OpenRequest, OpenResult, ReadResult } from './protocol.js';
import { Session } from './session.js';

/** Version of the engine worker. Keep it equal to `version` in src/version.ts (no test checks this one). */
export const ENGINE_VERSION = '0.1.0';

/** The worker-side API implementation. */
export class Engine implements EngineApi {
  private readonly sessions = new Map<number, Session>();

  async open(id: number, request: OpenRequest, onEvent: (event: EngineEvent) => void): Promise<OpenResult> {
    const emit = (e: EngineEvent): void => {
      // A listener on the other side that throws must never break the pipeline.
      Promise.resolve(onEvent(e)).catch(() => undefined);
    };
    const session = await Session.open(request, emit);
    this.sessions.set(id, session);
    return session.info;
  }

  seek(id: number, seconds: number): Promise<number> {
    return this.get(id).seek(seconds);
  }

  async read(id: number, maxFrames: number): Promise<ReadResult | null> {
    const result = await this.get(id).read(maxFrames);
    return result === null ? null : Comlink.transfer(result, [result.interleaved.buffer]);
  }

  async close(id: number): Promise<void> {
    this.sessions.get(id)?.close();
    this.sessions.delete(id);
  }

  version(): string {
    return ENGINE_VERSION;
  }

  private get(id: number): Session {
    const s = this.sessions.get(id);
    if (s === undefined) throw new KitharaError('aborted', `No open session ${id}: it was closed.`);
    return s;
  }
}
