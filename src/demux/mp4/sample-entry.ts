/**
 * Audio sample entries in `stsd` (ISO/IEC 14496-12 §12.2.3, QuickTime sound descriptions v0-v2)
 * and their codec configuration boxes: `esds` (AAC, MP3), `dfLa` (FLAC), `dOps` (Opus),
 * `alac`, and the uncompressed formats. Pure: works on the `stsd` bytes.
 */
import { KitharaError } from '../../platform/errors.js';
import type { CodecId, PcmLayout } from '../types.js';
import { parseAudioSpecificConfig } from './aac-config.js';
import { BoxCursor, childBoxes, findChild, type BoxHeader } from './box.js';

/** What the demuxer needs to know about a track's first sample entry. */
export interface Mp4AudioEntry {
  /** The sample entry's four-character code ('mp4a', 'fLaC', 'Opus', 'alac', 'sowt', …). */
  format: string;
  codec: CodecId;
  /** WebCodecs codec string. */
  codecString: string;
  /** Decoder output rate. */
  sampleRate: number;
  channels: number;
  /** AudioDecoderConfig.description. */
  description?: Uint8Array;
  /** For `codec === 'pcm'`. */
  pcm?: PcmLayout;
  /** Average bitrate from `esds`, when given. */
  bitrate?: number;
  /** Opus pre-skip from `dOps`. */
  preSkip?: number;
}

/** The common AudioSampleEntry fields. */
interface SoundFields {
  version: number;
  channels: number;
  sampleSize: number;
  sampleRate: number;
  /** QuickTime v2 `formatSpecificFlags` (LPCM: 1 float, 2 big-endian, 4 signed). */
  lpcmFlags: number;
  /** Offset of the first child box. */
  childrenStart: number;
}

function readSoundFields(c: BoxCursor): SoundFields {
  c.skip(6); // reserved
  c.u16(); // data_reference_index
  const version = c.u16();
  c.skip(6); // revision, vendor
  let channels = c.u16();
  let sampleSize = c.u16();
  c.skip(4); // compression id, packet size
  let sampleRate = c.u32() / 65536;
  let lpcmFlags = 0;
  if (version === 1) {
    c.skip(16);
  } else if (version === 2) {
    c.u32(); // sizeOfStructOnly
    sampleRate = c.f64();
    channels = c.u32();
    c.u32(); // always 0x7F000000
    sampleSize = c.u32();
    lpcmFlags = c.u32();
    c.skip(8);
  }
  return { version, channels, sampleSize, sampleRate, lpcmFlags, childrenStart: c.pos };
}

/** Reads an MPEG-4 descriptor header (tag + expandable size). */
function descriptor(c: BoxCursor): { tag: number; size: number } {
  const tag = c.u8();
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const b = c.u8();
    size = size * 128 + (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  return { tag, size };
}

/** Parses `esds`: returns the objectTypeIndication, DecoderSpecificInfo and bitrate. */
function parseEsds(bytes: Uint8Array, box: BoxHeader): { oti: number; dsi?: Uint8Array; bitrate: number } {
  const c = BoxCursor.of(bytes, box);
  c.fullBox();
  let d = descriptor(c);
  if (d.tag === 0x03) {
    c.u16(); // ES_ID
    const flags = c.u8();
    if (flags & 0x80) c.skip(2);
    if (flags & 0x40) c.skip(c.u8());
    if (flags & 0x20) c.skip(2);
    d = descriptor(c);
  }
  if (d.tag !== 0x04) throw new KitharaError('parse', 'MP4 esds has no DecoderConfigDescriptor.');
  const end = c.pos + d.size;
  const oti = c.u8();
  c.skip(4); // streamType, upStream, reserved, bufferSizeDB
  c.u32(); // maxBitrate
  const bitrate = c.u32();
  if (c.pos + 2 <= Math.min(end, c.end)) {
    const dsi = descriptor(c);
    if (dsi.tag === 0x05) return { oti, dsi: c.view(dsi.size).slice(), bitrate };
  }
  return { oti, bitrate };
}

const PCM_BY_FOURCC: Record<string, PcmLayout['format'] | undefined> = {
  in24: 's24',
  in32: 's32',
  fl32: 'f32',
  fl64: 'f64',
};

function pcmEntry(format: string, channels: number, sampleRate: number, layout: PcmLayout['format'], bigEndian: boolean): Mp4AudioEntry {
  const bytes = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[layout];
  const pcm: PcmLayout = { format: layout, blockAlign: bytes * channels };
  if (bigEndian && bytes > 1) pcm.bigEndian = true;
  return { format, codec: 'pcm', codecString: `pcm-${layout}`, sampleRate, channels, pcm };
}

function intLayout(bits: number, format: string): PcmLayout['format'] {
  if (bits === 16) return 's16';
  if (bits === 24) return 's24';
  if (bits === 32) return 's32';
  throw new KitharaError('unsupported', `MP4 '${format}' audio with ${bits}-bit samples is not supported.`);
}

/** 'fLaC' + the metadata blocks of `dfLa`; rate and channels come from STREAMINFO. */
function flacEntry(bytes: Uint8Array, dfla: BoxHeader, s: SoundFields): Mp4AudioEntry {
  const c = BoxCursor.of(bytes, dfla);
  c.fullBox();
  const blocks = c.view(c.left);
  if (blocks.byteLength < 4 + 34 || ((blocks[0] as number) & 0x7f) !== 0) {
    throw new KitharaError('parse', 'MP4 dfLa does not start with a FLAC STREAMINFO block.');
  }
  const si = new BoxCursor(blocks, 4 + 10, 4 + 34, 'dfLa');
  const packed = si.u32();
  const sampleRate = packed >>> 12;
  const channels = ((packed >>> 9) & 7) + 1;
  const description = new Uint8Array(4 + blocks.byteLength);
  description.set([0x66, 0x4c, 0x61, 0x43]);
  description.set(blocks, 4);
  return { format: 'fLaC', codec: 'flac', codecString: 'flac', sampleRate: sampleRate || s.sampleRate, channels, description };
}

/** Converts `dOps` (big-endian, ISO Opus-in-MP4) to an OpusHead (RFC 7845 §5.1, little-endian). */
function opusEntry(bytes: Uint8Array, dops: BoxHeader): Mp4AudioEntry {
  const c = BoxCursor.of(bytes, dops);
  c.u8(); // Version
  const channels = c.u8();
  const preSkip = c.u16();
  const inputRate = c.u32();
  const gain = c.i16();
  const family = c.u8();
  const table = family !== 0 ? c.view(2 + channels) : new Uint8Array(0);
  const head = new Uint8Array(19 + table.byteLength);
  const v = new DataView(head.buffer);
  head.set([0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, channels]); // 'OpusHead', version 1
  v.setUint16(10, preSkip, true);
  v.setUint32(12, inputRate, true);
  v.setInt16(16, gain, true);
  head[18] = family;
  head.set(table, 19);
  return { format: 'Opus', codec: 'opus', codecString: 'opus', sampleRate: 48000, channels, description: head, preSkip };
}

/** The ALAC magic cookie (ALACSpecificConfig, 24 bytes) from the entry's child 'alac' box. */
function alacEntry(bytes: Uint8Array, box: BoxHeader, s: SoundFields): Mp4AudioEntry {
  const c = BoxCursor.of(bytes, box);
  c.fullBox();
  const cookie = c.view(Math.min(24, c.left)).slice();
  if (cookie.byteLength < 24) throw new KitharaError('parse', 'MP4 alac magic cookie is truncated.');
  const k = new BoxCursor(cookie, 0, 24, 'alac');
  k.skip(9);
  const channels = k.u8();
  k.skip(10);
  const sampleRate = k.u32();
  return {
    format: 'alac',
    codec: 'alac',
    codecString: 'alac',
    sampleRate: sampleRate || s.sampleRate,
    channels: channels || s.channels,
    description: cookie,
  };
}

/**
 * Parses the first sample entry of an `stsd` box. Throws `unsupported` for formats the engine
 * cannot decode and `parse` for malformed configuration boxes.
 */
export function parseAudioSampleEntry(bytes: Uint8Array, stsd: BoxHeader): Mp4AudioEntry {
  const c = BoxCursor.of(bytes, stsd);
  c.fullBox();
  const count = c.u32();
  const first = childBoxes(bytes, c.pos, c.end).next();
  if (count === 0 || first.done) throw new KitharaError('parse', 'MP4 stsd has no sample entry.');
  const entry = first.value;
  const format = entry.type;
  const s = readSoundFields(new BoxCursor(bytes, entry.start + entry.headerSize, entry.start + entry.size, format));
  const end = entry.start + entry.size;
  const child = (type: string): BoxHeader | undefined => {
    const direct = findChild(bytes, s.childrenStart, end, type);
    if (direct) return direct;
    const wave = findChild(bytes, s.childrenStart, end, 'wave');
    return wave ? findChild(bytes, wave.start + wave.headerSize, wave.start + wave.size, type) : undefined;
  };

  switch (format) {
    case 'mp4a': {
      const esdsBox = child('esds');
      if (!esdsBox) throw new KitharaError('parse', 'MP4 mp4a sample entry has no esds box.');
      const esds = parseEsds(bytes, esdsBox);
      const bitrate = esds.bitrate > 0 ? { bitrate: esds.bitrate } : {};
      if (esds.oti === 0x6b || esds.oti === 0x69) {
        return { format, codec: 'mp3', codecString: 'mp3', sampleRate: s.sampleRate, channels: s.channels, ...bitrate };
      }
      if (esds.oti === 0x40 || (esds.oti >= 0x66 && esds.oti <= 0x68)) {
        if (!esds.dsi) throw new KitharaError('parse', 'MP4 AAC track has no AudioSpecificConfig.');
        const asc = parseAudioSpecificConfig(esds.dsi);
        return {
          format,
          codec: 'aac',
          codecString: asc.codecString,
          sampleRate: asc.outputSampleRate || s.sampleRate,
          channels: asc.channels || s.channels,
          description: esds.dsi,
          ...bitrate,
        };
      }
      throw new KitharaError('unsupported', `MP4 audio objectTypeIndication 0x${esds.oti.toString(16)} is not supported.`);
    }
    case 'fLaC': {
      const dfla = child('dfLa');
      if (!dfla) throw new KitharaError('parse', 'MP4 fLaC sample entry has no dfLa box.');
      return flacEntry(bytes, dfla, s);
    }
    case 'Opus': {
      const dops = child('dOps');
      if (!dops) throw new KitharaError('parse', 'MP4 Opus sample entry has no dOps box.');
      return opusEntry(bytes, dops);
    }
    case 'alac': {
      const cookie = child('alac');
      if (!cookie) throw new KitharaError('parse', 'MP4 alac sample entry has no magic cookie.');
      return alacEntry(bytes, cookie, s);
    }
    case 'sowt':
      return pcmEntry(format, s.channels, s.sampleRate, intLayout(s.sampleSize, format), false);
    case 'twos':
      return pcmEntry(format, s.channels, s.sampleRate, intLayout(s.sampleSize, format), true);
    case 'raw ':
      return pcmEntry(format, s.channels, s.sampleRate, 'u8', false);
    case 'in24':
    case 'in32':
    case 'fl32':
    case 'fl64': {
      const enda = child('enda');
      const little = enda ? bytes[enda.start + enda.headerSize + 1] === 1 : false;
      return pcmEntry(format, s.channels, s.sampleRate, PCM_BY_FOURCC[format] as PcmLayout['format'], !little);
    }
    case 'lpcm': {
      const isFloat = (s.lpcmFlags & 1) !== 0;
      const layout = isFloat ? (s.sampleSize === 64 ? 'f64' : 'f32') : intLayout(s.sampleSize, format);
      return pcmEntry(format, s.channels, s.sampleRate, layout, (s.lpcmFlags & 2) !== 0);
    }
    case 'ipcm':
    case 'fpcm': {
      const pcmC = child('pcmC');
      if (!pcmC) throw new KitharaError('parse', `MP4 ${format} sample entry has no pcmC box.`);
      const p = BoxCursor.of(bytes, pcmC);
      p.fullBox();
      const little = (p.u8() & 1) === 1;
      const bits = p.u8();
      const layout = format === 'fpcm' ? (bits === 64 ? 'f64' : 'f32') : intLayout(bits, format);
      return pcmEntry(format, s.channels, s.sampleRate, layout, !little);
    }
    default:
      throw new KitharaError('unsupported', `MP4 audio format '${format}' is not supported.`);
  }
}
