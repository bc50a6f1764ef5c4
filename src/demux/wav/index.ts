/** The WAVE (RIFF/RIFX/RF64) container format. */
import type { DemuxerFormat, ProbeHints } from '../types.js';
import { hintBonus } from '../common/hints.js';
import { isWav } from './wav-header.js';
import { openWav } from './wav-demuxer.js';

export { openWav, WAV_PACKET_FRAMES } from './wav-demuxer.js';
export { readWavHeader, type WavInfo } from './wav-header.js';
export { pcmToPlanar, pcmSampleBytes } from './pcm-convert.js';

const EXTENSIONS = ['wav', 'wave'];
const MIME_TYPES = ['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/vnd.wave'];

/** Scores `head` as WAVE: the RIFF/RIFX/RF64 + 'WAVE' magic scores 95. */
export function probeWav(head: Uint8Array, hints: ProbeHints): number {
  return isWav(head) ? 95 + hintBonus(hints, EXTENSIONS, MIME_TYPES) : 0;
}

/** WAVE files with PCM or IEEE float samples: `.wav`. */
export const wavFormat: DemuxerFormat = {
  container: 'wav',
  probe: probeWav,
  open: (reader) => openWav(reader),
};
