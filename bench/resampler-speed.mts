// Resampler speed per quality level, stereo 44100→48000 fed in 4096-frame chunks, WebAssembly SIMD
// kernel and JavaScript fallback: best of 5 runs over 20 s of audio, in × real time.
// usage: node --import tsx bench/resampler-speed.mts (the table in src/audio/resampler.ts)
import { Resampler } from '../src/audio/resampler.ts';
import { setSimdEnabled } from '../src/audio/resampler-simd.ts';
const n = 44100 * 20;
const a = new Float32Array(n), b = new Float32Array(n);
for (let i = 0; i < n; i++) { a[i] = Math.sin(i * 0.01); b[i] = Math.cos(i * 0.013); }
for (const simd of [true, false]) {
  setSimdEnabled(simd);
  for (const q of ['fast', 'normal', 'good', 'high'] as const) {
    const times: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const r = new Resampler({ inRate: 44100, outRate: 48000, channels: 2, quality: q });
      const out = [new Float32Array(8192), new Float32Array(8192)];
      const t0 = performance.now();
      for (let i = 0; i < n; i += 4096) { const k = Math.min(4096, n - i); r.process([a.subarray(i, i + k), b.subarray(i, i + k)], k, out); }
      times.push(performance.now() - t0);
      if (!simd && q === 'high' && rep === 1) break;
    }
    times.sort((x, y) => x - y);
    console.log(`${simd ? 'simd' : 'js  '} ${q.padEnd(6)} ${Math.round(20000 / times[0]!)}×`);
  }
}
