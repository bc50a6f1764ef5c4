/**
 * Movie fragments (ISO/IEC 14496-12 §8.8): a `moof` box (mfhd, traf: tfhd, tfdt, trun) resolved
 * into the samples of one track, with absolute byte offsets into the file or segment. Pure: the
 * caller reads the `moof` bytes; the media data stays where it is. The basis of fMP4 (HLS)
 * demuxing.
 */
import { KitharaError } from '../../platform/errors.js';
import { BoxCursor, childBoxes, findChild, type BoxHeader } from './box.js';
import type { Mp4TrackDefaults } from './movie.js';

/** More samples than any real fragment holds (about 6 hours of AAC at 48 kHz): bounds a corrupt trun. */
const MAX_TRUN_SAMPLES = 1 << 20;

/** tfhd flags. */
const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION = 0x2;
const TFHD_DURATION = 0x8;
const TFHD_SIZE = 0x10;
const TFHD_FLAGS = 0x20;
const TFHD_BASE_IS_MOOF = 0x20000;
/** trun flags. */
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_FLAGS = 0x4;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTO = 0x800;
/** sample_is_non_sync_sample in sample flags. */
const NON_SYNC = 0x10000;

/** One track's samples in a fragment, as parallel typed arrays. */
export interface FragmentSamples {
  trackId: number;
  /** `tfdt` baseMediaDecodeTime (media timescale), or `undefined` when absent. */
  baseDecodeTime: number | undefined;
  /** Absolute byte offsets. */
  offsets: Float64Array;
  sizes: Uint32Array;
  /** Durations in the media timescale. */
  durations: Uint32Array;
  /** 1 for sync samples. */
  sync: Uint8Array;
}

/**
 * Resolves the samples of `trackId` in a `moof`. `moofBytes` holds the box (header at 0);
 * `moofOffset` is its absolute offset, the base for default-base-is-moof data offsets.
 * Returns `null` when the fragment has no run for the track. Throws `parse` when malformed.
 */
export function parseFragment(
  moofBytes: Uint8Array,
  moofOffset: number,
  trackId: number,
  defaults?: Mp4TrackDefaults,
): FragmentSamples | null {
  const moof: BoxHeader | undefined = childBoxes(moofBytes, 0, moofBytes.byteLength).next().value;
  if (!moof || moof.type !== 'moof') throw new KitharaError('parse', 'MP4 fragment does not start with moof.');
  const offsets: number[] = [];
  const sizes: number[] = [];
  const durations: number[] = [];
  const sync: number[] = [];
  let baseDecodeTime: number | undefined;
  let found = false;
  // Without explicit bases, the first traf starts at the moof and later ones follow the previous data.
  let implicitBase = moofOffset;
  for (const traf of childBoxes(moofBytes, moof.headerSize, moof.size)) {
    if (traf.type !== 'traf') continue;
    const inner = [traf.start + traf.headerSize, traf.start + traf.size] as const;
    const tfhdBox = findChild(moofBytes, ...inner, 'tfhd');
    if (!tfhdBox) throw new KitharaError('parse', 'MP4 traf has no tfhd.');
    const h = BoxCursor.of(moofBytes, tfhdBox);
    const { flags } = h.fullBox();
    const id = h.u32();
    const base = flags & TFHD_BASE_DATA_OFFSET ? h.u64() : flags & TFHD_BASE_IS_MOOF ? moofOffset : implicitBase;
    if (flags & TFHD_SAMPLE_DESCRIPTION) h.u32();
    const defDuration = flags & TFHD_DURATION ? h.u32() : (defaults?.sampleDuration ?? 0);
    const defSize = flags & TFHD_SIZE ? h.u32() : (defaults?.sampleSize ?? 0);
    const defFlags = flags & TFHD_FLAGS ? h.u32() : (defaults?.sampleFlags ?? 0);
    let dataEnd = base;
    for (const box of childBoxes(moofBytes, ...inner)) {
      if (box.type === 'tfdt' && id === trackId) {
        const c = BoxCursor.of(moofBytes, box);
        baseDecodeTime = c.fullBox().version === 1 ? c.u64() : c.u32();
      }
      if (box.type !== 'trun') continue;
      const c = BoxCursor.of(moofBytes, box);
      const tr = c.fullBox().flags;
      const count = c.u32();
      let at = tr & TRUN_DATA_OFFSET ? base + c.i32() : dataEnd;
      const firstFlags = tr & TRUN_FIRST_FLAGS ? c.u32() : undefined;
      const perSample = ((tr & TRUN_DURATION) && 4) + ((tr & TRUN_SIZE) && 4) + ((tr & TRUN_FLAGS) && 4) + ((tr & TRUN_CTO) && 4);
      if (count * perSample > c.left) throw new KitharaError('parse', 'MP4 trun is truncated.');
      // With no per-sample fields the size check above cannot bound the count.
      if (count > MAX_TRUN_SAMPLES) throw new KitharaError('parse', `MP4 trun claims ${count} samples (at most ${MAX_TRUN_SAMPLES} are accepted).`);
      for (let i = 0; i < count; i++) {
        const duration = tr & TRUN_DURATION ? c.u32() : defDuration;
        const size = tr & TRUN_SIZE ? c.u32() : defSize;
        const sflags = tr & TRUN_FLAGS ? c.u32() : i === 0 && firstFlags !== undefined ? firstFlags : defFlags;
        if (tr & TRUN_CTO) c.u32();
        if (id === trackId) {
          offsets.push(at);
          sizes.push(size);
          durations.push(duration);
          sync.push(sflags & NON_SYNC ? 0 : 1);
          found = true;
        }
        at += size;
      }
      dataEnd = at;
    }
    implicitBase = dataEnd;
  }
  if (!found) return null;
  return {
    trackId,
    baseDecodeTime,
    offsets: Float64Array.from(offsets),
    sizes: Uint32Array.from(sizes),
    durations: Uint32Array.from(durations),
    sync: Uint8Array.from(sync),
  };
}
