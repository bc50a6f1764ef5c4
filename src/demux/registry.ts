/**
 * The default list of container formats, in tie-break order (formats with unambiguous magic
 * first, the sync-word formats last). Importing this pulls in every demuxer; import single
 * formats and pass your own list to `openDemuxer` to keep a bundle small.
 */
import type { DemuxerFormat } from './types.js';
import { mp4Format } from './mp4/index.js';
import { oggFormat } from './ogg/index.js';
import { flacFormat } from './flac/index.js';
import { wavFormat } from './wav/index.js';
import { adtsFormat } from './adts/index.js';
import { mp3Format } from './mp3/index.js';

/** Every container format the engine demuxes. */
export const formats: readonly DemuxerFormat[] = [mp4Format, oggFormat, flacFormat, wavFormat, adtsFormat, mp3Format];
