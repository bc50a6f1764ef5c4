/**
 * The `moov` box: movie header, tracks (tkhd, edts/elst, mdia/mdhd/hdlr, minf/stbl), the
 * `mvex/trex` defaults that fragmented files need, and the iTunes gapless tag `iTunSMPB`
 * (udta/meta/ilst '----'). Pure: works on the `moov` bytes.
 */
import { KitharaError } from '../../platform/errors.js';
import { BoxCursor, childBoxes, findChild, findPath, fourcc, type BoxHeader } from './box.js';

/** One edit list entry. Durations are in the movie timescale, media times in the track's. */
export interface Mp4Edit {
  segmentDuration: number;
  /** -1 for an empty edit. */
  mediaTime: number;
}

/** Per-track defaults for movie fragments (`trex`). */
export interface Mp4TrackDefaults {
  sampleDescriptionIndex: number;
  sampleDuration: number;
  sampleSize: number;
  sampleFlags: number;
}

/** A track as the demuxer needs it; the sample boxes stay as positions in the `moov` bytes. */
export interface Mp4Track {
  id: number;
  /** `hdlr` handler type: 'soun' for audio. */
  handler: string;
  /** Media timescale (`mdhd`). */
  timescale: number;
  /** Media duration (`mdhd`), in the media timescale. */
  duration: number;
  edits: Mp4Edit[];
  /** The `stbl` box, when present. */
  stbl: BoxHeader | undefined;
  /** `mvex/trex` defaults, for fragmented files. */
  defaults: Mp4TrackDefaults | undefined;
}

/** iTunes gapless info: `iTunSMPB` fields 2-4. */
export interface ITunSmpb {
  delay: number;
  padding: number;
  /** Original (real) sample count. */
  samples: number;
}

/** A parsed `moov`. */
export interface Mp4Movie {
  /** Movie timescale (`mvhd`); edit list durations use it. */
  timescale: number;
  duration: number;
  tracks: Mp4Track[];
  /** `true` when `mvex` is present: samples live in movie fragments. */
  fragmented: boolean;
  iTunSmpb: ITunSmpb | undefined;
}

/** Reads the `mvhd`/`mdhd` shared prefix: returns timescale and duration. */
function timeHeader(bytes: Uint8Array, box: BoxHeader): { timescale: number; duration: number } {
  const c = BoxCursor.of(bytes, box);
  const { version } = c.fullBox();
  if (version === 1) c.skip(16);
  else c.skip(8);
  const timescale = c.u32();
  const duration = version === 1 ? c.u64() : c.u32();
  if (timescale === 0) throw new KitharaError('parse', `MP4 '${box.type}' has a zero timescale.`);
  // All ones means "unknown".
  return { timescale, duration: duration === 0xffffffff || duration >= 2 ** 53 ? 0 : duration };
}

function parseElst(bytes: Uint8Array, box: BoxHeader): Mp4Edit[] {
  const c = BoxCursor.of(bytes, box);
  const { version } = c.fullBox();
  const n = c.u32();
  const edits: Mp4Edit[] = [];
  for (let i = 0; i < n; i++) {
    const segmentDuration = version === 1 ? c.u64() : c.u32();
    const mediaTime = version === 1 ? c.i64() : c.i32();
    c.skip(4); // media_rate_integer, media_rate_fraction
    edits.push({ segmentDuration, mediaTime });
  }
  return edits;
}

function parseTrak(bytes: Uint8Array, trak: BoxHeader, trex: Map<number, Mp4TrackDefaults>): Mp4Track | undefined {
  const tkhd = findPath(bytes, trak, ['tkhd']);
  const mdhd = findPath(bytes, trak, ['mdia', 'mdhd']);
  const hdlr = findPath(bytes, trak, ['mdia', 'hdlr']);
  if (!tkhd || !mdhd || !hdlr) return undefined;
  const t = BoxCursor.of(bytes, tkhd);
  const { version } = t.fullBox();
  t.skip(version === 1 ? 16 : 8);
  const id = t.u32();
  const h = BoxCursor.of(bytes, hdlr);
  h.fullBox();
  h.u32();
  const handler = h.fourcc();
  const elst = findPath(bytes, trak, ['edts', 'elst']);
  return {
    id,
    handler,
    ...timeHeader(bytes, mdhd),
    edits: elst ? parseElst(bytes, elst) : [],
    stbl: findPath(bytes, trak, ['mdia', 'minf', 'stbl']),
    defaults: trex.get(id),
  };
}

/** The payload range of a `meta` box, which is a full box in ISO files but not in old QuickTime. */
function metaChildren(bytes: Uint8Array, meta: BoxHeader): [number, number] {
  const start = meta.start + meta.headerSize;
  const isoStyle = !(start + 8 <= bytes.byteLength && fourcc(bytes, start + 4) === 'hdlr');
  return [isoStyle ? start + 4 : start, meta.start + meta.size];
}

/** Finds udta/meta/ilst/'----' with name 'iTunSMPB' and parses its hex fields. */
function findITunSmpb(bytes: Uint8Array, parent: BoxHeader): ITunSmpb | undefined {
  const meta = findPath(bytes, parent, ['udta', 'meta']);
  if (!meta) return undefined;
  const [ms, me] = metaChildren(bytes, meta);
  const ilst = findChild(bytes, ms, me, 'ilst');
  if (!ilst) return undefined;
  const text = (box: BoxHeader, skip: number): string => {
    const from = box.start + box.headerSize + skip;
    return String.fromCharCode(...bytes.subarray(from, box.start + box.size));
  };
  for (const item of childBoxes(bytes, ilst.start + ilst.headerSize, ilst.start + ilst.size)) {
    if (item.type !== '----') continue;
    const name = findPath(bytes, item, ['name']);
    const data = findPath(bytes, item, ['data']);
    if (!name || !data || text(name, 4) !== 'iTunSMPB') continue;
    const fields = text(data, 8).trim().split(/\s+/);
    if (fields.length < 4) return undefined;
    const [delay, padding, samples] = [fields[1], fields[2], fields[3]].map((f) => parseInt(f ?? '', 16));
    if (delay === undefined || padding === undefined || samples === undefined) return undefined;
    if (![delay, padding, samples].every(Number.isFinite)) return undefined;
    return { delay, padding, samples };
  }
  return undefined;
}

/** Parses the `moov` box whose header is at `moov.start` in `bytes`. Throws `parse` when malformed. */
export function parseMoov(bytes: Uint8Array, moov: BoxHeader): Mp4Movie {
  const mvhd = findPath(bytes, moov, ['mvhd']);
  if (!mvhd) throw new KitharaError('parse', 'MP4 moov has no mvhd box.');
  const { timescale, duration } = timeHeader(bytes, mvhd);
  const trex = new Map<number, Mp4TrackDefaults>();
  const mvex = findPath(bytes, moov, ['mvex']);
  if (mvex) {
    for (const b of childBoxes(bytes, mvex.start + mvex.headerSize, mvex.start + mvex.size)) {
      if (b.type !== 'trex') continue;
      const c = BoxCursor.of(bytes, b);
      c.fullBox();
      const id = c.u32();
      trex.set(id, { sampleDescriptionIndex: c.u32(), sampleDuration: c.u32(), sampleSize: c.u32(), sampleFlags: c.u32() });
    }
  }
  const tracks: Mp4Track[] = [];
  let iTunSmpb = findITunSmpb(bytes, moov);
  for (const b of childBoxes(bytes, moov.start + moov.headerSize, moov.start + moov.size)) {
    if (b.type !== 'trak') continue;
    const track = parseTrak(bytes, b, trex);
    if (track) tracks.push(track);
    if (track?.handler === 'soun') iTunSmpb ??= findITunSmpb(bytes, b);
  }
  return { timescale, duration, tracks, fragmented: mvex !== undefined, iTunSmpb };
}
