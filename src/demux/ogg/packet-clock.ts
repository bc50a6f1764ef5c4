/**
 * Packet durations for the codecs the Ogg demuxer carries. Opus packets say their length in
 * their TOC byte; a Vorbis packet's output depends on its own and the previous packet's block
 * sizes (prev/4 + cur/4), and the first packet after a reset produces nothing. Pure.
 */
import { opusPacketFrames } from './opus.js';
import { vorbisBlockSize, type VorbisId } from './vorbis.js';

/** Turns packets into decoder-output frame counts, in stream order. */
export interface PacketClock {
  /** Frames the decoder outputs for `packet` (call in stream order). */
  frames(packet: Uint8Array): number;
  /** Forgets the previous packet (after a seek or a gap). */
  reset(): void;
}

/** Opus: the TOC byte's duration; stateless. */
export function opusClock(): PacketClock {
  return { frames: opusPacketFrames, reset: () => undefined };
}

/** Vorbis: prevBlock/4 + curBlock/4; 0 for the first packet after a reset. */
export function vorbisClock(id: VorbisId, modes: readonly boolean[]): PacketClock {
  let prev = 0;
  return {
    frames(packet: Uint8Array): number {
      const cur = vorbisBlockSize(packet, modes, id);
      if (cur === 0) return 0;
      const out = prev === 0 ? 0 : prev / 4 + cur / 4;
      prev = cur;
      return out;
    },
    reset(): void {
      prev = 0;
    },
  };
}
