/**
 * MPEG-1/2/2.5 audio layers I, II and III through mpg123 compiled to WASM (the `mpg123-decoder`
 * package). Each packet is one whole MPEG frame, header included, as the MP3 demuxer (and the
 * MP4 / TS demuxers for 'mp3' tracks) produce it.
 *
 * Gapless trimming is turned off: the pipeline trims LAME/Xing delay and padding itself, so the
 * decoder must emit every frame's samples. mpg123 emits each frame's samples as that frame is fed
 * (no look-ahead), so output stays on the packet timeline. After a reset the first frames decode
 * without their bit reservoir, which is what `prerollFrames` covers.
 *
 * mpg123 conceals damage: a frame without a valid header decodes to nothing, a truncated one
 * waits for more bytes. A frame that does not decode to its `frames` is therefore a `decode`
 * error (as it is for the platform decoder), not a silent shift of the timeline.
 */
import { MPEGDecoder } from 'mpg123-decoder';
import { KitharaError } from '../../../platform/errors.js';
import type { TrackInfo } from '../../../demux/types.js';
import type { Decoder } from '../../types.js';
import { expectFrames, PacketDecoder, type PacketCodec, type PacketOutput } from '../packet-decoder.js';

/** Whether the mpg123 decoder handles the track. */
export function mpegWasmSupports(track: TrackInfo): boolean {
  return track.codec === 'mp3' || track.codec === 'mp2' || track.codec === 'mp1';
}

/** A software Decoder for MPEG audio (layers I, II, III). */
export function createMpegWasmDecoder(track: TrackInfo): Promise<Decoder> {
  const layer = { mp1: 'MP1', mp2: 'MP2', mp3: 'MP3' }[track.codec as 'mp1' | 'mp2' | 'mp3'] ?? 'MPEG';
  return Promise.resolve(new PacketDecoder(`WASM mpg123 (${layer})`, track, () => loadMpg123(track)));
}

async function loadMpg123(track: TrackInfo): Promise<PacketCodec> {
  const decoder = new MPEGDecoder({ enableGapless: false });
  await decoder.ready;
  const channels = track.channels === 1 ? 1 : 2;
  return {
    decode(packet): PacketOutput {
      const out = decoder.decodeFrame(packet.data);
      if (out.errors.length > 0) {
        throw new KitharaError('decode', `mpg123 rejected the MPEG frame at ${packet.frame}: ${out.errors[0]?.message ?? 'unknown error'}`);
      }
      const planes = out.channelData.slice(0, channels);
      expectFrames(planes, packet, 'MPEG audio');
      return { planes, sampleRate: out.sampleRate || track.sampleRate };
    },
    reset: () => decoder.reset(),
    close: () => decoder.free(),
  };
}
