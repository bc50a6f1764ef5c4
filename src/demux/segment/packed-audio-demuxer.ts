/**
 * Packed audio segments (HLS, RFC 8216 §3.4): raw ADTS AAC or MPEG audio frames, each segment
 * starting with an ID3v2 tag whose PRIV frame 'com.apple.streaming.transportStreamTimestamp'
 * gives the 90 kHz timestamp of the segment's first frame. ADTS or MPEG audio is decided by the
 * first frame that chains up; a segment without the timestamp continues from the previous one.
 */
import type { EncodedPacket, TrackInfo } from '../types.js';
import { id3v2TagSize } from '../common/id3.js';
import { ByteQueue } from './byte-queue.js';
import { FrameSplitter } from './frame-splitter.js';
import { id3TransportStreamTimestamp } from './id3-timestamp.js';
import type { SegmentDemuxer } from './types.js';

/** Tunables of the packed audio demuxer. */
export const PACKED_AUDIO_DEFAULTS = {
  /** Largest leading ID3v2 tag buffered to look for the timestamp; larger ones are skipped unread. Defaults to 256 KiB. */
  maxTimestampTagBytes: 256 * 1024,
} as const;

class PackedAudioSegmentDemuxer implements SegmentDemuxer {
  private readonly splitter = new FrameSplitter({ adts: 'adts', mpeg: 'mp3' }, ['adts', 'mpeg']);
  /** The segment's first bytes, held until its leading ID3v2 tag is complete; `undefined` once passed on. */
  private head: ByteQueue | undefined = new ByteQueue();

  get track(): TrackInfo | undefined {
    return this.splitter.track;
  }

  get firstPts(): number | undefined {
    return this.splitter.firstPts;
  }

  get segmentPts(): number | undefined {
    return this.splitter.segmentPts;
  }

  push(bytes: Uint8Array): EncodedPacket[] {
    const out: EncodedPacket[] = [];
    this.guard(() => {
      this.feed(bytes, false);
      this.splitter.drain(out, false);
    });
    return out;
  }

  endSegment(): EncodedPacket[] {
    const out: EncodedPacket[] = [];
    this.guard(() => {
      this.feed(new Uint8Array(0), true);
      this.splitter.endSegment(out);
    });
    this.head = new ByteQueue();
    return out;
  }

  reset(): void {
    this.head = new ByteQueue();
    this.splitter.reset();
  }

  private guard(body: () => void): void {
    try {
      body();
    } catch (err) {
      this.head = new ByteQueue();
      this.splitter.clearSegment();
      throw err;
    }
  }

  /** Holds the start of a segment until its leading tag is whole, marks the timestamp, then passes bytes on. */
  private feed(bytes: Uint8Array, final: boolean): void {
    const head = this.head;
    if (!head) {
      this.splitter.append(bytes);
      return;
    }
    head.append(bytes);
    const v = head.view();
    if (v.byteLength < 10 && !final) return;
    const size = id3v2TagSize(v, 0);
    if (size > 0 && v.byteLength < size && !final && size <= PACKED_AUDIO_DEFAULTS.maxTimestampTagBytes) return;
    if (size > 0 && v.byteLength >= size) {
      const pts = id3TransportStreamTimestamp(v.subarray(0, size));
      if (pts !== undefined) this.splitter.mark(pts);
    }
    this.head = undefined;
    this.splitter.append(v);
  }
}

/** Creates a demuxer for HLS packed audio segments (ADTS AAC or MP3 with an ID3 PRIV timestamp). */
export function createPackedAudioSegmentDemuxer(): SegmentDemuxer {
  return new PackedAudioSegmentDemuxer();
}
