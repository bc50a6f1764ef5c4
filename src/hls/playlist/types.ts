/**
 * The shapes the HLS playlist parsers return. All URIs are absolute (resolved against the URL
 * the playlist was loaded from); all times are in seconds.
 */

/** A byte sub-range of a resource (EXT-X-BYTERANGE, EXT-X-MAP BYTERANGE). */
export interface ByteRange {
  /** First byte. */
  offset: number;
  /** Number of bytes. */
  length: number;
}

/** How a segment is encrypted. `METHOD=NONE` clears the key, so it never appears here. */
export type KeyMethod = 'AES-128' | 'SAMPLE-AES' | 'SAMPLE-AES-CTR';

/** The EXT-X-KEY in effect for a segment or an init segment. */
export interface SegmentKey {
  /** AES-128 is whole-segment CBC; the SAMPLE-AES methods are not supported by the SDK. */
  method: KeyMethod;
  /** Absolute key URI. Always set for AES-128. */
  uri?: string;
  /**
   * The 16-byte IV from the IV attribute. Absent means: derive it from the media sequence
   * number of the segment (RFC 8216 §5.2), see {@link segmentIv}.
   */
  iv?: Uint8Array;
  /** KEYFORMAT; absent means "identity" (the key URI returns the 16 raw key bytes). */
  keyFormat?: string;
}

/** The init segment (EXT-X-MAP) of fMP4 segments. */
export interface InitSegment {
  /** Absolute URI. */
  uri: string;
  /** Sub-range of `uri`; absent means the whole resource. */
  byteRange?: ByteRange;
  /**
   * The key in effect where EXT-X-MAP appears (an EXT-X-KEY before the MAP encrypts the init
   * segment too). Absent: the init segment is in the clear.
   */
  key?: SegmentKey;
}

/** One media segment. */
export interface HlsSegment {
  /** Absolute URI. */
  uri: string;
  /** EXTINF duration. */
  duration: number;
  /** Media sequence number: EXT-X-MEDIA-SEQUENCE + position in the playlist. */
  sequence: number;
  /** Sub-range of `uri` (EXT-X-BYTERANGE), with an omitted offset already filled in. */
  byteRange?: ByteRange;
  /** The encryption in effect, if any. */
  key?: SegmentKey;
  /** The init segment in effect, if any. */
  map?: InitSegment;
  /** `true` when EXT-X-DISCONTINUITY precedes this segment. */
  discontinuity: boolean;
  /** EXT-X-DISCONTINUITY-SEQUENCE plus the discontinuities up to and including this segment. */
  discontinuitySequence: number;
  /** Sum of the durations of the segments before this one. */
  startTime: number;
  /** 1-based line of the segment's URI in the playlist text (for error messages). */
  line: number;
}

/** A parsed media playlist. */
export interface MediaPlaylist {
  kind: 'media';
  /** The URL the playlist was parsed against. */
  url: string;
  /** EXT-X-TARGETDURATION; when missing, the longest segment duration rounded up. */
  targetDuration: number;
  /** EXT-X-MEDIA-SEQUENCE (default 0). */
  mediaSequence: number;
  /**
   * `true` when EXT-X-ENDLIST is present. A playlist without it is live (or an EVENT still being
   * written): the parser returns it as it is and the caller decides (the SDK plays VOD only).
   */
  endList: boolean;
  /** EXT-X-PLAYLIST-TYPE, when present. */
  playlistType?: 'VOD' | 'EVENT';
  /** The segments in order. */
  segments: HlsSegment[];
  /** Sum of all segment durations. */
  totalDuration: number;
}

/** One EXT-X-STREAM-INF entry of a master playlist. */
export interface HlsVariant {
  /** Position among the master's EXT-X-STREAM-INF entries (0-based). */
  index: number;
  /** Absolute URI of the variant's media playlist. */
  uri: string;
  /** BANDWIDTH: peak segment bit rate, bits per second. */
  bandwidth: number;
  /** AVERAGE-BANDWIDTH, bits per second. */
  averageBandwidth?: number;
  /** CODECS, as written (e.g. `mp4a.40.2` or `avc1.4d401f,mp4a.40.2`). */
  codecs?: string;
  /** AUDIO: the GROUP-ID of the audio renditions that go with this variant. */
  audioGroup?: string;
  /** A display name: `"<kbps> kbps"` (STREAM-INF has no NAME attribute). */
  name: string;
  /** RESOLUTION, for variants that carry video. */
  resolution?: { width: number; height: number };
  /** 1-based line of the EXT-X-STREAM-INF tag. */
  line: number;
}

/** One EXT-X-MEDIA TYPE=AUDIO entry. */
export interface AudioRendition {
  /** GROUP-ID. */
  groupId: string;
  /** NAME. */
  name: string;
  /** LANGUAGE. */
  language?: string;
  /** Absolute URI of its media playlist; absent when the audio is muxed into the variants. */
  uri?: string;
  /** DEFAULT=YES. */
  default: boolean;
  /** AUTOSELECT=YES (implied by DEFAULT=YES). */
  autoselect: boolean;
  /** Channel count from CHANNELS (its first field, e.g. "6/JOC" gives 6). */
  channels?: number;
}

/** A parsed master (multivariant) playlist. */
export interface MasterPlaylist {
  kind: 'master';
  /** The URL the playlist was parsed against. */
  url: string;
  /** EXT-X-STREAM-INF entries in playlist order. */
  variants: HlsVariant[];
  /** EXT-X-MEDIA TYPE=AUDIO entries in playlist order. */
  audioRenditions: AudioRendition[];
}

/** Either kind of playlist, told apart by `kind`. */
export type Playlist = MasterPlaylist | MediaPlaylist;

/**
 * One stream an audio-only player can switch between, built by `audioLadder()` from a master
 * playlist: either a variant itself or the chosen rendition of an audio group.
 */
export interface AudioLadderEntry {
  /** Position in the ladder (0-based). */
  index: number;
  /** Absolute URI of the media playlist to play. */
  uri: string;
  /** Bits per second (for a rendition: the lowest BANDWIDTH of the variants using its group). */
  bandwidth: number;
  /** AVERAGE-BANDWIDTH of the same variant, when given. */
  averageBandwidth?: number;
  /** The audio codecs only (video codecs of the CODECS list are dropped); absent if unknown. */
  codecs?: string;
  /** Display name: the rendition's NAME, or the variant's name. */
  name: string;
  /** Channel count, when the playlist says (CHANNELS). */
  channels?: number;
  /** Where it came from. */
  source: { kind: 'variant'; variantIndex: number } | { kind: 'rendition'; groupId: string; name: string };
}
