/**
 * TrackInfo for elementary audio streams carried in segments (ADTS AAC and MPEG audio, in
 * MPEG-TS or packed audio), with the same codec strings, priming assumptions and preroll as
 * the file demuxers in `adts/` and `mp3/`.
 */
import type { ContainerId, TrackInfo } from '../types.js';
import { unsupportedError } from '../common/errors.js';
import { AAC_FRAME_SAMPLES, ADTS_ASSUMED_PRIMING } from '../adts/adts-demuxer.js';
import { audioSpecificConfig, channelsOf, type AdtsHeader } from '../adts/adts-header.js';
import { MP3_ASSUMED_ENCODER_DELAY, MP3_DECODER_DELAY, MP3_PREROLL_FRAMES } from '../mp3/mp3-demuxer.js';
import type { MpegHeader } from '../mp3/mpeg-header.js';

/** Throws `unsupported` for ADTS features the decoders cannot take frame by frame. */
export function checkAdtsSupported(h: AdtsHeader): void {
  if (h.channelConfig === 0) {
    throw unsupportedError('ADTS with channel configuration 0 (layout in a program_config_element) is not supported.');
  }
  if (h.rawBlocks > 1) {
    throw unsupportedError(`ADTS frames with ${h.rawBlocks} raw data blocks are not supported (only one per frame).`);
  }
}

/** The track of an ADTS AAC stream: AudioSpecificConfig from the header, 1024 frames of assumed priming. */
export function adtsTrack(container: ContainerId, h: AdtsHeader): TrackInfo {
  checkAdtsSupported(h);
  return {
    container,
    codec: 'aac',
    codecString: `mp4a.40.${h.objectType}`,
    sampleRate: h.sampleRate,
    channels: channelsOf(h.channelConfig),
    description: audioSpecificConfig(h),
    delayFrames: ADTS_ASSUMED_PRIMING,
    prerollFrames: 2 * AAC_FRAME_SAMPLES,
  };
}

/** The track of an MPEG audio stream; layer III assumes LAME's delay plus the decoder's, as `mp3/` does without a tag. */
export function mpegTrack(container: ContainerId, h: MpegHeader): TrackInfo {
  const layer3 = h.layer === 3;
  return {
    container,
    codec: layer3 ? 'mp3' : h.layer === 2 ? 'mp2' : 'mp1',
    codecString: layer3 ? 'mp3' : h.version === 1 ? 'mp4a.6B' : 'mp4a.69',
    sampleRate: h.sampleRate,
    channels: h.channels,
    delayFrames: layer3 ? MP3_ASSUMED_ENCODER_DELAY + MP3_DECODER_DELAY : 0,
    prerollFrames: (layer3 ? MP3_PREROLL_FRAMES : 1) * h.samplesPerFrame,
    bitrate: h.bitrate,
  };
}
