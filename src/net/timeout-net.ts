/**
 * Timeout decorator. Two clocks per request, both on the injected {@link Clock}:
 * - connect: from the call until the response headers arrive;
 * - inactivity: while the caller waits for a body chunk (reset by every chunk). A body the caller
 *   is not reading (backpressure) never times out.
 * Both fail with a `timeout` KitharaError, which {@link isRetryable} accepts.
 */
import { childController, raceAbort, type ChildController } from '../platform/abort.js';
import type { Clock } from '../platform/clock.js';
import { KitharaError } from '../platform/errors.js';
import { readAll, type Net, type NetHeadResponse, type NetRequestOptions, type NetResponse } from './net.js';
import { abortReasonOf, toNetError } from './net-errors.js';

/** The timeouts of {@link TimeoutNet}, in ms. */
export interface TimeoutPolicy {
  /** Until the response headers arrive. */
  connectTimeoutMs: number;
  /** Longest wait for the next body chunk while the caller is reading. */
  inactivityTimeoutMs: number;
}

/** Adds connect and inactivity timeouts to another {@link Net}. */
export class TimeoutNet implements Net {
  constructor(
    private readonly inner: Net,
    private readonly policy: TimeoutPolicy,
    private readonly clock: Clock,
  ) {}

  private timeoutError(url: string, what: string, ms: number): KitharaError {
    return new KitharaError('timeout', `${what} within ${ms} ms for ${url}`, { url });
  }

  /** Runs `start` under the connect timeout; the returned controller stays live for the body. */
  private async connect<T>(url: string, options: NetRequestOptions, start: (o: NetRequestOptions) => Promise<T>): Promise<[T, ChildController]> {
    const child = childController(options.signal);
    const ms = this.policy.connectTimeoutMs;
    const cancel = this.clock.setTimer(ms, () => child.abort(this.timeoutError(url, 'No response', ms)));
    try {
      const value = await raceAbort(start({ ...options, signal: child.signal }), child.signal);
      return [value, child];
    } catch (err) {
      child.dispose();
      throw toNetError(err, url, child.signal);
    } finally {
      cancel();
    }
  }

  async get(url: string, options: NetRequestOptions = {}): Promise<NetResponse> {
    const [res, child] = await this.connect(url, options, (o) => this.inner.get(url, o));
    return { ...res, body: this.watchBody(res.body, url, child) };
  }

  async head(url: string, options: NetRequestOptions = {}): Promise<NetHeadResponse> {
    const [res, child] = await this.connect(url, options, (o) => this.inner.head(url, o));
    child.dispose();
    return res;
  }

  async getBytes(url: string, options: NetRequestOptions = {}): Promise<Uint8Array> {
    const res = await this.get(url, options);
    return readAll(res.body, options.signal, res.bodyLength);
  }

  /** Wraps a body so each pending read is bounded by the inactivity timeout. */
  private watchBody(src: ReadableStream<Uint8Array>, url: string, child: ChildController): ReadableStream<Uint8Array> {
    const reader = src.getReader();
    const ms = this.policy.inactivityTimeoutMs;
    const finish = (): void => child.dispose();
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const cancel = this.clock.setTimer(ms, () => child.abort(this.timeoutError(url, 'No data', ms)));
          try {
            const { done, value } = await raceAbort(reader.read(), child.signal);
            if (done) {
              finish();
              controller.close();
            } else {
              controller.enqueue(value);
            }
          } catch (err) {
            finish();
            const error = child.signal.aborted ? abortReasonOf(child.signal) : toNetError(err, url);
            reader.cancel(error).catch(() => undefined);
            controller.error(error);
          } finally {
            cancel();
          }
        },
        cancel: (reason) => {
          finish();
          return reader.cancel(reason).catch(() => undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }
}
