/**
 * Decryption on read of HLS segments stored encrypted (the default): the asset store's
 * `process` hook. The cache keeps the ciphertext exactly as downloaded; a read of
 * `[offset, offset + length)` decrypts only the cipher blocks it covers, with the block before
 * them (or the segment IV) as the CBC IV. A read that reaches the end of the segment checks and
 * strips the PKCS7 padding, so the processed content is the plaintext, a little shorter than the
 * stored bytes; reads are clipped to it.
 *
 * The key travels only in the open context (`ctx`: the cipher, or a promise of it), in memory:
 * keys are never persisted.
 */
import { isAbortError, KitharaError } from '../platform/errors.js';
import { AES_BLOCK, createCbcDecryptor, decryptSegment } from '../drm/aes-cbc.js';
import type { ProcessInput } from '../assets/processing.js';

/** The open context of an encrypted segment: its imported key and IV. */
export interface SegmentCipher {
  readonly key: CryptoKey;
  readonly iv: Uint8Array;
}

function isCipher(ctx: unknown): ctx is SegmentCipher {
  return typeof ctx === 'object' && ctx !== null && 'key' in ctx && 'iv' in ctx && (ctx as { iv: unknown }).iv instanceof Uint8Array;
}

/**
 * The read processor for segments opened with a {@link SegmentCipher} context, or a promise of
 * one (the segment loader opens the asset while the key is still being fetched).
 */
export async function decryptOnRead(input: ProcessInput): Promise<Uint8Array> {
  const { raw, offset, length } = input;
  const ctx: unknown = await input.ctx;
  if (!isCipher(ctx)) throw new KitharaError('decrypt', 'A cached segment was opened without its key.');
  const total = raw.length;
  const end = offset + length;
  const a = offset - (offset % AES_BLOCK);
  let b = Math.ceil(end / AES_BLOCK) * AES_BLOCK;
  if (total !== undefined) b = Math.min(b, total);
  const last = total !== undefined && b >= total;
  // The run [a, b) plus, unless it is the final one, the block after it (the streaming
  // decryptor holds the last block back as it may carry padding).
  const readEnd = last ? b : b + AES_BLOCK;
  const from = a >= AES_BLOCK ? a - AES_BLOCK : a;
  await raw.waitRange(from, readEnd);
  const bytes = await raw.read(from, readEnd - from);
  const iv = a >= AES_BLOCK ? bytes.subarray(0, AES_BLOCK) : ctx.iv;
  const cipher = bytes.subarray(a - from);
  let plain: Uint8Array;
  if (last) {
    plain = await decryptSegment(ctx.key, iv, cipher);
  } else {
    plain = await createCbcDecryptor(ctx.key, iv).push(cipher);
  }
  return plain.subarray(offset - a, Math.min(plain.length, end - a));
}

/**
 * The error a failed load of an encrypted segment reports. CBC has no integrity check, so a
 * wrong key or IV shows up either as bad PKCS7 padding at the segment's end or, earlier, as
 * plaintext the format sniffer or the segment demuxer rejects. All of these are `decrypt`
 * errors naming the segment: a `parse` error (or an untyped one from a demuxer) becomes one, and
 * a `decrypt` error without a URL gets the segment's. Every other error (network, http, abort…)
 * is returned as it is.
 */
export function encryptedSegmentError(err: unknown, uri: string): unknown {
  if (isAbortError(err)) return err;
  if (err instanceof KitharaError) {
    if (err.code === 'decrypt' && err.url === undefined) return new KitharaError('decrypt', `${err.message} (${uri})`, { url: uri, cause: err });
    if (err.code !== 'parse') return err;
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new KitharaError('decrypt', `The segment ${uri} did not decrypt to audio: wrong key or IV? (${detail})`, { url: uri, cause: err });
}
