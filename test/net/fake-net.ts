/**
 * A scripted {@link Net} for decorator tests: each call takes the next step of a script.
 * It stands in for the network below the decorator under test, never for the decorator itself.
 */
import type { Net, NetHeadResponse, NetRequestOptions, NetResponse } from '../../src/net/net.js';
import { raceAbort } from '../../src/platform/abort.js';

/** One scripted answer: an error to throw, a response body, or 'hang' (never answers). */
export type Step = { error: unknown } | { chunks: Uint8Array[]; hangAfter?: boolean } | 'hang';

/** A Net that answers from a script and counts calls. */
export class ScriptedNet implements Net {
  calls = 0;
  /** Signals passed in, per call. */
  signals: (AbortSignal | undefined)[] = [];

  constructor(private readonly script: Step[]) {}

  async get(url: string, options: NetRequestOptions = {}): Promise<NetResponse> {
    const step = this.script[Math.min(this.calls, this.script.length - 1)]!;
    this.calls++;
    this.signals.push(options.signal);
    if (step === 'hang') return raceAbort(new Promise<NetResponse>(() => undefined), options.signal);
    if ('error' in step) throw step.error;
    const queue = [...step.chunks];
    const body = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          const next = queue.shift();
          if (next !== undefined) c.enqueue(next);
          else if (!step.hangAfter) c.close();
          else return new Promise<void>(() => undefined);
        },
      },
      { highWaterMark: 0 },
    );
    return { status: 200, headers: new Headers(), url, totalLength: undefined, rangeStart: 0, bodyLength: undefined, body };
  }

  async head(url: string, options?: NetRequestOptions): Promise<NetHeadResponse> {
    const res = await this.get(url, options);
    await res.body.cancel();
    return { status: res.status, headers: res.headers, url, totalLength: undefined, acceptsRanges: false };
  }

  async getBytes(url: string, options?: NetRequestOptions): Promise<Uint8Array> {
    const res = await this.get(url, options);
    return new Uint8Array(await new Response(res.body).arrayBuffer());
  }
}
