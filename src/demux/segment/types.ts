/**
 * The streaming demuxer interface for HLS media segments. Unlike the file demuxers (which pull
 * bytes through a `ByteReader`), a segment demuxer is pushed the bytes of one segment after
 * another as they arrive, and hands back every packet whose bytes are complete.
 *
 * Timeline: `packet.frame` is the packet's *media timestamp* in frames of `track.sampleRate`,
 * `round(seconds × sampleRate)`, where seconds is the container's own clock: the PES PTS / 90000
 * (MPEG-TS), the ID3 PRIV transport-stream timestamp (packed audio), or tfdt / mdhd timescale
 * (fMP4). 33-bit PTS wrap-around is unwrapped, so frames keep growing past 26.5 hours. Within a
 * segment packets are contiguous: `frame[k+1] = frame[k] + frames[k]`; each segment re-anchors
 * on its own timestamp. The HLS layer maps media time to the playlist timeline (for example with
 * `firstPts` or the first packet of each segment).
 */
import type { EncodedPacket, TrackInfo } from '../types.js';

/** A push-driven demuxer for the media segments of one HLS rendition. */
export interface SegmentDemuxer {
  /** The track, once enough bytes have been seen (after the init segment for fMP4; after the first PES/frame for TS/packed). */
  readonly track: TrackInfo | undefined;
  /**
   * Media time in seconds of the first packet produced since creation or the last `reset()`:
   * the anchor the HLS layer maps onto the playlist timeline. `undefined` until then.
   */
  readonly firstPts: number | undefined;
  /** Media time in seconds of the first packet of the current (or last finished) segment. */
  readonly segmentPts: number | undefined;
  /** Feeds the next bytes of the current segment (any chunking); returns packets completed so far. */
  push(bytes: Uint8Array): EncodedPacket[];
  /** The current segment ended: returns the remaining packets and readies for the next segment. */
  endSegment(): EncodedPacket[];
  /** Forget partial state (after a seek / discontinuity); keep init data and the track. */
  reset(): void;
}

/** The fMP4 segment demuxer: a {@link SegmentDemuxer} that also takes the init segment separately. */
export interface Fmp4SegmentDemuxer extends SegmentDemuxer {
  /**
   * Parses an init segment (`ftyp` + `moov` with `mvex`), replacing any earlier one. Pushing the
   * init segment's bytes at the start of the first segment works too.
   */
  setInit(bytes: Uint8Array): void;
  /**
   * Byte offset of the current segment's first byte in its resource, for `tfhd` explicit
   * `base_data_offset`s (which are file offsets). Set it before pushing a segment that is a
   * byte range of a larger file. Defaults to 0 (the segment is the whole resource).
   */
  segmentByteOffset: number;
}

/** Segment container formats {@link detectSegmentFormat} recognises. */
export type SegmentFormat = 'fmp4' | 'ts' | 'adts' | 'mp3';
