// Rewrites an ADTS AAC-LC mono stream so that it carries pulse_data (ISO/IEC 14496-3 §4.6.5),
// which ffmpeg's encoder never writes. Used by scripts/make-fixtures-wasm-aac.mjs.
//
// In every long-window frame (one single_channel_element), up to four spectral values v with
// 2 ≤ |v| ≤ 15 in pair codebooks 5..10 are re-coded as sign(v)·1 and a pulse of amplitude |v|
// is added at their position, so a decoder that applies the pulses reconstructs sign(v)·(|v|+1):
// the stream decodes differently from the original, and only with the pulses applied. All other
// bits are copied unchanged. The Huffman tables are read from the decoder's own table file.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TABLES = join(ROOT, 'src', 'decode', 'wasm', 'aac', 'assembly', 'huffman-tables.ts');
const SWB_44100 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176,
  196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768,
  800, 832, 864, 896, 928, 1024,
];

function loadBooks() {
  const text = readFileSync(TABLES, 'utf8');
  const arrays = {};
  for (const m of text.matchAll(/export const (\w+): StaticArray<\w+> = \[([^\]]*)\]/g)) {
    arrays[m[1]] = m[2].split(',').map(Number);
  }
  const book = (name) => {
    const bits = arrays[`${name}_BITS`];
    const codes = arrays[`${name}_CODES`];
    const map = new Map(bits.map((len, i) => [`${len}:${codes[i]}`, i]));
    return { bits, codes, map };
  };
  const books = [book('HCB_SF')];
  for (let cb = 1; cb <= 11; cb++) books.push(book(`HCB${cb}`));
  return books;
}

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }
  bit() {
    const b = (this.bytes[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  read(n) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  huff(book) {
    let code = 0;
    for (let len = 1; len <= 19; len++) {
      code = code * 2 + this.bit();
      const idx = book.map.get(`${len}:${code}`);
      if (idx !== undefined) return idx;
    }
    throw new Error('bad Huffman code');
  }
}

class Writer {
  constructor() {
    this.bits = [];
  }
  write(v, n) {
    for (let i = n - 1; i >= 0; i--) this.bits.push((v >> i) & 1);
  }
  copy(bytes, from, to) {
    for (let p = from; p < to; p++) this.bits.push((bytes[p >> 3] >> (7 - (p & 7))) & 1);
  }
  bytes() {
    const out = new Uint8Array(Math.ceil(this.bits.length / 8));
    this.bits.forEach((b, i) => (out[i >> 3] |= b << (7 - (i & 7))));
    return out;
  }
}

/** Parses one mono long-window raw_data_block; returns the pulse flag position and the pair codewords. */
function parseBlock(payload, books) {
  const r = new Reader(payload);
  if (r.read(3) !== 0) return null; // not a single_channel_element
  r.read(4 + 8 + 1); // element_instance_tag, global_gain, ics_reserved_bit
  const ws = r.read(2);
  r.read(1);
  if (ws === 2) return null;
  const maxSfb = r.read(6);
  if (r.read(1)) return null;
  const cbs = [];
  while (cbs.length < maxSfb) {
    const cb = r.read(4);
    let len = 0;
    let incr;
    do {
      incr = r.read(5);
      len += incr;
    } while (incr === 31);
    for (let i = 0; i < len; i++) cbs.push(cb);
  }
  for (const cb of cbs) {
    if (cb === 13) return null; // the first noise energy is not Huffman-coded; not expected here
    if (cb !== 0) r.huff(books[0]);
  }
  const pulseFlag = r.pos;
  if (r.read(1)) return null;
  if (r.read(1)) {
    const nf = r.read(2);
    if (nf) {
      const res = r.read(1);
      for (let f = 0; f < nf; f++) {
        r.read(6);
        const order = r.read(5);
        if (order) {
          r.read(1);
          const compress = r.read(1);
          r.read(order * (3 + res - compress));
        }
      }
    }
  }
  if (r.read(1)) return null;
  const words = [];
  for (let sfb = 0; sfb < maxSfb; sfb++) {
    const cb = cbs[sfb];
    if (cb === 0 || cb >= 13) continue;
    for (let k = SWB_44100[sfb]; k < SWB_44100[sfb + 1]; k += cb <= 4 ? 4 : 2) {
      const start = r.pos;
      const idx = r.huff(books[cb]);
      const dim = cb <= 4 ? 4 : 2;
      const mod = [0, 3, 3, 3, 3, 9, 9, 8, 8, 13, 13, 17][cb];
      const vals = [];
      for (let d = dim - 1, x = idx; d >= 0; d--, x = Math.floor(x / mod)) vals[d] = x % mod;
      const unsigned = cb >= 3 && cb !== 5 && cb !== 6;
      for (let d = 0; d < dim; d++) {
        if (!unsigned) vals[d] -= (mod - 1) / 2;
        else if (vals[d] !== 0 && r.bit()) vals[d] = -vals[d];
      }
      if (cb === 11) {
        for (let d = 0; d < 2; d++) {
          if (Math.abs(vals[d]) !== 16) continue;
          let n = 4;
          while (r.bit()) n++;
          r.read(n);
        }
      }
      words.push({ start, end: r.pos, cb, k, vals, sfb });
    }
  }
  return { pulseFlag, words };
}

function encodeWord(w, vals, books) {
  const { cb } = w;
  const out = new Writer();
  if (cb === 5 || cb === 6) {
    const idx = 9 * (vals[0] + 4) + (vals[1] + 4);
    out.write(books[cb].codes[idx], books[cb].bits[idx]);
  } else {
    const mod = cb <= 8 ? 8 : 13;
    const idx = mod * Math.abs(vals[0]) + Math.abs(vals[1]);
    out.write(books[cb].codes[idx], books[cb].bits[idx]);
    for (const v of vals) if (v !== 0) out.write(v < 0 ? 1 : 0, 1);
  }
  return out.bits;
}

function rewriteBlock(payload, books) {
  const block = parseBlock(payload, books);
  if (block === null) return null;
  const pulses = [];
  let last = -1;
  for (const w of block.words) {
    if (w.cb < 5 || w.cb > 10 || pulses.length === 4) continue;
    for (let d = 0; d < 2 && pulses.length < 4; d++) {
      const k = w.k + d;
      const v = w.vals[d];
      if (Math.abs(v) < 2 || Math.abs(v) > 15) continue;
      if (last < 0 ? k - SWB_44100[w.sfb] > 31 : k - last > 31) continue;
      if (pulses.length === 0) pulses.startSfb = w.sfb;
      pulses.push({ k, amp: Math.abs(v), offset: last < 0 ? k - SWB_44100[w.sfb] : k - last, word: w, d });
      last = k;
    }
  }
  if (pulses.length === 0) return null;
  const out = new Writer();
  out.copy(payload, 0, block.pulseFlag);
  out.write(1, 1);
  out.write(pulses.length - 1, 2);
  out.write(pulses.startSfb, 6);
  for (const p of pulses) {
    out.write(p.offset, 5);
    out.write(p.amp, 4);
  }
  let pos = block.pulseFlag + 1;
  for (const w of new Set(pulses.map((p) => p.word))) {
    const vals = [...w.vals];
    for (const p of pulses) if (p.word === w) vals[p.d] = Math.sign(vals[p.d]);
    out.copy(payload, pos, w.start);
    out.bits.push(...encodeWord(w, vals, books));
    pos = w.end;
  }
  out.copy(payload, pos, payload.length * 8);
  return out.bytes();
}

/** Adds pulse data to every eligible frame of an ADTS stream (7-byte headers). */
export function addPulseData(adts) {
  const books = loadBooks();
  const frames = [];
  for (let p = 0; p + 7 <= adts.length; ) {
    const len = ((adts[p + 3] & 3) << 11) | (adts[p + 4] << 3) | (adts[p + 5] >> 5);
    if (!(adts[p + 1] & 1)) throw new Error('ADTS with CRC is not handled');
    const header = Uint8Array.from(adts.subarray(p, p + 7));
    const payload = adts.subarray(p + 7, p + len);
    const body = rewriteBlock(payload, books) ?? payload;
    const total = body.length + 7;
    header[3] = (header[3] & 0xfc) | (total >> 11);
    header[4] = (total >> 3) & 0xff;
    header[5] = (header[5] & 0x1f) | ((total & 7) << 5);
    frames.push(header, body);
    p += len;
  }
  return Buffer.concat(frames);
}
