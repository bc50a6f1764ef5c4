// The software decoder suite in the browser: with `decoder: 'wasm'` forced, every progressive
// fixture, ALAC and the HLS streams decode through the WASM / TypeScript decoders in the engine
// worker, and the PCM is checked against the analytic chirp exactly as for WebCodecs (start at 0,
// continuity, channel order, length; sample-exact where lossless), also after seeks.
import { test, expect, type Page } from '@playwright/test';
import { alignTo, checkContinuity, exactCompare, expectedPcm } from '../test/lib/analyze.mjs';
import { alacFixtures } from './lib/alac.js';
import { openHarness, readResource, readResourceError } from './lib/harness.js';
import { fromBase64, manifest, planar, type FixtureInfo } from './lib/pcm.js';

const WASM = { decoder: 'wasm' } as const;

/** Per-codec SNR floors (dB) against the analytic chirp: the same as e2e/formats.spec.ts. */
const MIN_SNR: Record<string, number> = { mp3: 25, aac: 38, vorbis: 14, opus: 14 };
const VBR_MIN_SNR = 22;
const SEEK_TARGETS = [2.3456, 0.5, 4.9, 1.0007];

/** Formats whose container says exactly how many frames there are. */
const exactLength = (f: FixtureInfo): boolean => !(f.file.endsWith('.aac') || f.file === 'chirp-id3.mp3');

function codecKey(f: FixtureInfo): string {
  if (f.file.endsWith('.mp3')) return 'mp3';
  if (f.file.endsWith('.aac') || f.file.endsWith('.m4a')) return 'aac';
  if (f.file.endsWith('.ogg')) return 'vorbis';
  if (f.file.endsWith('.opus')) return 'opus';
  return 'pcm';
}

/** The decoder kind a forced 'wasm' read must report: PCM needs no codec. */
const expectedKind = (f: FixtureInfo): string => (f.codec.startsWith('pcm') ? 'pcm' : 'wasm');

function snrFloor(f: FixtureInfo): number {
  return f.file === 'chirp-vbr.mp3' ? VBR_MIN_SNR : (MIN_SNR[codecKey(f)] ?? 30);
}

function bitsOf(f: FixtureInfo): 'f32' | number {
  return f.codec.includes('f32') ? 'f32' : (f.bits ?? 16);
}

/** What a seek read in the page returns. */
interface SeekRead {
  target: number;
  position: number;
  planes: Float32Array[];
}

/** Opens `src` once, then for each target seeks and reads `seconds` of PCM. */
async function seekReads(page: Page, src: string, options: Record<string, unknown>, targets: number[], seconds = 0.25): Promise<{ format: { decoder: string }; reads: SeekRead[] }> {
  const r = await page.evaluate(
    async ([s, o, ts, secs]) => {
      const { Kithara, toBase64 } = (window as unknown as { kt: { Kithara: any; toBase64: (f: Float32Array) => string } }).kt;
      const res = await Kithara.Resource.open(s, o);
      const out: { target: number; position: number; pcm: string }[] = [];
      for (const target of ts) {
        await res.seek(target);
        const position = res.position as number;
        const buf = new Float32Array(Math.round(secs * res.sampleRate) * res.channels);
        let filled = 0;
        while (filled < buf.length) {
          const n = await res.read(buf.subarray(filled));
          if (n === 0) break;
          filled += n * res.channels;
        }
        out.push({ target, position, pcm: toBase64(buf.subarray(0, filled)) });
      }
      const format = res.format;
      await res.close();
      return { channels: res.channels as number, format, out };
    },
    [src, options, targets, seconds] as const,
  );
  return { format: r.format, reads: r.out.map((x) => ({ target: x.target, position: x.position, planes: planar(fromBase64(x.pcm), r.channels) })) };
}

/** Lossy seek check: lands within 1 ms of the target, matches the chirp, continuous after. */
function expectLossySeek(r: SeekRead, rate: number): void {
  expect(r.position).toBeCloseTo(r.target, 3);
  expect(r.planes[0]!.length).toBeGreaterThan(rate * 0.2);
  const a = alignTo(r.planes, rate, r.target, { searchMs: 60, windowFrames: 4096 });
  expect(a.corr, `seek ${r.target}: correlation`).toBeGreaterThan(0.98);
  expect(Math.abs(a.lagMs), `seek ${r.target}: landed ${a.lagMs.toFixed(3)} ms off`).toBeLessThan(1);
  const cont = checkContinuity(r.planes, rate, r.target, { minSnrDb: 10 });
  expect(cont.jumps, `seek ${r.target}: continuous after the seek`).toEqual([]);
}

for (const fx of manifest()) {
  test.describe(`wasm ${fx.file}`, () => {
    test.beforeEach(async ({ page }) => openHarness(page));

    test('decodes from the first real sample, continuous, channels in order, full length', async ({ page }) => {
      const rate = fx.sampleRate;
      const out = await readResource(page, `/fixtures/media/${fx.file}`, { sampleRate: rate, ...WASM });
      expect(out.format.decoder, 'the software decoder is in use').toBe(expectedKind(fx));
      expect(out.format.decoderName.length).toBeGreaterThan(0);
      expect(out.sampleRate).toBe(rate);
      expect(out.channels).toBe(fx.channels);
      if (exactLength(fx)) {
        expect(out.frames).toBe(fx.frames);
        expect(out.duration).toBeCloseTo(fx.frames / rate, 6);
      } else {
        expect(out.frames).toBeGreaterThanOrEqual(fx.frames);
        expect(out.frames).toBeLessThanOrEqual(fx.frames + 2304);
      }
      if (fx.lossless) {
        const want = expectedPcm(fx.channels, rate, fx.frames, { bits: bitsOf(fx) });
        for (let ch = 0; ch < fx.channels; ch++) {
          const cmp = exactCompare(out.planes[ch] as Float32Array, want[ch] as Float32Array);
          expect(cmp.equal, `channel ${ch}: first difference at frame ${cmp.firstDiff}, max |diff| ${cmp.maxAbsDiff}`).toBe(true);
        }
        return;
      }
      const start = alignTo(out.planes, rate, 0, { searchMs: 40, windowFrames: 4096, start: 0 });
      expect(start.corr, 'the first block matches the chirp at t=0 (channels in order)').toBeGreaterThan(0.99);
      expect(Math.abs(start.lagFrames), `first sample is t=0 (lag ${start.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
      const cont = checkContinuity(out.planes, rate, 0, { frames: Math.min(out.frames, fx.frames) });
      expect(cont.jumps, 'no lost or repeated frames').toEqual([]);
      expect(cont.drift, 'no drift').toBeLessThan(1);
      expect(cont.minSnr, `worst block SNR (block ${cont.worst?.block})`).toBeGreaterThan(snrFloor(fx));
    });

    test('seeks land within 1 ms of the target (exact where lossless)', async ({ page }) => {
      const rate = fx.sampleRate;
      const { format, reads } = await seekReads(page, `/fixtures/media/${fx.file}`, { sampleRate: rate, ...WASM }, SEEK_TARGETS);
      expect(format.decoder).toBe(expectedKind(fx));
      for (const r of reads) {
        if (!fx.lossless) {
          expectLossySeek(r, rate);
          continue;
        }
        expect(r.position).toBeCloseTo(r.target, 3);
        const startFrame = Math.round(r.target * rate);
        const want = expectedPcm(fx.channels, rate, r.planes[0]!.length, { bits: bitsOf(fx), startFrame });
        const cmp = exactCompare(r.planes, want);
        expect(r.planes[0]!.length).toBeGreaterThan(rate * 0.2);
        expect(cmp.equal, `seek ${r.target}: exact from frame ${startFrame} (first diff ${cmp.firstDiff})`).toBe(true);
      }
    });
  });
}

test('wasm: resampled to 48000 Hz, AAC, MP3, Vorbis and FLAC keep time, length and channels', async ({ page }) => {
  await openHarness(page);
  for (const file of ['chirp.m4a', 'chirp-cbr.mp3', 'chirp.ogg', 'chirp-mono-48000.flac']) {
    const fx = manifest().find((f) => f.file === file)!;
    const out = await readResource(page, `/fixtures/media/${file}`, { sampleRate: 48000, ...WASM });
    expect(out.format.decoder).toBe('wasm');
    const expectedFrames = Math.round((fx.frames * 48000) / fx.sampleRate);
    expect(Math.abs(out.frames - expectedFrames), `${file}: length`).toBeLessThanOrEqual(1);
    const start = alignTo(out.planes, 48000, 0, { searchMs: 40, windowFrames: 4096 });
    expect(Math.abs(start.lagFrames), `${file}: first sample is t=0 (lag ${start.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
    const cont = checkContinuity(out.planes, 48000, 0, { frames: Math.min(out.frames, expectedFrames) });
    expect(cont.jumps, `${file}: continuous`).toEqual([]);
    expect(cont.minSnr, `${file}: worst block SNR`).toBeGreaterThan(fx.lossless ? 60 : snrFloor(fx));
  }
});

test.describe('wasm ALAC (M4A)', () => {
  const fixtures = alacFixtures();
  test.beforeEach(async ({ page }) => openHarness(page));

  for (const fx of fixtures) {
    for (const decoder of ['wasm', 'auto'] as const) {
      test(`${fx.url.split('/').pop()} with decoder '${decoder}' is bit-exact, and seeks are exact`, async ({ page }) => {
        const out = await readResource(page, fx.url, { sampleRate: fx.sampleRate, decoder });
        expect(out.format.codec).toBe('alac');
        expect(out.format.decoder, 'only the software decoder does ALAC').toBe('wasm');
        expect(out.channels).toBe(fx.channels);
        expect(out.frames).toBe(fx.frames);
        const want = expectedPcm(fx.channels, fx.sampleRate, fx.frames, { bits: fx.bits });
        const cmp = exactCompare(out.planes, want);
        expect(cmp.equal, `first difference at ${cmp.firstDiff}, max |diff| ${cmp.maxAbsDiff}`).toBe(true);
        const { reads } = await seekReads(page, fx.url, { sampleRate: fx.sampleRate, decoder }, [4.9, 1.0007]);
        for (const r of reads) {
          const startFrame = Math.round(r.target * fx.sampleRate);
          const wantAt = expectedPcm(fx.channels, fx.sampleRate, r.planes[0]!.length, { bits: fx.bits, startFrame });
          expect(r.planes[0]!.length).toBeGreaterThan(fx.sampleRate * 0.2);
          expect(exactCompare(r.planes, wantAt).equal, `seek ${r.target}: exact from frame ${startFrame}`).toBe(true);
        }
      });
    }
  }

  test("with decoder 'webcodecs' ALAC gives a clear unsupported error naming the codec", async ({ page }) => {
    const err = await readResourceError(page, fixtures[0]!.url, { decoder: 'webcodecs' });
    expect(err.isKithara).toBe(true);
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/alac/i);
  });
});

/** Every HLS fixture stream (7.9 s of the chirp). */
const HLS_STREAMS = ['fmp4', 'ts', 'ts-mp3', 'packed-aac', 'packed-mp3', 'byterange', 'aes-ts-iv', 'aes-ts-seq', 'aes-fmp4'];
/** The streams the seek tests cover: AAC over TS and fMP4, clear and AES-128. */
const HLS_SEEK_STREAMS = ['ts', 'fmp4', 'aes-ts-iv', 'aes-fmp4'];

for (const dir of HLS_STREAMS) {
  test(`wasm HLS ${dir}: plays from t=0, continuous across segments, full length`, async ({ page }) => {
    await openHarness(page);
    const out = await readResource(page, `/fixtures/hls/${dir}/index.m3u8`, { sampleRate: 48000, ...WASM });
    expect(out.format.decoder).toBe('wasm');
    expect(Math.abs(out.duration - 7.9)).toBeLessThan(0.025);
    expect(Math.abs(out.frames - out.duration * 48000)).toBeLessThan(2);
    const a = alignTo(out.planes, 48000, 0, { searchMs: 40 });
    expect(a.corr).toBeGreaterThan(0.99);
    expect(Math.abs(a.lagFrames), `starts at t=0 (lag ${a.lagFrames.toFixed(2)} frames)`).toBeLessThan(1);
    const cont = checkContinuity(out.planes, 48000, 0, { frames: out.frames - 4800, minSnrDb: dir.includes('mp3') ? 20 : 35 });
    expect(cont.jumps, 'no gap or overlap at segment joins').toEqual([]);
    expect(cont.drift).toBeLessThan(1);
  });
}

for (const dir of HLS_SEEK_STREAMS) {
  test(`wasm HLS ${dir}: seeks (also back, and into later segments) land within 1 ms`, async ({ page }) => {
    await openHarness(page);
    const { format, reads } = await seekReads(page, `/fixtures/hls/${dir}/index.m3u8`, { sampleRate: 48000, ...WASM }, [6.3, 2.3456, 0.5, 4.9, 1.0007]);
    expect(format.decoder).toBe('wasm');
    for (const r of reads) expectLossySeek(r, 48000);
  });
}
