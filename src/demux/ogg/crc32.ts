/**
 * The Ogg page checksum (RFC 3533 §6): CRC-32 with generator polynomial 0x04C11DB7, computed
 * MSB-first ("direct", no bit reflection), initial value 0, no final XOR, over the whole page
 * with its checksum field set to zero. Pure.
 */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/**
 * Continues the Ogg CRC over `bytes`, starting from `crc` (0 for a new page). Returns an
 * unsigned 32-bit value.
 */
export function oggCrc32(bytes: Uint8Array, crc = 0): number {
  let r = crc >>> 0;
  for (let i = 0; i < bytes.byteLength; i++) {
    r = ((r << 8) ^ (TABLE[((r >>> 24) ^ (bytes[i] as number)) & 0xff] as number)) >>> 0;
  }
  return r;
}
