/**
 * Random but valid MPEG audio layer I and II frames, for testing the decoder against ffmpeg on
 * bitstream features no encoder at hand produces (layer I, joint stereo bounds, CRC words, the
 * small layer II allocation tables). Seeded: the same options give the same bytes.
 */

/** What to generate. */
export interface RandomFramesOptions {
  layer: 1 | 2;
  /** 3 = MPEG-1, 2 = MPEG-2 LSF (the header's version bits). */
  version: 3 | 2;
  /** Sampling frequency index 0..2 of the version. */
  rateIndex: number;
  bitrateIndex: number;
  /** 0 stereo, 1 joint stereo, 2 dual channel, 3 mono. */
  mode: number;
  modeExtension: number;
  crc: boolean;
  frames: number;
  seed: number;
}

const L2_ROWS = [
  [0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16],
  [0, 1, 2, 3, 4, 5, 16], [0, 1, 16], [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [0, 1, 3, 4, 5, 6, 7],
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], [0, 1, 3],
];
const L2_ROW_BITS = [4, 4, 3, 2, 4, 3, 4, 2];
/** (row, subbands) runs of allocation tables a, b, c, d and LSF. */
const L2_TABLES = [[0, 3, 1, 8, 2, 12, 3, 4], [0, 3, 1, 8, 2, 12, 3, 7], [4, 2, 5, 6], [4, 2, 5, 10], [6, 4, 5, 7, 7, 19]];
const LEVELS = [3, 5, 7, 9, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095, 8191, 16383, 32767, 65535];
const BITS = [-5, -7, 3, -10, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const BITRATES: Record<string, number[]> = {
  '3-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '3-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000] };

class BitWriter {
  bytes: Uint8Array;
  pos = 0;
  constructor(n: number) {
    this.bytes = new Uint8Array(n);
  }
  put(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      if ((value >>> i) & 1) this.bytes[this.pos >> 3]! |= 0x80 >> (this.pos & 7);
      this.pos++;
    }
  }
}

/** A seeded generator of integers in [0, n). */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor(((s >>> 8) / 16777216) * n);
  };
}

/** The layer II allocation table the decoder must pick for these options. */
function layer2Table(o: RandomFramesOptions, bitrate: number, channels: number): number {
  if (o.version === 2) return 4;
  const rate = RATES[3]![o.rateIndex]!;
  const perChannel = bitrate / channels;
  if ((rate === 48000 && perChannel >= 56) || (perChannel >= 56 && perChannel <= 80)) return 0;
  if (rate !== 48000 && perChannel >= 96) return 1;
  if (rate !== 32000 && perChannel <= 48) return 2;
  return 3;
}

/** One frame's audio data written by `w`, with allocations limited to `maxAlloc`. */
function frameBody(o: RandomFramesOptions, w: BitWriter, rnd: (n: number) => number, bitrate: number, maxAlloc: number): void {
  const channels = o.mode === 3 ? 1 : 2;
  if (o.layer === 1) {
    const bound = o.mode === 1 ? (o.modeExtension + 1) * 4 : 32;
    const alloc = [new Array<number>(32).fill(0), new Array<number>(32).fill(0)];
    for (let sb = 0; sb < 32; sb++) {
      for (let ch = 0; ch < channels; ch++) {
        if (ch === 1 && sb >= bound) alloc[1]![sb] = alloc[0]![sb]!;
        else w.put((alloc[ch]![sb] = rnd(maxAlloc + 1)), 4);
      }
    }
    for (let sb = 0; sb < 32; sb++) for (let ch = 0; ch < channels; ch++) if (alloc[ch]![sb]) w.put(rnd(63), 6);
    for (let s = 0; s < 12; s++) {
      for (let sb = 0; sb < 32; sb++) {
        for (let ch = 0; ch < channels; ch++) {
          const a = alloc[ch]![sb]!;
          if (a && (ch === 0 || sb < bound)) w.put(rnd((2 << a) - 1), a + 1);
        }
      }
    }
    return;
  }
  const table = L2_TABLES[layer2Table(o, bitrate, channels)]!;
  const rows: number[] = [];
  for (let i = 0; i < table.length; i += 2) for (let k = 0; k < table[i + 1]!; k++) rows.push(table[i]!);
  const sblimit = rows.length;
  const bound = Math.min(sblimit, o.mode === 1 ? (o.modeExtension + 1) * 4 : sblimit);
  const cls = [new Array<number>(32).fill(-1), new Array<number>(32).fill(-1)];
  for (let sb = 0; sb < sblimit; sb++) {
    const row = rows[sb]!;
    for (let ch = 0; ch < channels; ch++) {
      if (ch === 1 && sb >= bound) {
        cls[1]![sb] = cls[0]![sb]!;
        continue;
      }
      const a = rnd(Math.min(maxAlloc, (1 << L2_ROW_BITS[row]!) - 1) + 1);
      w.put(a, L2_ROW_BITS[row]!);
      cls[ch]![sb] = a === 0 ? -1 : L2_ROWS[row]![a - 1]!;
    }
  }
  const scfsi = [new Array<number>(32).fill(0), new Array<number>(32).fill(0)];
  for (let sb = 0; sb < sblimit; sb++) for (let ch = 0; ch < channels; ch++) if (cls[ch]![sb]! >= 0) w.put((scfsi[ch]![sb] = rnd(4)), 2);
  for (let sb = 0; sb < sblimit; sb++) {
    for (let ch = 0; ch < channels; ch++) {
      if (cls[ch]![sb]! < 0) continue;
      const n = [3, 2, 1, 2][scfsi[ch]![sb]!]!;
      for (let k = 0; k < n; k++) w.put(rnd(63), 6);
    }
  }
  for (let gr = 0; gr < 12; gr++) {
    for (let sb = 0; sb < sblimit; sb++) {
      for (let ch = 0; ch < channels; ch++) {
        const c = cls[ch]![sb]!;
        if (c < 0 || (ch === 1 && sb >= bound)) continue;
        const levels = LEVELS[c]!;
        const bits = BITS[c]!;
        if (bits < 0) w.put(rnd(levels ** 3), -bits);
        else for (let k = 0; k < 3; k++) w.put(rnd(levels), bits);
      }
    }
  }
}

/** A stream of `frames` random frames (no padding). */
export function randomMpegFrames(o: RandomFramesOptions): Uint8Array {
  const rnd = random(o.seed);
  const bitrate = BITRATES[`${o.version}-${o.layer}`]![o.bitrateIndex]!;
  const rate = RATES[o.version]![o.rateIndex]!;
  const bytes = o.layer === 1 ? Math.floor((12 * bitrate * 1000) / rate) * 4 : Math.floor((144 * bitrate * 1000) / rate);
  const out = new Uint8Array(bytes * o.frames);
  for (let f = 0; f < o.frames; f++) {
    for (let maxAlloc = o.layer === 1 ? 6 : 4; ; maxAlloc--) {
      const w = new BitWriter(bytes + 4096);
      w.put(0xfff, 12);
      w.put(o.version & 1, 1);
      w.put(4 - o.layer, 2);
      w.put(o.crc ? 0 : 1, 1);
      w.put(o.bitrateIndex, 4);
      w.put(o.rateIndex, 2);
      w.put(0, 2); // padding, private
      w.put(o.mode, 2);
      w.put(o.modeExtension, 2);
      w.put(0, 4); // copyright, original, emphasis
      if (o.crc) w.put(rnd(65536), 16);
      frameBody(o, w, rnd, bitrate, maxAlloc);
      if (w.pos <= bytes * 8) {
        out.set(w.bytes.subarray(0, bytes), f * bytes);
        break;
      }
    }
  }
  return out;
}
