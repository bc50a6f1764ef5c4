// The bulk decoder factory (PCM readers): MPEG audio starts on the WASM decoder even where
// WebCodecs would take it; other codecs, and players, keep WebCodecs first. The platform's
// AudioDecoder is a stand-in here (Node has none); the decoders chosen are the real ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultDecoderFactory, softwareFirst } from '../../src/decode/factory.js';
import { wasmDecoderProvider } from '../../src/decode/wasm/provider.js';
import { demux, decodeAll, assemble } from './wasm-helpers.js';

/** A minimal platform AudioDecoder that accepts every config and decodes nothing. */
class StandInAudioDecoder extends EventTarget {
  state = 'unconfigured';
  decodeQueueSize = 0;
  static isConfigSupported(): Promise<{ supported: boolean }> {
    return Promise.resolve({ supported: true });
  }
  configure(): void {
    this.state = 'configured';
  }
  reset(): void {}
  close(): void {
    this.state = 'closed';
  }
}

const g = globalThis as { AudioDecoder?: unknown };
before(() => (g.AudioDecoder = StandInAudioDecoder));
after(() => delete g.AudioDecoder);

const provider = () => Promise.resolve(wasmDecoderProvider);

test('a bulk factory decodes MP3 with the WASM decoder; a player factory with WebCodecs', async () => {
  const { track, packets } = await demux(`${process.cwd()}/fixtures/media/chirp-cbr.mp3`);
  assert.ok(softwareFirst(track));
  const bulk = await new DefaultDecoderFactory(provider, true).create(track, 'auto');
  assert.equal(bulk.kind, 'wasm');
  const out = assemble(await decodeAll(bulk, packets.slice(0, 40)));
  assert.ok(out.contiguous && out.end - out.start >= 39 * 1152, 'the WASM decoder decodes the packets');
  assert.ok(out.planes[0]!.some((v) => Math.abs(v) > 0.01), 'and produces audio');
  const player = await new DefaultDecoderFactory(provider).create(track, 'auto');
  assert.equal(player.kind, 'webcodecs');
  player.close();
  const forced = await new DefaultDecoderFactory(provider, true).create(track, 'webcodecs');
  assert.equal(forced.kind, 'webcodecs', "an explicit 'webcodecs' choice is kept");
  forced.close();
});

test('a bulk factory keeps WebCodecs first for codecs whose software decoder is not faster', async () => {
  const { track } = await demux(`${process.cwd()}/fixtures/media/chirp.m4a`);
  assert.equal(softwareFirst(track), false);
  const d = await new DefaultDecoderFactory(provider, true).create(track, 'auto');
  assert.equal(d.kind, 'webcodecs');
  d.close();
});
