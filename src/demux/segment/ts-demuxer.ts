/**
 * MPEG-TS segments (ISO/IEC 13818-1) with one ADTS AAC (stream_type 0x0F) or MPEG audio
 * (0x03, 0x04) elementary stream.
 *
 * mux.js does the transport layer: `TransportPacketStream` finds the 188-byte packets across
 * pushes, `TransportParseStream` parses the PAT and classifies packets by PID (holding them
 * until the PMT has been seen). Its PMT parser only records H.264, ADTS and ID3 PIDs and its
 * `ElementaryStream` only reassembles those, holding each PES until the next one starts; so
 * the PMT's stream types are read here and the audio PES packets are reassembled here from
 * `TransportParseStream`'s output, which lets frames leave as soon as their bytes arrive and
 * serves MP3 and AAC alike. Frames that straddle PES packets are joined by the frame splitter.
 */
import m2ts from 'mux.js/lib/m2ts/m2ts.js';
import type { ParsedPacket } from 'mux.js/lib/m2ts/m2ts.js';
import { KitharaError } from '../../platform/errors.js';
import type { EncodedPacket, TrackInfo } from '../types.js';
import { parseError, unsupportedError } from '../common/errors.js';
import { FrameSplitter, type ElementaryKind } from './frame-splitter.js';
import type { SegmentDemuxer } from './types.js';

/** Tunables of the TS segment demuxer. */
export const TS_DEFAULTS = {
  /** Bytes of a segment without one transport packet before it is declared not MPEG-TS. Defaults to 64 KiB. */
  maxBytesWithoutSync: 64 * 1024,
  /** Transport packets held while waiting for a PMT before failing. Defaults to 4096 (770 KB). */
  maxPacketsBeforePmt: 4096,
} as const;

/** PMT stream types of audio this demuxer reads. */
const AUDIO_STREAM_TYPES: Readonly<Record<number, ElementaryKind>> = { 0x0f: 'adts', 0x03: 'mpeg', 0x04: 'mpeg' };
/** Audio stream types it recognises but cannot read: LATM AAC, MPEG-4 raw audio, AC-3, E-AC-3, DTS, TrueHD. */
const OTHER_AUDIO_TYPES = new Set([0x11, 0x1c, 0x81, 0x87, 0x82, 0x83, 0x84, 0x85, 0x86]);

/** The first audio elementary stream listed in a PMT section, or `null` when it lists none we read. */
function readPmt(packet: Uint8Array): { pid: number; kind: ElementaryKind } | null {
  let at = 4;
  if (((packet[3] as number) & 0x20) !== 0) at += 1 + (packet[4] as number);
  if (!((packet[1] as number) & 0x40) || at >= packet.byteLength) return null;
  at += 1 + (packet[at] as number); // pointer_field
  const b = packet.subarray(at);
  if (b.byteLength < 12 || b[0] !== 0x02) throw parseError('MPEG-TS PMT section has a bad table_id.');
  const end = Math.min(b.byteLength, 3 + ((((b[1] as number) & 0x0f) << 8) | (b[2] as number)) - 4);
  let i = 12 + ((((b[10] as number) & 0x0f) << 8) | (b[11] as number));
  let other: number | undefined;
  for (; i + 5 <= end; i += 5 + ((((b[i + 3] as number) & 0x0f) << 8) | (b[i + 4] as number))) {
    const type = b[i] as number;
    const pid = (((b[i + 1] as number) & 0x1f) << 8) | (b[i + 2] as number);
    const kind = AUDIO_STREAM_TYPES[type];
    if (kind) return { pid, kind };
    if (OTHER_AUDIO_TYPES.has(type)) other ??= type;
  }
  if (other !== undefined) throw unsupportedError(`MPEG-TS audio stream_type 0x${other.toString(16)} is not supported.`);
  throw unsupportedError('MPEG-TS segment has no AAC or MPEG audio stream.');
}

/** The 33-bit PTS of a PES header (`h` from the packet start code), or undefined. */
function pesPts(h: Uint8Array): number | undefined {
  if (!((h[7] as number) & 0x80)) return undefined;
  const hi = ((h[9] as number) >> 1) & 0x07;
  const lo = ((h[10] as number) << 22) | (((h[11] as number) >> 1) << 15) | ((h[12] as number) << 7) | ((h[13] as number) >> 1);
  return hi * 2 ** 30 + lo;
}

class TsSegmentDemuxer implements SegmentDemuxer {
  private readonly packets = new m2ts.TransportPacketStream();
  private readonly parser = new m2ts.TransportParseStream();
  private splitter: FrameSplitter | undefined;
  private audio: { pid: number; kind: ElementaryKind } | undefined;
  private error: unknown;
  /** Per segment: bytes pushed, transport packets seen, whether a PMT was seen. */
  private segmentBytes = 0;
  private segmentPackets = 0;
  /** The PES being received: its header bytes until complete, then `undefined` while the payload streams. */
  private pesHeader: Uint8Array | undefined;
  private pesHeaderBytes = 0;
  private inPes = false;

  constructor() {
    this.packets.on('data', (packet) => this.guard(() => this.onPacket(packet)));
    this.parser.on('data', (r) => this.guard(() => this.onParsed(r)));
  }

  get track(): TrackInfo | undefined {
    return this.splitter?.track;
  }

  get firstPts(): number | undefined {
    return this.splitter?.firstPts;
  }

  get segmentPts(): number | undefined {
    return this.splitter?.segmentPts;
  }

  push(bytes: Uint8Array): EncodedPacket[] {
    const out: EncodedPacket[] = [];
    this.run(() => {
      this.segmentBytes += bytes.byteLength;
      // mux.js keeps views of the packets it sees before the first PMT: give it a copy until then.
      this.packets.push(this.audio ? bytes : bytes.slice());
      this.check();
      this.splitter?.drain(out, false);
    });
    return out;
  }

  endSegment(): EncodedPacket[] {
    const out: EncodedPacket[] = [];
    this.run(() => {
      this.packets.flush();
      this.check();
      if (this.segmentBytes > 0 && this.segmentPackets === 0) throw parseError('Not an MPEG-TS segment: no transport packet sync.');
      if (this.segmentPackets > 0 && !this.audio) throw parseError('MPEG-TS segment has no PAT/PMT.');
      this.splitter?.endSegment(out);
    });
    this.clearSegment();
    return out;
  }

  reset(): void {
    this.clearSegment();
    this.splitter?.reset();
  }

  /** Runs `body`, turning failures (also those recorded inside mux.js callbacks) into KitharaErrors after a cleanup. */
  private run(body: () => void): void {
    try {
      body();
      if (this.error !== undefined) throw this.error;
    } catch (err) {
      this.clearSegment();
      this.splitter?.clearSegment();
      throw err instanceof KitharaError ? err : new KitharaError('parse', `MPEG-TS segment is malformed: ${String(err)}`, { cause: err });
    }
  }

  private guard(body: () => void): void {
    if (this.error !== undefined) return;
    try {
      body();
    } catch (err) {
      this.error = err;
    }
  }

  private check(): void {
    if (this.segmentPackets === 0 && this.segmentBytes > TS_DEFAULTS.maxBytesWithoutSync) {
      throw parseError('Not an MPEG-TS segment: no transport packet sync.');
    }
    if (this.parser.packetsWaitingForPmt.length > TS_DEFAULTS.maxPacketsBeforePmt) {
      throw parseError('MPEG-TS segment has no PMT.');
    }
  }

  private onPacket(packet: Uint8Array): void {
    this.segmentPackets++;
    const pid = (((packet[1] as number) & 0x1f) << 8) | (packet[2] as number);
    if (this.parser.pmtPid !== undefined && pid === this.parser.pmtPid) {
      const found = readPmt(packet);
      if (found && (found.pid !== this.audio?.pid || found.kind !== this.audio.kind)) {
        if (this.audio && found.kind !== this.audio.kind) throw unsupportedError('MPEG-TS audio codec changed between segments.');
        this.audio = found;
        this.inPes = false;
      }
      if (found) this.splitter ??= new FrameSplitter({ adts: 'ts', mpeg: 'ts' }, [found.kind]);
    }
    this.parser.push(packet);
  }

  private onParsed(r: ParsedPacket): void {
    if (r.type !== 'pes' || !this.audio || r.pid !== this.audio.pid || !this.splitter) return;
    let data = r.data ?? new Uint8Array(0);
    if (r.payloadUnitStartIndicator) {
      this.inPes = true;
      this.pesHeader = new Uint8Array(9 + 255);
      this.pesHeaderBytes = 0;
    } else if (!this.inPes) {
      return; // the tail of a PES that started before this segment: its timestamp is unknown
    }
    if (this.pesHeader) {
      const h = this.pesHeader;
      const take = Math.min(data.byteLength, h.byteLength - this.pesHeaderBytes);
      h.set(data.subarray(0, take), this.pesHeaderBytes);
      this.pesHeaderBytes += take;
      if (this.pesHeaderBytes < 9) return;
      if (h[0] !== 0 || h[1] !== 0 || h[2] !== 1) throw parseError('MPEG-TS audio PES has no start code.');
      const headerEnd = 9 + (h[8] as number);
      if (this.pesHeaderBytes < headerEnd) return;
      const pts = pesPts(h);
      if (pts !== undefined) this.splitter.mark(pts);
      data = h.subarray(headerEnd, this.pesHeaderBytes);
      // What the header buffer took beyond the header is payload; the rest of this packet follows.
      this.splitter.append(data);
      data = r.data ? r.data.subarray(take) : new Uint8Array(0);
      this.pesHeader = undefined;
    }
    this.splitter.append(data);
  }

  private clearSegment(): void {
    this.error = undefined;
    this.segmentBytes = 0;
    this.segmentPackets = 0;
    this.inPes = false;
    this.pesHeader = undefined;
    this.packets.reset();
    this.parser.packetsWaitingForPmt = [];
  }
}

/** Creates a demuxer for MPEG-TS HLS segments carrying ADTS AAC or MPEG audio (MP3). */
export function createTsSegmentDemuxer(): SegmentDemuxer {
  return new TsSegmentDemuxer();
}
