// The HLS demuxer in Node against the fixture streams over HTTP: a seek hands out packets from
// the one that holds the asked frame (what lies before it is never decoded) and they are the
// very packets a read from the start gives there; an fMP4 stream's track is known from its init
// segment before any media byte arrives; `packetsReady`/`packetReady()` tell when `next()`
// would return at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../../e2e/server/test-server.mjs';
import { HlsDemuxer, type HlsDeps } from '../../src/engine/hls/hls-demuxer.js';
import { createNet, resolveRetryPolicy } from '../../src/net/net-options.js';
import type { EncodedPacket } from '../../src/demux/types.js';

const T = { timeout: 30_000 };
const HLS_DIR = fileURLToPath(new URL('../../fixtures/hls/', import.meta.url));

let server: TestServer;
let gen: string;

before(async () => {
  gen = mkdtempSync(join(tmpdir(), 'kithara-hls-'));
  server = await startServer({ root: HLS_DIR, extraRoots: { '/gen': gen }, coi: false });
});
after(async () => {
  await server.close();
  rmSync(gen, { recursive: true, force: true });
});

function deps(abr: HlsDeps['abr'] = {}): HlsDeps {
  return {
    net: createNet({}),
    retry: resolveRetryPolicy({}),
    abr,
    events: { onVariants: () => undefined, onStats: () => undefined, onVariantChange: () => undefined },
  };
}

async function open(path: string): Promise<HlsDemuxer> {
  const url = new URL(path, server.url).href;
  const text = await (await fetch(url)).text();
  return HlsDemuxer.open(url, text, deps());
}

async function readAll(d: HlsDemuxer): Promise<EncodedPacket[]> {
  const out: EncodedPacket[] = [];
  for (let p = await d.next(); p !== null; p = await d.next()) out.push(p);
  return out;
}

for (const dir of ['fmp4', 'ts']) {
  describe(`HLS ${dir}`, () => {
    test('a seek hands out packets from the one holding the asked frame, identical to a read from the start', T, async () => {
      const whole = await open(`/${dir}/index.m3u8`);
      const reference = await readAll(whole);
      whole.close();
      const rate = whole.track.sampleRate;
      const byFrame = new Map(reference.map((p) => [p.frame, p]));
      for (const seconds of [3.3, 5.0123, 0.5]) {
        const d = await open(`/${dir}/index.m3u8`);
        const frame = whole.track.delayFrames + Math.round(seconds * rate) - whole.track.prerollFrames;
        const from = await d.seek(frame);
        assert.ok(from <= frame, `seek returns a frame at or before the one asked (${from} ≤ ${frame})`);
        const got = await readAll(d);
        d.close();
        const first = got[0] as EncodedPacket;
        assert.ok(first.key, 'the first packet is a key packet');
        assert.ok(first.frame <= frame && frame < first.frame + first.frames, `${seconds} s: the first packet [${first.frame}, +${first.frames}) holds frame ${frame}`);
        // Nothing before the asked frame is handed out, and the rest is the stream as read from 0.
        const want = reference.filter((p) => p.frame >= first.frame);
        assert.equal(got.length, want.length, `${seconds} s: every packet from there to the end`);
        for (let i = 0; i < got.length; i++) {
          const g = got[i] as EncodedPacket;
          const r = byFrame.get(g.frame);
          assert.ok(r !== undefined, `packet ${i} at frame ${g.frame} is on the reference timeline`);
          assert.deepEqual(g.data, r.data, `packet ${i} at frame ${g.frame}: same bytes`);
        }
      }
    });
  });
}

test('HLS fMP4: the track is known from the init segment while the media segment is still on its way', T, async () => {
  const src = readFileSync(join(HLS_DIR, 'fmp4/index.m3u8'), 'utf8');
  // The first media segment answers only after 20 s; the init segment at once.
  const text = src.replace('URI="init.mp4"', `URI="${server.url}/fmp4/init.mp4"`).replace(/^(seg\d+\.m4s)$/gm, (_, name: string) =>
    name === 'seg0.m4s' ? `${server.url}/fmp4/${name}?latency=20000` : `${server.url}/fmp4/${name}`);
  writeFileSync(join(gen, 'slow-first.m3u8'), text);
  const url = `${server.url}/gen/slow-first.m3u8`;
  const started = Date.now();
  const d = await HlsDemuxer.open(url, text, deps());
  try {
    assert.ok(Date.now() - started < 15_000, 'open did not wait for the media segment');
    assert.equal(d.track.codec, 'aac');
    assert.equal(d.track.sampleRate, 44100);
    assert.equal(d.track.channels, 2);
    assert.equal(d.packetsReady, 0, 'no packet yet');
  } finally {
    d.close();
  }
});

test('HLS: packetReady() resolves once a packet is queued, and packetsReady counts what next() gives at once', T, async () => {
  const d = await open('/fmp4/index.m3u8');
  await d.packetReady();
  assert.ok(d.packetsReady > 0, 'a packet is queued once packetReady() resolved');
  const n = d.packetsReady;
  for (let i = 0; i < n; i++) assert.ok((await d.next()) !== null);
  await readAll(d);
  await d.packetReady(); // the end: resolves at once
  assert.equal(d.packetsReady, 0);
  d.close();
});

test('HLS: the download stops abr.lookAheadSec ahead of the reader and goes on as the reader takes packets', T, async () => {
  const segmentsFetched = (tag: string): number => server.log.filter((e) => e.path.startsWith('/fmp4/seg') && e.query.run === tag).length;
  const src = readFileSync(join(HLS_DIR, 'fmp4/index.m3u8'), 'utf8');
  const run = async (tag: string, lookAheadSec: number | undefined): Promise<{ idle: number; after: number }> => {
    // Tagged segment URIs tell this run's requests apart in the server log.
    const text = src.replace('URI="init.mp4"', `URI="${server.url}/fmp4/init.mp4"`).replace(/^(seg\d+\.m4s)$/gm, (_, name: string) => `${server.url}/fmp4/${name}?run=${tag}`);
    writeFileSync(join(gen, `${tag}.m3u8`), text);
    const d = await HlsDemuxer.open(`${server.url}/gen/${tag}.m3u8`, text, deps(lookAheadSec === undefined ? {} : { lookAheadSec }));
    try {
      await new Promise((r) => setTimeout(r, 800));
      const idle = segmentsFetched(tag);
      await readAll(d);
      return { idle, after: segmentsFetched(tag) };
    } finally {
      d.close();
    }
  };
  // 2 s segments: with 1 s of look-ahead only the first is fetched while nobody reads.
  const short = await run('la1', 1);
  assert.equal(short.idle, 1, 'one segment ahead with lookAheadSec 1');
  assert.equal(short.after, 4, 'the rest follows the reader');
  // The default (30 s) fetches the whole 8 s stream ahead.
  const long = await run('la30', undefined);
  assert.equal(long.idle, 4);
});
