/** The drm layer: AES-128-CBC segment decryption with WebCrypto, IVs and the key cache. */
export { AES_BLOCK, createCbcDecryptor, decryptSegment, importAesKey, type CbcDecryptor } from './aes-cbc.js';
export { ivFromSequence, parseHexIv, segmentIv } from './iv.js';
export { DRM_DEFAULTS, KeyManager, type KeyManagerOptions, type KeySource } from './key-manager.js';
