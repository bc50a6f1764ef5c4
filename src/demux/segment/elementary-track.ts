/**
 * TrackInfo for elementary audio streams carried in segments (ADTS AAC and MPEG audio, in
 * MPEG-TS or packed audio): the same builders the file demuxers use, so codec strings, priming
 * assumptions and preroll agree across containers.
 */
export { adtsTrack, checkAdtsSupported } from '../adts/adts-track.js';
export { mpegTrack } from '../mp3/mpeg-track.js';
