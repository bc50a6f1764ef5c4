// The HLS demuxer in Node: an AES-128 stream decrypted with the wrong key fails as `decrypt`
// naming the segment, whether the garbage plaintext is caught by the format sniffer (MPEG-TS),
// by the segment demuxer (fMP4 behind a clear init segment) or by the PKCS7 check; an encrypted
// segment that fails on the network keeps its own error. And the IV derived from the media
// sequence number decrypts fMP4 exactly (which playback alone cannot show: see below).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../../e2e/server/test-server.mjs';
import { HlsDemuxer, type HlsDeps } from '../../src/engine/hls/hls-demuxer.js';
import { createNet, resolveRetryPolicy } from '../../src/net/net-options.js';
import { KeyManager } from '../../src/drm/key-manager.js';
import { SegmentLoader } from '../../src/hls/segment-loader.js';
import { parseMediaPlaylist } from '../../src/hls/playlist/media-playlist.js';
import { concatBytes } from '../../src/platform/bytes.js';

const T = { timeout: 30_000 };
const HLS_DIR = fileURLToPath(new URL('../../fixtures/hls/', import.meta.url));

let server: TestServer;
let gen: string;

before(async () => {
  gen = mkdtempSync(join(tmpdir(), 'kithara-hls-decrypt-'));
  server = await startServer({ root: HLS_DIR, extraRoots: { '/gen': gen }, coi: false });
});
after(async () => {
  await server.close();
  rmSync(gen, { recursive: true, force: true });
});

function deps(): HlsDeps {
  return {
    net: createNet({ retry: { maxRetries: 0 } }),
    retry: resolveRetryPolicy({ maxRetries: 0 }),
    abr: {},
    events: { onVariants: () => undefined, onStats: () => undefined, onVariantChange: () => undefined },
  };
}

interface Failure {
  code?: string;
  message: string;
  url?: string;
  status?: number;
}

/** Opens a media playlist and reads every packet: the error it fails with (at open or read), or null. */
async function failureOf(url: string, text: string): Promise<Failure | null> {
  try {
    const d = await HlsDemuxer.open(url, text, deps());
    try {
      while ((await d.next()) !== null);
    } finally {
      d.close();
    }
    return null;
  } catch (e) {
    return e as Failure;
  }
}

/** Writes `text` as a playlist under /gen and returns its URL. */
function generated(name: string, text: string): string {
  writeFileSync(join(gen, name), text);
  return `${server.url}/gen/${name}`;
}

test('AES-128 MPEG-TS with the wrong key: the garbage plaintext fails as decrypt (not parse), naming the segment', T, async () => {
  const url = new URL('/broken/wrong-key.m3u8', server.url).href;
  const err = await failureOf(url, await (await fetch(url)).text());
  assert.ok(err !== null, 'the stream must not play');
  assert.equal(err.code, 'decrypt', err.message);
  assert.match(err.message, /seg0\.ts did not decrypt to audio: wrong key/);
  assert.match(err.url ?? '', /\/aes-ts-iv\/seg0\.ts$/);
});

test('AES-128 fMP4 (clear init segment) with the wrong key: the media segment fails as decrypt', T, async () => {
  const text = readFileSync(join(HLS_DIR, 'aes-fmp4/index.m3u8'), 'utf8')
    .replace('URI="init.mp4"', `URI="${server.url}/aes-fmp4/init.mp4"`)
    .replace('URI="key.bin"', `URI="${server.url}/broken/wrong.key"`)
    .replace(/^(seg\d+\.m4s)$/gm, `${server.url}/aes-fmp4/$1`);
  const err = await failureOf(generated('wrong-key-fmp4.m3u8', text), text);
  assert.ok(err !== null, 'the stream must not play');
  assert.equal(err.code, 'decrypt', err.message);
  assert.match(err.url ?? '', /\/aes-fmp4\/seg0\.m4s$/);
});

test('AES-128 with the right key: a segment that answers 404 keeps its http error', T, async () => {
  const text = readFileSync(join(HLS_DIR, 'aes-ts-iv/index.m3u8'), 'utf8')
    .replace('URI="key.bin"', `URI="${server.url}/aes-ts-iv/key.bin"`)
    .replace(/^(seg\d+\.ts)$/gm, (_, name: string) => `${server.url}/aes-ts-iv/${name}${name === 'seg1.ts' ? '?status=404' : ''}`);
  const err = await failureOf(generated('missing-seg1.m3u8', text), text);
  assert.ok(err !== null, 'the stream must not play to the end');
  assert.equal(err.code, 'http', err.message);
  assert.equal(err.status, 404);
});

test('AES-128 fMP4 with the IV from the media sequence (258…): every segment decrypts to exactly its clear twin', T, async () => {
  // A wrong IV only garbles the first 16 bytes of a CBC segment, and in ffmpeg's fMP4 segments
  // a sequence-derived IV (bytes 0–7 always zero) can only reach bytes 8–15 of the 'styp' box
  // (brand and version), which no demuxer reads: playback cannot tell a wrong sequence IV apart,
  // so the plaintext is compared here.
  const url = `${server.url}/aes-fmp4-seq/index.m3u8`;
  const playlist = parseMediaPlaylist(readFileSync(join(HLS_DIR, 'aes-fmp4-seq/index.m3u8'), 'utf8'), url);
  assert.equal(playlist.segments[0]?.sequence, 258);
  const net = createNet({});
  const loader = new SegmentLoader({ net, keys: new KeyManager({ fetchKey: (uri, signal) => net.getBytes(uri, { signal }) }), retry: resolveRetryPolicy({}) });
  for (const [i, seg] of playlist.segments.entries()) {
    const parts: Uint8Array[] = [];
    await loader.segment(seg, (b) => parts.push(b.slice()));
    const clear = readFileSync(join(HLS_DIR, `fmp4/seg${i}.m4s`));
    assert.ok(Buffer.from(concatBytes(parts)).equals(clear), `${seg.uri} (sequence ${seg.sequence}) decrypts to fmp4/seg${i}.m4s`);
  }
});

test('the key of an encrypted segment is fetched while the segment is requested, not before it', T, async () => {
  // Key and segment each answer after 300 ms: the segment request must reach the server while
  // the key is still on its way (one round trip, not two, before the first plaintext).
  const src = readFileSync(join(HLS_DIR, 'aes-ts-iv/index.m3u8'), 'utf8');
  const url = `${server.url}/aes-ts-iv/index.m3u8`;
  const playlist = parseMediaPlaylist(
    src.replace(/URI="([^"]+)"/, (_, k: string) => `URI="${k}?latency=300&run=par"`).replace(/^(seg\d+\.ts)$/gm, (_, s: string) => `${s}?latency=300&run=par`),
    url,
  );
  const net = createNet({});
  const loader = new SegmentLoader({ net, keys: new KeyManager({ fetchKey: (uri, signal) => net.getBytes(uri, { signal }) }), retry: resolveRetryPolicy({}) });
  const parts: Uint8Array[] = [];
  const seg = playlist.segments[0]!;
  await loader.segment(seg, (b) => parts.push(b.slice()));
  const log = server.log.filter((e) => e.query.run === 'par');
  const key = log.find((e) => /key/.test(e.path))!;
  const first = log.find((e) => /seg0\.ts$/.test(e.path))!;
  assert.ok(key !== undefined && first !== undefined, 'both were requested');
  assert.ok(first.t < key.t + 300, `segment requested ${(first.t - key.t).toFixed(0)} ms after the key request, before the key answered`);
  // And it decrypted: the plaintext is an MPEG-TS stream (sync bytes every 188 bytes).
  const plain = concatBytes(parts);
  assert.equal(plain[0], 0x47);
  assert.equal(plain[188], 0x47);
});
