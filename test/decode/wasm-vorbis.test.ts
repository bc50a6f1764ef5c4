import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, decodeAll, demux, snrDb } from './wasm-helpers.js';
import {
  createVorbisWasmDecoder, unlaceVorbisHeaders, VORBIS_STAT_NAMES, VorbisWasmDecoder, type VorbisStatName,
} from '../../src/decode/wasm/vorbis/vorbis-wasm-decoder.js';
import { wasmDecoderProvider } from '../../src/decode/wasm/provider.js';
import { KitharaError } from '../../src/platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../../src/demux/types.js';

const DIR = join(process.cwd(), 'fixtures', 'wasm', 'vorbis');
const CHIRP = join(process.cwd(), 'fixtures', 'media', 'chirp.ogg');

/** One fixtures/wasm/vorbis/manifest.json entry (see scripts/make-fixtures-wasm-vorbis.mjs). */
interface VorbisVector {
  file: string;
  rate: number;
  channels: number;
  reference: string;
  excerpts?: { start: number; frames: number }[];
}

const manifest: VorbisVector[] = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
const vectors = manifest.filter((v) => v.excerpts === undefined);

/**
 * Every channel against libvorbis's decode (s16, so about 80 dB is the ceiling; measured
 * 78.1-81.3 dB, the LFE of the 5.1 vector 67.6 dB because it is quiet). The issue asks for 60.
 */
const MIN_SNR_DB = 60;

/** Vorbis channel order → WAVE order (Vorbis I §4.3.9), for the 3..8-channel references. */
const WAVE_ORDER: Record<number, number[]> = { 3: [0, 2, 1], 5: [0, 2, 1, 3, 4], 6: [0, 2, 1, 5, 3, 4] };

/** libvorbis's decode (s16 interleaved, Vorbis channel order), as planes in WAVE order. */
function reference(file: string, channels: number): Float32Array[] {
  const buf = readFileSync(join(DIR, file));
  const s = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  const frames = s.length / channels;
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) planes[c]![i] = s[i * channels + c]! / 32768;
  const order = WAVE_ORDER[channels];
  return order === undefined ? planes : order.map((c) => planes[c]!);
}

async function decodeFile(path: string): Promise<{ track: TrackInfo; packets: EncodedPacket[]; decoder: VorbisWasmDecoder }> {
  const { track, packets } = await demux(path);
  const decoder = await createVorbisWasmDecoder(track);
  assert.ok(decoder instanceof VorbisWasmDecoder);
  return { track, packets, decoder };
}

for (const v of vectors) {
  test(`${v.file}: every channel matches libvorbis (≥ ${MIN_SNR_DB} dB) on the demuxer's timeline`, async () => {
    const { track, packets, decoder } = await decodeFile(join(DIR, v.file));
    const chunks = await decodeAll(decoder, packets);
    assert.equal(decoder.error, undefined);
    assert.equal(decoder.name, 'WASM Vorbis (Kithara)');
    assert.equal(track.delayFrames, 0);
    // The first packet only primes the overlap; every later one yields its announced frames at its frame.
    assert.equal(chunks.length, packets.length - 1);
    chunks.forEach((c, i) => {
      const p = packets[i + 1]!;
      assert.ok(c.frame === p.frame && c.frames === p.frames && c.sampleRate === v.rate, `chunk ${i}`);
      assert.equal(c.planes.length, v.channels);
    });
    const out = assemble(chunks);
    assert.ok(out.contiguous);
    const ref = reference(v.reference, v.channels);
    assert.ok(out.end >= ref[0]!.length, 'at least the reference length (the pipeline trims the end)');
    for (let ch = 0; ch < v.channels; ch++) {
      const snr = snrDb([out.planes[ch]!], [ref[ch]!], 0);
      assert.ok(snr >= MIN_SNR_DB, `channel ${ch}: ${snr.toFixed(1)} dB`);
    }
    // One frame off ruins it: the timeline is exact.
    assert.ok(snrDb(out.planes, ref, 1) < 30);
  });
}

test('chirp.ogg (6 s, 44.1 kHz stereo) matches libvorbis at its start, middle and end', async () => {
  const v = manifest.find((x) => x.excerpts !== undefined)!;
  const { packets, decoder } = await decodeFile(CHIRP);
  const out = assemble(await decodeAll(decoder, packets));
  assert.equal(decoder.error, undefined);
  const ref = reference(v.reference, 2);
  let at = 0;
  for (const e of v.excerpts!) {
    const part = ref.map((p) => p.subarray(at, at + e.frames));
    at += e.frames;
    const snr = snrDb(out.planes, part, e.start);
    assert.ok(snr >= MIN_SNR_DB, `frames ${e.start}+${e.frames}: ${snr.toFixed(1)} dB`);
  }
});

/** Expected coding tools per vector, from the streams' setup (checked by the statistics). */
function statsOf(d: VorbisWasmDecoder): Record<VorbisStatName, number> {
  const s = d.stats();
  assert.deepEqual(Object.keys(s), [...VORBIS_STAT_NAMES]);
  return s;
}

test('the decoder statistics count floor and residue types, block sizes and coupling', async () => {
  const run = async (path: string): Promise<{ s: Record<VorbisStatName, number>; packets: number; channels: number }> => {
    const { track, packets, decoder } = await decodeFile(path);
    await decodeAll(decoder, packets);
    return { s: statsOf(decoder), packets: packets.length, channels: track.channels };
  };
  // Mono: floor 1 once per packet, residue type 1, no coupling.
  const mono = await run(join(DIR, 'mono-8000-q0.ogg'));
  assert.deepEqual(
    [mono.s.packets, mono.s.floor1, mono.s.floor0, mono.s.residue1, mono.s.residue2, mono.s.residue0, mono.s.coupled],
    [mono.packets, mono.packets, 0, mono.packets, 0, 0, 0],
  );
  assert.equal(mono.s.long + mono.s.short, mono.packets);
  // Stereo: two floors per packet, one residue type 2 per packet (both channels interleaved), one coupling step.
  for (const file of ['stereo-11025-q2.ogg', 'stereo-96000-q10.ogg']) {
    const st = await run(join(DIR, file));
    assert.deepEqual([st.s.floor1, st.s.residue2, st.s.residue1, st.s.coupled], [2 * st.packets, st.packets, 0, st.packets], file);
  }
  // Transients: short blocks and long blocks with short neighbours (asymmetric windows).
  const tr = await run(join(DIR, 'stereo-44100-transients-q6.ogg'));
  assert.ok(tr.s.short > 0 && tr.s.long > 0 && tr.s.transitions > 0, JSON.stringify(tr.s));
  // 5.1: six floors per packet; the LFE in its own submap (residue 1), the rest in residue 2; several coupling steps.
  const surround = await run(join(DIR, '5.1-48000-q3.ogg'));
  assert.equal(surround.channels, 6);
  assert.deepEqual([surround.s.floor1, surround.s.residue1, surround.s.residue2], [6 * surround.packets, surround.packets, surround.packets]);
  assert.ok(surround.s.coupled >= 2 * surround.packets);
  // No stream here uses floor 0 (libvorbis has not written it since 2000).
  assert.equal(surround.s.floor0 + tr.s.floor0 + mono.s.floor0, 0);
});

test('after reset() the first packet yields nothing and the rest equals the uninterrupted decode exactly', async () => {
  const { packets, decoder } = await decodeFile(CHIRP);
  const full = assemble(await decodeAll(decoder, packets));
  const again = await createVorbisWasmDecoder((await demux(CHIRP)).track);
  await decodeAll(again, packets.slice(0, 30));
  again.reset();
  assert.deepEqual(again.takeOutput(), []);
  again.decode(packets[100]!);
  assert.deepEqual(again.takeOutput(), [], 'the first packet after a reset only primes the overlap');
  const part = assemble(await decodeAll(again, packets.slice(101, 140)));
  assert.equal(part.start, packets[101]!.frame);
  for (let ch = 0; ch < 2; ch++) {
    assert.deepEqual(part.planes[ch], full.planes[ch]!.subarray(part.start, part.end), `channel ${ch} is identical`);
  }
});

test('a packet cut short decodes what it has (end-of-packet rule) without an error', async () => {
  const { packets, decoder } = await decodeFile(join(DIR, 'stereo-44100-transients-q6.ogg'));
  const input = packets.map((p, i) => (i === 10 ? { ...p, data: p.data.subarray(0, p.data.length >> 1) } : p));
  const chunks = await decodeAll(decoder, input);
  assert.equal(decoder.error, undefined);
  assert.equal(chunks.length, packets.length - 1);
  assert.ok(decoder.stats().endOfPacket >= 1);
});

test('non-audio and malformed packets set a decode error; nothing is thrown and later calls do nothing', async () => {
  const { packets, decoder } = await decodeFile(CHIRP);
  const bad = { ...packets[3]!, data: Uint8Array.from(packets[3]!.data, (b, i) => (i === 0 ? b | 1 : b)) };
  const chunks = await decodeAll(decoder, [...packets.slice(0, 3), bad, ...packets.slice(4, 8)]);
  assert.ok(decoder.error instanceof KitharaError && decoder.error.code === 'decode');
  assert.equal(chunks.length, 2, 'packets 1 and 2 only');
  const empty = await createVorbisWasmDecoder((await demux(CHIRP)).track);
  empty.decode({ ...packets[0]!, data: new Uint8Array(0) });
  assert.equal(empty.error?.code, 'decode');
});

test('random damage to audio packets never throws, traps or hangs', async () => {
  const { track, packets } = await demux(join(DIR, '5.1-48000-q3.ogg'));
  let seed = 12345;
  const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let round = 0; round < 40; round++) {
    const decoder = await createVorbisWasmDecoder(track);
    const input = packets.map((p) => {
      const data = p.data.slice(0, 1 + Math.floor(rnd() * p.data.length));
      for (let k = 0; k < 1 + data.length / 20; k++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
      return { ...p, data };
    });
    const chunks = await decodeAll(decoder, input);
    assert.ok(decoder.error === undefined || decoder.error.code === 'decode');
    for (const c of chunks) assert.ok(c.planes.every((p) => p.length === c.frames));
  }
});

test('broken header blocks are refused with parse errors when the decoder is created', async () => {
  const { track } = await demux(CHIRP);
  const headers = unlaceVorbisHeaders(track.description!);
  await assert.rejects(createVorbisWasmDecoder({ ...track, description: new Uint8Array([2, 30, 1, 1]) }), (e) => e instanceof KitharaError && e.code === 'parse');
  // The setup header with its codebooks cut off.
  const setup = headers.setup.subarray(0, 40);
  const laced = new Uint8Array([2, headers.identification.length, headers.comment.length, ...headers.identification, ...headers.comment, ...setup]);
  await assert.rejects(createVorbisWasmDecoder({ ...track, description: laced }), (e) => e instanceof KitharaError && e.code === 'parse');
  await assert.rejects(createVorbisWasmDecoder({ ...track, description: undefined }), (e) => e instanceof KitharaError && e.code === 'unsupported');
});

test('the provider loads this decoder for Vorbis tracks', async () => {
  const { track } = await demux(CHIRP);
  assert.equal(await wasmDecoderProvider.supports(track), true);
  const d = await wasmDecoderProvider.create(track);
  assert.equal(d.name, 'WASM Vorbis (Kithara)');
  assert.equal(d.kind, 'wasm');
});

test('decodes 6 s of 44.1 kHz stereo, again and again (speed logged; measured in npm run bench)', async () => {
  const { track, packets } = await demux(CHIRP);
  await decodeAll(await createVorbisWasmDecoder(track), packets); // compile and warm up
  let best = 0;
  let seconds = 0;
  for (let run = 0; run < 3; run++) {
    const decoder = await createVorbisWasmDecoder(track);
    const t0 = performance.now();
    const out = assemble(await decodeAll(decoder, packets));
    const elapsed = (performance.now() - t0) / 1000;
    seconds = out.end / track.sampleRate;
    assert.ok(seconds > 5.9, 'the whole 6 s file decoded');
    best = Math.max(best, seconds / elapsed);
  }
  console.log(`Vorbis (WASM, Kithara): ${best.toFixed(0)}× real time (${seconds.toFixed(1)} s of 44.1 kHz stereo)`);
});
