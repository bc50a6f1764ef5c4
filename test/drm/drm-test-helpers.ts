/** Helpers of the drm tests: seeded random bytes and Node's OpenSSL as the AES reference. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concatBytes } from '../../src/platform/bytes.js';

/** A seeded xorshift32 generator: the same seed gives the same numbers. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** `n` seeded random bytes. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const next = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

/** AES-128-CBC with PKCS7 padding, by Node's crypto (OpenSSL). */
export function nodeEncrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-cbc', key, iv);
  return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
}

/** Raw AES-128-CBC decryption without padding removal, by Node's crypto. */
export function nodeDecryptRaw(key: Uint8Array, iv: Uint8Array, cipher: Uint8Array): Uint8Array {
  const d = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(cipher), d.final()]));
}

/** Raw AES-128-CBC encryption of whole blocks without padding, by Node's crypto. */
export function nodeEncryptRaw(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
}

/** `true` when `block` ends in valid PKCS7 padding. */
export function hasValidPadding(plain: Uint8Array): boolean {
  const n = plain[plain.length - 1] ?? 0;
  if (n < 1 || n > 16) return false;
  for (let i = plain.length - n; i < plain.length; i++) if (plain[i] !== n) return false;
  return true;
}

/** Splits `data` into chunks of the given sizes, cycling through them. */
export function chunked(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    out.push(data.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Joins byte arrays (the SDK's own helper). */
export const concatAll = concatBytes;
