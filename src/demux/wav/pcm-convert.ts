/**
 * The 'pcm' decoder's core: interleaved integer or float PCM to planar Float32.
 * Integers scale by 2^(bits−1), so s16 x becomes x / 32768 and u8 x becomes (x − 128) / 128;
 * the result is in [−1, 1). Floats pass through (f64 is rounded to f32).
 */
import type { PcmLayout } from '../types.js';

const BYTES: Readonly<Record<PcmLayout['format'], number>> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };

/** Bytes per sample of a PCM format. */
export function pcmSampleBytes(format: PcmLayout['format']): number {
  return BYTES[format];
}

/**
 * Converts whole frames of `data` to one Float32Array per channel. A trailing partial frame
 * is ignored. Pass `out` (planes at least as long as the frame count) to avoid allocation.
 * @returns The planes, each exactly the frame count long (views of `out` when given).
 */
export function pcmToPlanar(data: Uint8Array, layout: PcmLayout, channels: number, out?: Float32Array[]): Float32Array[] {
  const size = BYTES[layout.format];
  const stride = layout.blockAlign;
  const frames = Math.floor(data.byteLength / stride);
  const planes: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const given = out?.[c];
    planes.push(given ? given.subarray(0, frames) : new Float32Array(frames));
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = !layout.bigEndian;
  for (let c = 0; c < channels; c++) {
    const plane = planes[c] as Float32Array;
    let o = c * size;
    switch (layout.format) {
      case 'u8':
        for (let i = 0; i < frames; i++, o += stride) plane[i] = ((data[o] as number) - 128) / 128;
        break;
      case 's16':
        for (let i = 0; i < frames; i++, o += stride) plane[i] = view.getInt16(o, le) / 32768;
        break;
      case 's24':
        for (let i = 0; i < frames; i++, o += stride) {
          const b0 = data[o] as number;
          const b1 = data[o + 1] as number;
          const b2 = data[o + 2] as number;
          const u = le ? b0 | (b1 << 8) | (b2 << 16) : b2 | (b1 << 8) | (b0 << 16);
          plane[i] = ((u << 8) >> 8) / 8388608;
        }
        break;
      case 's32':
        for (let i = 0; i < frames; i++, o += stride) plane[i] = view.getInt32(o, le) / 2147483648;
        break;
      case 'f32':
        for (let i = 0; i < frames; i++, o += stride) plane[i] = view.getFloat32(o, le);
        break;
      case 'f64':
        for (let i = 0; i < frames; i++, o += stride) plane[i] = view.getFloat64(o, le);
        break;
    }
  }
  return planes;
}
