/**
 * The one error type of the SDK. Every failure that reaches a user is a `KitharaError`
 * with a machine-readable {@link KitharaErrorCode}. Never match on `message`.
 */

/** What went wrong, in one word. */
export type KitharaErrorCode =
  | 'network'
  | 'http'
  | 'timeout'
  | 'aborted'
  | 'parse'
  | 'unsupported'
  | 'decode'
  | 'decrypt'
  | 'storage';

/** Extra facts an error may carry. */
export interface KitharaErrorInit {
  /** HTTP status, for `http` errors. */
  status?: number;
  /** The URL that failed, where one applies. */
  url?: string;
  /** Whether the pipeline stopped because of it. Defaults to `true`. */
  fatal?: boolean;
  /** The underlying error. */
  cause?: unknown;
}

/** A typed SDK error. `code` says what kind; `status` and `url` say where. */
export class KitharaError extends Error {
  /** What kind of failure this is. */
  readonly code: KitharaErrorCode;
  /** HTTP status code, when the failure is an HTTP answer. */
  readonly status: number | undefined;
  /** The URL involved, when there is one. */
  readonly url: string | undefined;
  /** `true` when playback of the resource cannot continue. */
  readonly fatal: boolean;

  constructor(code: KitharaErrorCode, message: string, init: KitharaErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KitharaError';
    this.code = code;
    this.status = init.status;
    this.url = init.url;
    this.fatal = init.fatal ?? true;
  }

  /** A plain object that survives structured clone (worker → main thread). */
  toJSON(): SerializedKitharaError {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      url: this.url,
      fatal: this.fatal,
    };
  }

  /** Rebuilds an error sent across a thread boundary. */
  static fromJSON(data: SerializedKitharaError): KitharaError {
    return new KitharaError(data.code, data.message, {
      status: data.status,
      url: data.url,
      fatal: data.fatal,
    });
  }

  /** Wraps anything thrown into a `KitharaError`, keeping one that already is. */
  static from(err: unknown, fallback: KitharaErrorCode = 'decode'): KitharaError {
    if (err instanceof KitharaError) return err;
    if (isAbortError(err)) return new KitharaError('aborted', 'The operation was aborted.', { cause: err });
    const message = err instanceof Error ? err.message : String(err);
    return new KitharaError(fallback, message, { cause: err });
  }
}

/** The structured-clone form of a {@link KitharaError}. */
export interface SerializedKitharaError {
  code: KitharaErrorCode;
  message: string;
  status: number | undefined;
  url: string | undefined;
  fatal: boolean;
}

/**
 * `true` for a `TypeError` or `RangeError`: an argument the caller got wrong (e.g. a variant
 * index the stream does not have). These are thrown as they are, never wrapped as a
 * KitharaError whose code would blame the network or the media.
 */
export function isArgumentError(err: unknown): err is TypeError | RangeError {
  return err instanceof TypeError || err instanceof RangeError;
}

/** `true` for DOMException AbortError and for `aborted` KitharaErrors. */
export function isAbortError(err: unknown): boolean {
  if (err instanceof KitharaError) return err.code === 'aborted';
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** Internal invariant check. Throws a plain Error: a failed assert is a bug, not bad input. */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new Error(`Kithara internal error: ${message}`);
}
