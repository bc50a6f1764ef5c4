/**
 * The TrackInfo of an ADTS AAC stream, shared by the file demuxer (`adts-demuxer.ts`) and the
 * HLS segment demuxers (MPEG-TS, packed audio), so every container of one encode agrees.
 */
import type { ContainerId, TrackInfo } from '../types.js';
import { unsupportedError } from '../common/errors.js';
import { audioSpecificConfig, channelsOf, type AdtsHeader } from './adts-header.js';

/** PCM frames per ADTS frame (one raw data block). */
export const AAC_FRAME_SAMPLES = 1024;

/** Priming assumed for ADTS AAC, which cannot signal it: one frame, as ffmpeg, fdk-aac and most encoders write. */
export const ADTS_ASSUMED_PRIMING = 1024;

/** Throws `unsupported` for ADTS features the decoders cannot take frame by frame. */
export function checkAdtsSupported(h: AdtsHeader): void {
  if (h.channelConfig === 0) {
    throw unsupportedError('ADTS with channel configuration 0 (layout in a program_config_element) is not supported.');
  }
  if (h.rawBlocks > 1) {
    throw unsupportedError(`ADTS frames with ${h.rawBlocks} raw data blocks are not supported (only one per frame).`);
  }
}

/** The track of an ADTS AAC stream: AudioSpecificConfig from the header, assumed priming. Checks support first. */
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
