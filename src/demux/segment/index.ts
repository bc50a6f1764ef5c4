/**
 * Streaming demuxers for HLS media segments: fMP4 (CMAF), MPEG-TS (via mux.js) and packed audio
 * (ADTS / MP3 with an ID3 timestamp). Bytes are pushed in as they arrive; packets come out as
 * soon as they are complete. See `types.ts` for the timeline.
 */
export type { SegmentDemuxer, Fmp4SegmentDemuxer, SegmentFormat } from './types.js';
export { createFmp4SegmentDemuxer, FMP4_DEFAULTS } from './fmp4-demuxer.js';
export { createTsSegmentDemuxer, TS_DEFAULTS } from './ts-demuxer.js';
export { createPackedAudioSegmentDemuxer, PACKED_AUDIO_DEFAULTS } from './packed-audio-demuxer.js';
export { SPLITTER_DEFAULTS } from './frame-splitter.js';
export { detectSegmentFormat } from './detect.js';
export { id3TransportStreamTimestamp } from './id3-timestamp.js';
export { PTS_CLOCK } from './timeline.js';
