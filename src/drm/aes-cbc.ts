/**
 * AES-128-CBC decryption of HLS segments with WebCrypto (reference crate `kithara-drm`).
 *
 * Two ways in:
 * - {@link decryptSegment}: a whole segment in one WebCrypto call; WebCrypto checks and strips the
 *   PKCS7 padding.
 * - {@link createCbcDecryptor}: a streaming decryptor that releases plaintext while the segment is
 *   still downloading. WebCrypto's AES-CBC always removes padding, so a run of middle blocks
 *   C[0..n) is decrypted by appending one forged block X = E_k(P ⊕ C[n-1]) with P = 16 × 0x10 (a
 *   full padding block). Decrypting X yields P, which WebCrypto strips as valid padding, leaving
 *   exactly the plaintext of C[0..n). X is the first output block of an AES-CBC encryption of P
 *   with C[n-1] as IV. The next run's IV is C[n-1]. The final block is decrypted the same way and
 *   its PKCS7 padding is checked and removed here.
 *
 * CBC has no integrity check: a wrong key is detected only through bad padding, which catches it
 * about 255 times in 256. Otherwise the output is noise, which the HLS layer reports as `decrypt`
 * too (`encryptedSegmentError` in src/hls/segment-decrypt.ts).
 */
import { KitharaError, assert } from '../platform/errors.js';

/** AES block size in bytes. */
export const AES_BLOCK = 16;

/** A full PKCS7 padding block: 16 × 0x10. */
const PAD_BLOCK = new Uint8Array(AES_BLOCK).fill(AES_BLOCK);

const EMPTY = new Uint8Array(0);

/**
 * Imports a raw 16-byte AES-128 key for {@link decryptSegment} and {@link createCbcDecryptor}.
 * The key is not extractable. A key of another length → `decrypt` error.
 */
export async function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== AES_BLOCK) {
    throw new KitharaError('decrypt', `AES-128 key is ${raw.length} bytes, expected 16.`);
  }
  // 'encrypt' is needed to forge the padding block of the streaming decryptor.
  return crypto.subtle.importKey('raw', bufferOf(raw), { name: 'AES-CBC' }, false, ['decrypt', 'encrypt']);
}

/**
 * Decrypts a whole AES-128-CBC segment and removes its PKCS7 padding.
 * Throws a `decrypt` KitharaError when the length is not a positive multiple of 16 or the padding
 * is invalid (wrong key or IV, or corrupt data).
 */
export async function decryptSegment(key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  checkIv(iv);
  if (data.length === 0 || data.length % AES_BLOCK !== 0) throw badLength(data.length);
  try {
    const out = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: bufferOf(iv) }, key, bufferOf(data));
    return new Uint8Array(out);
  } catch (err) {
    throw decryptError(err);
  }
}

/** A streaming AES-128-CBC decryptor. Calls may overlap; they run in call order. */
export interface CbcDecryptor {
  /**
   * Adds ciphertext and resolves with the plaintext of every block that can be released: all
   * complete blocks except the last one, which is held back until more data or {@link end}
   * because it may carry the padding. May resolve with an empty array.
   */
  push(chunk: Uint8Array): Promise<Uint8Array>;
  /**
   * Decrypts the held-back final block, checks and strips its PKCS7 padding and resolves with the
   * remaining plaintext. Bad padding or a total length that is not a positive multiple of 16 →
   * `decrypt` error. After an error every later call rejects with it.
   */
  end(): Promise<Uint8Array>;
}

/** Creates a {@link CbcDecryptor} for one segment. */
export function createCbcDecryptor(key: CryptoKey, iv: Uint8Array): CbcDecryptor {
  checkIv(iv);
  return new StreamDecryptor(key, iv.slice());
}

/**
 * Pushes are queued and run one at a time. A push takes every chunk queued by then, so pushes made
 * without awaiting the previous one are batched into one WebCrypto run (later ones resolve empty).
 */
class StreamDecryptor implements CbcDecryptor {
  private held: Uint8Array = EMPTY;
  private incoming: Uint8Array[] = [];
  private incomingBytes = 0;
  private total = 0;
  private ended = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly key: CryptoKey,
    private iv: Uint8Array,
  ) {}

  push(chunk: Uint8Array): Promise<Uint8Array> {
    assert(!this.ended, 'CbcDecryptor.push after end');
    if (chunk.length > 0) {
      this.incoming.push(chunk.slice()); // the caller may reuse its buffer at once
      this.incomingBytes += chunk.length;
      this.total += chunk.length;
    }
    return this.enqueue(() => this.release());
  }

  end(): Promise<Uint8Array> {
    assert(!this.ended, 'CbcDecryptor.end called twice');
    this.ended = true;
    return this.enqueue(() => this.finish());
  }

  private enqueue(op: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const next = this.queue.then(op);
    this.queue = next;
    return next;
  }

  /** Takes the held bytes and every queued chunk, with `spare` free bytes at the end. */
  private take(spare: number): Uint8Array {
    const data = new Uint8Array(this.held.length + this.incomingBytes + spare);
    data.set(this.held);
    let at = this.held.length;
    for (const chunk of this.incoming) {
      data.set(chunk, at);
      at += chunk.length;
    }
    this.incoming = [];
    this.incomingBytes = 0;
    this.held = EMPTY;
    return data;
  }

  private async release(): Promise<Uint8Array> {
    if (this.incomingBytes === 0) return EMPTY;
    const length = this.held.length + this.incomingBytes;
    const whole = length - (length % AES_BLOCK);
    // Bytes past the last whole block prove it is not final; otherwise keep that block back.
    const release = length === whole ? whole - AES_BLOCK : whole;
    if (release <= 0) {
      this.held = this.take(0);
      return EMPTY;
    }
    // One buffer with room for the forged block after the released run.
    const data = this.take(AES_BLOCK);
    this.held = data.slice(release, length);
    const plain = await decryptRun(this.key, this.iv, data, release);
    this.iv = data.slice(release - AES_BLOCK, release);
    return plain;
  }

  private async finish(): Promise<Uint8Array> {
    if (this.total === 0 || this.total % AES_BLOCK !== 0) throw badLength(this.total);
    const data = this.take(AES_BLOCK);
    const length = data.length - AES_BLOCK;
    assert(length >= AES_BLOCK && length % AES_BLOCK === 0, 'final run is whole blocks');
    const plain = await decryptRun(this.key, this.iv, data, length);
    return plain.subarray(0, length - pkcs7PadLength(plain));
  }
}

/**
 * Decrypts `data[0..runLength)` (whole blocks, at least one) without padding removal.
 * `data` must have 16 spare bytes after the run; they are overwritten with the forged block.
 */
async function decryptRun(key: CryptoKey, iv: Uint8Array, data: Uint8Array, runLength: number): Promise<Uint8Array> {
  assert(runLength > 0 && runLength % AES_BLOCK === 0 && data.length >= runLength + AES_BLOCK, 'run layout');
  try {
    const lastCipher = data.slice(runLength - AES_BLOCK, runLength);
    const forged = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: lastCipher }, key, PAD_BLOCK);
    data.set(new Uint8Array(forged, 0, AES_BLOCK), runLength);
    const out = await crypto.subtle.decrypt(
      { name: 'AES-CBC', iv: bufferOf(iv) },
      key,
      bufferOf(data.subarray(0, runLength + AES_BLOCK)),
    );
    assert(out.byteLength === runLength, 'forged padding block stripped');
    return new Uint8Array(out);
  } catch (err) {
    throw decryptError(err);
  }
}

/** Length of the PKCS7 padding at the end of `block`; bad padding → `decrypt` error. */
function pkcs7PadLength(block: Uint8Array): number {
  const n = block[block.length - 1] ?? 0;
  if (n < 1 || n > AES_BLOCK) throw badPadding();
  for (let i = block.length - n; i < block.length; i++) {
    if (block[i] !== n) throw badPadding();
  }
  return n;
}

function checkIv(iv: Uint8Array): void {
  if (iv.length !== AES_BLOCK) throw new KitharaError('decrypt', `AES-128 IV is ${iv.length} bytes, expected 16.`);
}

function badLength(length: number): KitharaError {
  return new KitharaError('decrypt', `AES-128 ciphertext is ${length} bytes, not a positive multiple of 16.`);
}

function badPadding(cause?: unknown): KitharaError {
  return new KitharaError(
    'decrypt',
    'AES-128 decryption failed: the PKCS7 padding is invalid, so the key or IV is wrong or the segment is corrupt.',
    { cause },
  );
}

/** WebCrypto reports bad padding as an OperationError DOMException. */
function decryptError(err: unknown): KitharaError {
  if (err instanceof KitharaError) return err;
  if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'OperationError') {
    return badPadding(err);
  }
  return KitharaError.from(err, 'decrypt');
}

/** WebCrypto wants ArrayBuffer-backed views; copies only a SharedArrayBuffer-backed one. */
function bufferOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>;
  return new Uint8Array(bytes);
}
