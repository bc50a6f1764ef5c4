// Types for test-server.mjs, so TypeScript tests (node:test and Playwright) import it typed.

/** One request as the server saw it. */
export interface RequestRecord {
  method: string;
  /** Decoded URL path, without the query. */
  path: string;
  /** Query parameters. */
  query: Record<string, string>;
  /** The Range header, or null. */
  range: string | null;
  status: number;
  /** Body bytes written so far. */
  bytesSent: number;
  /** The body did not complete (client went away, or a drop/stall fault cut it). */
  aborted: boolean;
  /** The server cut the body on purpose (drop, dropOnce, stall). */
  dropped: boolean;
  /** Arrival time, ms since the server started. */
  t: number;
  /** Time from arrival until the connection closed or the response ended, ms. */
  ms: number;
}

/** Options of {@link startServer}. */
export interface TestServerOptions {
  /** Folder served at `/`. */
  root: string;
  /** Defaults to 0 (any free port). */
  port?: number;
  /** Defaults to '127.0.0.1'. */
  host?: string;
  /** Send COOP same-origin and COEP require-corp. Defaults to true. */
  coi?: boolean;
  /** Delay before the headers of every response, unless `latency=` overrides it. Defaults to 0. */
  latencyMs?: number;
  /** Throughput cap of every response, unless `rate=` overrides it. Defaults to Infinity. */
  bytesPerSec?: number;
  /** Mount points, e.g. `{ '/dist': '/abs/dist' }`. Defaults to none. */
  extraRoots?: Record<string, string>;
}

/** A running test server. */
export interface TestServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** Every request (control endpoints excepted), in arrival order; live, mutable. */
  log: RequestRecord[];
  /** Clears the fail/dropOnce counters (not the log). */
  resetState(): void;
  close(): Promise<void>;
}

/** Starts the test server. */
export function startServer(options: TestServerOptions): Promise<TestServer>;

/** Content types by extension (with the dot). */
export const MIME_TYPES: Record<string, string>;

/** Parses a single `bytes=` range: [start, end], 'unsatisfiable', or null to serve everything. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | null;

/** Seeded pseudo-random bytes. */
export function garbage(n: number, seed: number): Uint8Array;
