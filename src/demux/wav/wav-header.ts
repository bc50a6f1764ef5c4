/**
 * RIFF/RIFX/RF64 WAVE headers: the chunk walk up to the `data` chunk. Reads chunk headers
 * and the `fmt `/`ds64` bodies only; other chunks (LIST, fact, cue, bext, …) are seeked
 * over, with the pad byte RIFF adds after odd-sized chunks.
 *
 * Formats (Microsoft "Multimedia Programming Interface and Data Specifications 1.0",
 * WAVE_FORMAT_EXTENSIBLE from mmreg.h/ksmedia.h, RF64 from EBU Tech 3306).
 */
import type { ByteReader } from '../../stream/byte-reader.js';
import type { PcmLayout } from '../types.js';
import { parseError, unsupportedError } from '../common/errors.js';
import { startsWith } from '../common/id3.js';

/** What the header says about the samples and where they are. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  layout: PcmLayout;
  /** Absolute offset of the first sample byte. */
  dataOffset: number;
  /** Bytes of sample data, or undefined when unknown (streamed WAV: read to the end). */
  dataBytes: number | undefined;
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The 14 bytes after the format tag in every KSDATAFORMAT_SUBTYPE_* GUID. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0x00ff: 'AAC',
  0x2000: 'AC-3',
};
/** RIFF sizes meaning "unknown" in streamed files. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);
/** A sanity bound on `fmt `/`ds64` bodies, which are small. */
const MAX_HEADER_CHUNK = 4096;

/** Whether `head` starts like a WAVE file. */
export function isWav(head: Uint8Array): boolean {
  return (startsWith(head, 0, 'RIFF') || startsWith(head, 0, 'RIFX') || startsWith(head, 0, 'RF64')) && startsWith(head, 8, 'WAVE');
}

/** Walks the chunks from offset 0 to `data`. Throws `parse`/`unsupported` KitharaErrors. */
export async function readWavHeader(reader: ByteReader): Promise<WavInfo> {
  reader.seek(0);
  const head = await reader.peek(12);
  if (head.length < 12 || !isWav(head)) throw parseError('Not a WAVE file: missing the RIFF/RIFX/RF64 … WAVE header.');
  const bigEndian = startsWith(head, 0, 'RIFX');
  const rf64 = startsWith(head, 0, 'RF64');
  const u16 = (b: Uint8Array, at: number): number => (bigEndian ? (b[at] as number) * 256 + (b[at + 1] as number) : (b[at] as number) + (b[at + 1] as number) * 256);
  const u32 = (b: Uint8Array, at: number): number =>
    bigEndian ? u16(b, at) * 65536 + u16(b, at + 2) : u16(b, at) + u16(b, at + 2) * 65536;
  let pos = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes'> | null = null;
  let ds64DataBytes: number | undefined;
  for (;;) {
    reader.seek(pos);
    const ch = await reader.peek(8);
    if (ch.length < 8) throw parseError(fmt ? 'WAVE file has no data chunk.' : 'WAVE file ends before its fmt chunk.');
    const id = String.fromCharCode(...ch.subarray(0, 4));
    const size = u32(ch, 4);
    const body = pos + 8;
    if (id === 'fmt ' || id === 'ds64') {
      if (size > MAX_HEADER_CHUNK) throw parseError(`WAVE ${id.trim()} chunk is implausibly large (${size} bytes).`);
      reader.seek(body);
      const b = await reader.copy(size);
      if (b.length < size) throw parseError(`WAVE file ends inside its ${id.trim()} chunk.`);
      if (id === 'fmt ') fmt = parseFmt(b, u16, u32, bigEndian);
      else if (b.length >= 16) ds64DataBytes = u32(b, 8) + u32(b, 12) * 2 ** 32;
    } else if (id === 'data') {
      if (!fmt) throw parseError('WAVE data chunk comes before the fmt chunk.');
      let dataBytes: number | undefined = size;
      if (rf64 && size === 0xffffffff && ds64DataBytes !== undefined) dataBytes = ds64DataBytes;
      else if (UNKNOWN_SIZES.has(size)) dataBytes = undefined;
      return { ...fmt, dataOffset: body, dataBytes };
    }
    pos = body + size + (size & 1);
  }
}

type Read = (b: Uint8Array, at: number) => number;

function parseFmt(b: Uint8Array, u16: Read, u32: Read, bigEndian: boolean): Omit<WavInfo, 'dataOffset' | 'dataBytes'> {
  if (b.length < 16) throw parseError(`WAVE fmt chunk is too short (${b.length} bytes).`);
  let tag = u16(b, 0);
  const channels = u16(b, 2);
  const sampleRate = u32(b, 4);
  const blockAlign = u16(b, 12);
  const bits = u16(b, 14);
  if (tag === FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw parseError('WAVE_FORMAT_EXTENSIBLE fmt chunk is too short.');
    tag = u16(b, 24);
    if (GUID_TAIL.some((v, i) => b[26 + i] !== v)) throw unsupportedError('WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID is not supported.');
  }
  if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) {
    const name = FORMAT_NAMES[tag];
    throw unsupportedError(`WAVE format 0x${tag.toString(16).padStart(4, '0')}${name ? ` (${name})` : ''} is not supported; only PCM and IEEE float are.`);
  }
  if (channels < 1 || sampleRate < 1) throw parseError(`WAVE fmt chunk has ${channels} channels at ${sampleRate} Hz.`);
  if (blockAlign < channels || blockAlign % channels !== 0) throw parseError(`WAVE block align ${blockAlign} does not fit ${channels} channels.`);
  const bytes = blockAlign / channels;
  const format = sampleFormat(tag === FORMAT_FLOAT, bytes, bits);
  const layout: PcmLayout = { format, blockAlign };
  if (bigEndian) layout.bigEndian = true;
  return { sampleRate, channels, layout };
}

function sampleFormat(float: boolean, bytes: number, bits: number): PcmLayout['format'] {
  if (float) {
    if (bytes === 4) return 'f32';
    if (bytes === 8) return 'f64';
  } else {
    // The container size decides; fewer valid bits (20 in 24, 24 in 32) are left-justified.
    if (bytes === 1) return 'u8';
    if (bytes === 2) return 's16';
    if (bytes === 3) return 's24';
    if (bytes === 4) return 's32';
  }
  throw unsupportedError(`WAVE ${float ? 'float' : 'integer'} samples of ${bits} bits in ${bytes} bytes are not supported.`);
}
