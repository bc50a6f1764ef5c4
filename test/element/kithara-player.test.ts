// <kithara-player> in Node: the module imports without a DOM (SSR), registration is a no-op
// without a registry and happens once with one, and the pure formatting helpers of the
// control bar produce what the browser would show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferedGradient, formatTime } from '../../src/element/controls.js';
import { defineKitharaPlayer, KitharaPlayerElement, statusLine } from '../../src/element/kithara-player.js';
import type { PlayerStats } from '../../src/player/types.js';

test('importing the element module needs no DOM and defines nothing without a registry', () => {
  assert.equal(typeof HTMLElement, 'undefined');
  assert.equal(typeof KitharaPlayerElement, 'function');
  assert.equal(defineKitharaPlayer(), false);
});

test('defineKitharaPlayer registers once per name and uses a subclass for a second name', () => {
  const defined = new Map<string, CustomElementConstructor>();
  const registry = {
    get: (name: string) => defined.get(name),
    define(name: string, ctor: CustomElementConstructor) {
      if ([...defined.values()].includes(ctor)) throw new Error('constructor already used');
      defined.set(name, ctor);
    },
  };
  const g = globalThis as { customElements?: unknown };
  g.customElements = registry;
  try {
    assert.equal(defineKitharaPlayer(), true);
    assert.equal(defined.get('kithara-player'), KitharaPlayerElement);
    assert.equal(defineKitharaPlayer(), false);
    assert.equal(defineKitharaPlayer('my-player'), true);
    const other = defined.get('my-player');
    assert.ok(other && other !== KitharaPlayerElement && other.prototype instanceof KitharaPlayerElement);
  } finally {
    delete g.customElements;
  }
});

test('formatTime shows m:ss, h:mm:ss, live and unknown', () => {
  assert.equal(formatTime(0), '0:00');
  assert.equal(formatTime(6), '0:06');
  assert.equal(formatTime(65.9), '1:05');
  assert.equal(formatTime(3661), '1:01:01');
  assert.equal(formatTime(Infinity), 'live');
  assert.equal(formatTime(NaN), '--:--');
  assert.equal(formatTime(-1), '--:--');
});

test('bufferedGradient paints each buffered range at its share of the duration', () => {
  const css = bufferedGradient([[0, 1.5], [3, 6]], 6);
  const stops = [...css.matchAll(/(transparent|var\(--kithara-buffered\)) ([\d.]+)%/g)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(stops, [
    ['transparent', 0], ['var(--kithara-buffered)', 0], ['var(--kithara-buffered)', 25], ['transparent', 25],
    ['transparent', 50], ['var(--kithara-buffered)', 50], ['var(--kithara-buffered)', 100], ['transparent', 100],
  ]);
  assert.equal(bufferedGradient([[0, 1]], NaN), 'none');
  assert.equal(bufferedGradient([], 6), 'none');
  // Ranges past the end are clamped to the bar.
  assert.match(bufferedGradient([[5, 9]], 6), /100\.00%/);
});

test('statusLine names codec, rate, decoder, buffer, underruns and output mode', () => {
  const stats: PlayerStats = {
    format: {
      container: 'flac', codec: 'flac', codecString: 'flac', sampleRate: 44100, channels: 2,
      decoder: 'wasm', decoderName: 'WASM flac',
    },
    bufferedAheadSec: 0.4567, underruns: 2, bytesLoaded: 10, bytesTotal: 20, variant: -1,
    throughputBps: NaN, outputMode: 'sab', outputSampleRate: 48000,
  };
  assert.equal(statusLine(stats), 'flac 44.1 kHz 2 ch · WASM flac · buffer 0.46 s · 2 underruns · sab');
  assert.equal(
    statusLine({ ...stats, format: null, underruns: 0, outputMode: 'none', bufferedAheadSec: 0 }),
    'buffer 0.00 s',
  );
});
