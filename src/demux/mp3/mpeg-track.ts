/**
 * The TrackInfo of an MPEG audio stream, shared by the file demuxer (`mp3-demuxer.ts`, which
 * then refines delay and length from a LAME/Xing tag) and the HLS segment demuxers.
 */
import type { CodecId, ContainerId, TrackInfo } from '../types.js';
import type { MpegHeader } from './mpeg-header.js';

/**
 * Layer III frames decoded before a seek target. The bit reservoir lets a frame's main data
 * start up to 511 bytes (MPEG-1; 255 for MPEG-2) before its header, which at low bitrates is
 * several frames back, and the filterbank overlaps one more. Measured in Chromium: 2 frames
 * leave audible garbage after seeks into VBR and MPEG-2 files; 10 is safe and costs well
 * under a millisecond of decoding.
 */
export const MP3_PREROLL_FRAMES = 10;

/** Layer III decoder delay in samples (see the file header). */
export const MP3_DECODER_DELAY = 529;

/**
 * Encoder delay assumed for a layer III file with no LAME tag: LAME's 576, since most MP3s
 * are LAME-encoded. Without a tag nothing can be known; this keeps such files aligned.
 */
export const MP3_ASSUMED_ENCODER_DELAY = 576;

/**
 * Codec id and WebCodecs string. WebCodecs' MP3 registration also names the MPEG-4 object
 * types 0x6B (ISO 11172-3) and 0x69 (ISO 13818-3); Chromium maps both to its MPEG audio
 * decoder, which decodes layers I and II too.
 */
function mpegCodec(h: MpegHeader): { codec: CodecId; codecString: string } {
  if (h.layer === 3) return { codec: 'mp3', codecString: 'mp3' };
  return { codec: h.layer === 2 ? 'mp2' : 'mp1', codecString: h.version === 1 ? 'mp4a.6B' : 'mp4a.69' };
}

/**
 * The track of an MPEG audio stream with no gapless tag: layer III assumes LAME's encoder delay
 * plus the decoder's. Preroll: see MP3_PREROLL_FRAMES for layer III; layers I/II only have the
 * synthesis filterbank's 512-sample history, one frame.
 */
export function mpegTrack(container: ContainerId, h: MpegHeader): TrackInfo {
  const layer3 = h.layer === 3;
  return {
    container,
    ...mpegCodec(h),
    sampleRate: h.sampleRate,
    channels: h.channels,
    delayFrames: layer3 ? MP3_ASSUMED_ENCODER_DELAY + MP3_DECODER_DELAY : 0,
    prerollFrames: (layer3 ? MP3_PREROLL_FRAMES : 1) * h.samplesPerFrame,
    bitrate: h.bitrate,
  };
}
