/**
 * The {@link Decoder} plumbing shared by the AssemblyScript decoders (AAC-LC, MPEG audio,
 * Vorbis): each decodes a packet synchronously inside `decode()`, so `queueSize` is always 0 and
 * `ready()`/`flush()` resolve at once. A subclass supplies only `decodePacket` (run the module,
 * push output with `emit`) and the module's `resetState`.
 *
 * Errors: a trap or a negative module result becomes a `decode` KitharaError on `error`; nothing
 * is thrown out of `decode()`, and every later call is a no-op.
 */
import { fromBase64 } from '../../platform/bytes.js';
import { KitharaError } from '../../platform/errors.js';
import type { EncodedPacket } from '../../demux/types.js';
import type { DecodedChunk, Decoder } from '../types.js';
import { PlaneArena } from '../plane-arena.js';

/**
 * Compiles a base64-embedded WASM module once per realm (the first call starts it, later calls
 * share the promise; a failed compile is retried next time).
 */
export function compiledOnce(base64: string): () => Promise<WebAssembly.Module> {
  let compiled: Promise<WebAssembly.Module> | undefined;
  return () => {
    if (compiled === undefined) {
      compiled = WebAssembly.compile(fromBase64(base64) as Uint8Array<ArrayBuffer>);
      compiled.catch(() => {
        compiled = undefined;
      });
    }
    return compiled;
  };
}

/** What the shared code needs from a decoder's WebAssembly exports. */
export interface WasmCore {
  memory: WebAssembly.Memory;
  resetState(): void;
  errorDetail(): number;
  statsPtr(): number;
}

/** Base class of the synchronous WASM decoders. */
export abstract class SyncWasmDecoder<W extends WasmCore = WasmCore> implements Decoder {
  readonly kind = 'wasm' as const;
  abstract readonly name: string;
  readonly queueSize = 0;
  private failure: KitharaError | undefined;
  private closed = false;
  private output: DecodedChunk[] = [];
  /** Output planes are views into shared blocks (one allocation per ~1.4 s, not per packet). */
  protected readonly arena = new PlaneArena();

  /**
   * @param wasm - the module's exports.
   * @param label - names the decoder in error messages, e.g. 'WASM AAC decoder'.
   * @param errors - the module's error codes (negative results) as text.
   */
  protected constructor(
    protected readonly wasm: W,
    private readonly label: string,
    private readonly errors: Readonly<Record<number, string>>,
  ) {}

  /** Set once decoding failed (a `decode` KitharaError); later calls do nothing. */
  get error(): KitharaError | undefined {
    return this.failure;
  }

  decode(packet: EncodedPacket): void {
    if (this.closed || this.failure !== undefined) return;
    this.decodePacket(packet);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  takeOutput(): DecodedChunk[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Drops the module's inter-packet state (overlap, reservoir, history) and pending output. */
  reset(): void {
    if (this.closed || this.failure !== undefined) return;
    this.output = [];
    this.wasm.resetState();
  }

  close(): void {
    this.closed = true;
    this.output = [];
  }

  /** Decodes one packet (called only while the decoder is usable). */
  protected abstract decodePacket(packet: EncodedPacket): void;

  /**
   * Runs one module call for `packet`: returns its (non-negative) result, or undefined after
   * recording the failure (a trap or a negative error code).
   */
  protected run(packet: EncodedPacket, call: () => number): number | undefined {
    let result: number;
    try {
      result = call();
    } catch (e) {
      this.fail(packet, `the WebAssembly decoder trapped (${e instanceof Error ? e.message : String(e)})`, e);
      return undefined;
    }
    if (result < 0) {
      this.fail(packet, `${this.errors[-result] ?? `error ${-result}`} (at ${this.wasm.errorDetail()})`);
      return undefined;
    }
    return result;
  }

  /** Queues decoded output. */
  protected emit(chunk: DecodedChunk): void {
    this.output.push(chunk);
  }

  /** Records a `decode` failure for `packet`. */
  protected fail(packet: EncodedPacket, reason: string, cause?: unknown): void {
    this.failure = new KitharaError('decode', `${this.label}: ${reason} in the packet at frame ${packet.frame}.`, { cause });
  }

  /** The module's Int32 feature counters, by name (in the module's order). */
  protected counters<N extends string>(names: readonly N[]): Record<N, number> {
    const view = new Int32Array(this.wasm.memory.buffer, this.wasm.statsPtr(), names.length);
    const out = {} as Record<N, number>;
    names.forEach((name, i) => (out[name] = view[i] as number));
    return out;
  }
}
