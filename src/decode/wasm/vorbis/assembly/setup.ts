// The identification and setup headers (Vorbis I §4.2.2, §4.2.4): stream parameters and the
// codebooks, floors, residues, mappings and modes, kept for the life of the instance.

import { overrun, readBit, readBits } from './bits';
import { Codebook, readCodebook } from './codebook';
import { Floor1, readFloor1 } from './floor1';
import { Residue, readResidue } from './residue';
import { ERR_MALFORMED, ERR_TRUNCATED, ERR_UNSUPPORTED, fail, ilog } from './state';

/** One mapping (type 0). */
export class Mapping {
  submaps: i32 = 1;
  couplingSteps: i32 = 0;
  magnitude: StaticArray<i32> = new StaticArray<i32>(0);
  angle: StaticArray<i32> = new StaticArray<i32>(0);
  /** Submap of each channel. */
  mux: StaticArray<i32> = new StaticArray<i32>(0);
  floor: StaticArray<i32> = new StaticArray<i32>(16);
  residue: StaticArray<i32> = new StaticArray<i32>(16);
}

/** One mode. */
export class Mode {
  long: bool = false;
  mapping: i32 = 0;
}

export let channels: i32 = 0;
export let sampleRate: i32 = 0;
export let blockSize0: i32 = 0;
export let blockSize1: i32 = 0;
export let books = new StaticArray<Codebook>(0);
export let floors = new StaticArray<Floor1>(0);
export let residues = new StaticArray<Residue>(0);
export let mappings = new StaticArray<Mapping>(0);
export let modes = new StaticArray<Mode>(0);
/** Largest floor 1 post count. */
export let maxPosts: i32 = 2;

/** Checks the common header start: packet type, then "vorbis". */
function isHeader(type: i32): bool {
  if (<i32>readBits(8) != type) return false;
  const magic: StaticArray<u8> = [0x76, 0x6f, 0x72, 0x62, 0x69, 0x73];
  for (let i = 0; i < 6; i++) if (readBits(8) != <u32>unchecked(magic[i])) return false;
  return true;
}

/** Parses the identification header. Returns false after recording an error. */
export function readIdentification(bytes: i32): bool {
  if (bytes < 30) return fail(ERR_TRUNCATED, 40);
  if (!isHeader(1)) return fail(ERR_MALFORMED, 41);
  if (readBits(32) != 0) return fail(ERR_UNSUPPORTED, 42);
  channels = <i32>readBits(8);
  sampleRate = <i32>readBits(32);
  readBits(32); // bitrate_maximum
  readBits(32); // bitrate_nominal
  readBits(32); // bitrate_minimum
  const b0 = <i32>readBits(4);
  const b1 = <i32>readBits(4);
  const framing = readBit();
  if (channels == 0 || sampleRate <= 0 || b0 < 6 || b1 > 13 || b0 > b1 || framing == 0) return fail(ERR_MALFORMED, 43);
  blockSize0 = 1 << b0;
  blockSize1 = 1 << b1;
  return true;
}

/** Parses the setup header. Returns false after recording an error. */
export function readSetup(): bool {
  if (!isHeader(5)) return fail(ERR_MALFORMED, 50);
  const bookCount = <i32>readBits(8) + 1;
  books = new StaticArray<Codebook>(bookCount);
  for (let i = 0; i < bookCount; i++) {
    const b = readCodebook();
    if (b === null) return false;
    unchecked((books[i] = b));
  }
  const times = <i32>readBits(6) + 1;
  for (let i = 0; i < times; i++) if (readBits(16) != 0) return fail(ERR_MALFORMED, 51);

  const floorCount = <i32>readBits(6) + 1;
  floors = new StaticArray<Floor1>(floorCount);
  for (let i = 0; i < floorCount; i++) {
    const type = <i32>readBits(16);
    if (type == 0) return fail(ERR_UNSUPPORTED, 52); // floor 0: see README
    if (type != 1) return fail(ERR_MALFORMED, 53);
    const f = readFloor1(books);
    if (f === null) return false;
    if (f.posts > maxPosts) maxPosts = f.posts;
    unchecked((floors[i] = f));
  }

  const residueCount = <i32>readBits(6) + 1;
  residues = new StaticArray<Residue>(residueCount);
  for (let i = 0; i < residueCount; i++) {
    const type = <i32>readBits(16);
    if (type > 2) return fail(ERR_MALFORMED, 54);
    const r = readResidue(type, books);
    if (r === null) return false;
    unchecked((residues[i] = r));
  }

  const mappingCount = <i32>readBits(6) + 1;
  mappings = new StaticArray<Mapping>(mappingCount);
  const channelBits = ilog(channels - 1);
  for (let i = 0; i < mappingCount; i++) {
    if (readBits(16) != 0) return fail(ERR_MALFORMED, 55);
    const m = new Mapping();
    m.submaps = readBit() != 0 ? <i32>readBits(4) + 1 : 1;
    if (readBit() != 0) {
      const steps = <i32>readBits(8) + 1;
      m.couplingSteps = steps;
      m.magnitude = new StaticArray<i32>(steps);
      m.angle = new StaticArray<i32>(steps);
      for (let s = 0; s < steps; s++) {
        const mag = <i32>readBits(channelBits);
        const ang = <i32>readBits(channelBits);
        if (mag == ang || mag >= channels || ang >= channels) return fail(ERR_MALFORMED, 56);
        unchecked((m.magnitude[s] = mag));
        unchecked((m.angle[s] = ang));
      }
    }
    if (readBits(2) != 0) return fail(ERR_MALFORMED, 57);
    m.mux = new StaticArray<i32>(channels);
    if (m.submaps > 1) {
      for (let c = 0; c < channels; c++) {
        const s = <i32>readBits(4);
        if (s >= m.submaps) return fail(ERR_MALFORMED, 58);
        unchecked((m.mux[c] = s));
      }
    }
    for (let s = 0; s < m.submaps; s++) {
      readBits(8); // time configuration placeholder
      const f = <i32>readBits(8);
      const r = <i32>readBits(8);
      if (f >= floorCount || r >= residueCount) return fail(ERR_MALFORMED, 59);
      unchecked((m.floor[s] = f));
      unchecked((m.residue[s] = r));
    }
    unchecked((mappings[i] = m));
  }

  const modeCount = <i32>readBits(6) + 1;
  modes = new StaticArray<Mode>(modeCount);
  for (let i = 0; i < modeCount; i++) {
    const mode = new Mode();
    mode.long = readBit() != 0;
    if (readBits(16) != 0 || readBits(16) != 0) return fail(ERR_MALFORMED, 60);
    mode.mapping = <i32>readBits(8);
    if (mode.mapping >= mappingCount) return fail(ERR_MALFORMED, 61);
    unchecked((modes[i] = mode));
  }
  if (readBit() == 0) return fail(ERR_MALFORMED, 62);
  if (overrun()) return fail(ERR_TRUNCATED, 63);
  return true;
}
