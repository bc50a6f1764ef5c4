/**
 * The Ogg demuxer for the first Opus or Vorbis logical stream. Packets are reassembled across
 * pages and timed from granule positions: packet starts run forward from the previous page's
 * granule, or backward from this page's granule after a gap. Frames are decoder-output frames
 * (see demux/types.ts): `frame = granule - base`, where `base` is the granule of the first
 * decoder-output frame (normally 0; negative when a Vorbis stream's first page says its first
 * samples are to be discarded, which becomes part of `delayFrames`).
 */
import { KitharaError } from '../../platform/errors.js';
import { concatBytes } from '../../platform/bytes.js';
import type { ByteReader } from '../../stream/byte-reader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../types.js';
import { findLastGranule, findSeekPage } from './ogg-seek.js';
import { OGG_BOS, OGG_CONTINUED, OGG_EOS, OggPageReader, pagePieces, type OggPage } from './ogg-page.js';
import { isOpusHead, parseOpusHead } from './opus.js';
import { opusClock, vorbisClock, type PacketClock } from './packet-clock.js';
import { isVorbisHeader, parseVorbisId, parseVorbisModes, xiphLace } from './vorbis.js';

/** Tunables of the Ogg demuxer. */
export const OGG_DEFAULTS = {
  /** Most pages read while looking for the codec headers. Defaults to 4096. */
  maxHeaderPages: 4096,
  /** Opus decoder preroll (RFC 7845 §4.6: at least 80 ms). Defaults to 3840 frames. */
  opusPrerollFrames: 3840,
} as const;


/** Packets that complete on a page and do not continue one from before it. */
export function packetsStartedAndEnded(page: OggPage): number {
  let ends = 0;
  for (const v of page.lacing) if (v < 255) ends++;
  return page.flags & OGG_CONTINUED && ends > 0 ? ends - 1 : ends;
}

/** Opens an Ogg Opus or Vorbis stream. Throws `parse` or `unsupported` KitharaErrors. */
export async function openOgg(reader: ByteReader): Promise<OggDemuxer> {
  const pages = new OggPageReader(reader);
  let pos = 0;
  let chosen: OggPage | undefined;
  // The BOS pages of all logical streams come first; each carries one identification packet.
  for (let n = 0; n < 256; n++) {
    const r = await pages.readAt(pos);
    if (r === 'eof' && n > 0) break;
    if (r === 'eof' || r === 'truncated') throw new KitharaError('parse', 'Ogg file ends before its first stream starts.');
    if (r === 'invalid') throw new KitharaError('parse', `Ogg page at ${pos} is invalid (bad capture or CRC).`);
    if (!(r.flags & OGG_BOS)) break;
    const first = pagePieces(r).pieces[0];
    if (!chosen && first && (isOpusHead(first) || isVorbisHeader(first, 1))) chosen = r;
    pos = r.offset + r.size;
  }
  if (!chosen) throw new KitharaError('unsupported', 'Ogg file has no Opus or Vorbis stream.');
  const demuxer = new OggDemuxer(pages, chosen);
  await demuxer.readHeaders();
  return demuxer;
}

/** Serves one logical stream's packets. Created by {@link openOgg}. */
export class OggDemuxer implements Demuxer {
  readonly track: TrackInfo;
  /** The logical stream's serial number. */
  readonly serial: number;
  private readonly kind: 'opus' | 'vorbis';
  private clock: PacketClock;
  private headers: Uint8Array[] = [];
  private headersLeft: number;
  /** Offset of the next page to read. */
  private pos: number;
  private partial: Uint8Array[] | null = null;
  private lastSequence: number | null = null;
  /** Frame where the next packet starts, when known. */
  private lastEnd: number | null = 0;
  /** Granule of decoder-output frame 0; `null` until the first audio page is seen. */
  private base: number | null = null;
  private audioSoFar = 0;
  /** Audio packets to time but drop (those completed on the page a seek lands on). */
  private skipNext = 0;
  private queue: EncodedPacket[] = [];
  private ended = false;
  /** Where audio starts: the page holding the end of the last header. */
  private audioStart = { offset: 0, headers: 0 };
  private preSkip = 0;

  /** @internal */
  constructor(
    private readonly pages: OggPageReader,
    bos: OggPage,
  ) {
    this.serial = bos.serial;
    this.pos = bos.offset;
    const id = pagePieces(bos).pieces[0] as Uint8Array;
    this.kind = isOpusHead(id) ? 'opus' : 'vorbis';
    this.headersLeft = this.kind === 'opus' ? 2 : 3;
    this.clock = opusClock();
    this.track = { container: 'ogg', codec: this.kind, codecString: this.kind, sampleRate: 0, channels: 0, delayFrames: 0, prerollFrames: 0 };
  }

  /** Reads pages until the headers are in and the first audio granule fixed the time base. @internal */
  async readHeaders(): Promise<void> {
    for (let n = 0; this.headersLeft > 0 || this.base === null; n++) {
      if (n > OGG_DEFAULTS.maxHeaderPages) throw new KitharaError('parse', 'Ogg stream headers are missing.');
      const page = await this.readPage(this.headersLeft > 0);
      if (!page) {
        if (this.headersLeft > 0) throw new KitharaError('parse', 'Ogg file ends inside the codec headers.');
        this.base = 0;
        break;
      }
      const headersBefore = this.headersLeft;
      this.processPage(page);
      if (headersBefore > 0 && this.headersLeft === 0) {
        this.audioStart = { offset: page.offset, headers: Math.min(headersBefore, packetsStartedAndEnded(page)) };
        this.configure();
      }
    }
    const base = this.base ?? 0;
    const delay = this.preSkip + Math.max(0, -base);
    this.track.delayFrames = delay;
    const last = await findLastGranule(this.pages, this.serial);
    if (last !== undefined) this.track.totalFrames = Math.max(0, last - base - delay);
  }

  /** Builds the track description once all headers are in. */
  private configure(): void {
    const t = this.track;
    if (this.kind === 'opus') {
      const head = parseOpusHead(this.headers[0] as Uint8Array);
      this.preSkip = head.preSkip;
      Object.assign(t, { sampleRate: 48000, channels: head.channels, description: (this.headers[0] as Uint8Array).slice() });
      t.prerollFrames = OGG_DEFAULTS.opusPrerollFrames;
    } else {
      const [idPacket, comment, setup] = this.headers as [Uint8Array, Uint8Array, Uint8Array];
      if (!isVorbisHeader(comment, 3)) throw new KitharaError('parse', 'Vorbis comment header is missing.');
      const id = parseVorbisId(idPacket);
      this.clock = vorbisClock(id, parseVorbisModes(setup));
      Object.assign(t, { sampleRate: id.sampleRate, channels: id.channels, description: xiphLace([idPacket, comment, setup]) });
      t.prerollFrames = 2 * id.blockSize1;
      if (id.bitrate > 0) t.bitrate = id.bitrate;
    }
  }

  /**
   * The next page of this stream, or `null` at the end. Bad pages are skipped by resyncing on
   * the next valid one (a gap: the packet in progress is dropped and timing restarts from the
   * next granule) unless `strict`, when they are a `parse` error.
   */
  private async readPage(strict: boolean): Promise<OggPage | null> {
    for (;;) {
      let r = await this.pages.readAt(this.pos);
      if (r === 'eof') return null;
      if (r === 'truncated') throw new KitharaError('parse', `Ogg file is truncated inside the page at ${this.pos}.`);
      if (r === 'invalid') {
        if (strict) throw new KitharaError('parse', `Ogg page at ${this.pos} is invalid (bad capture or CRC).`);
        const found = await this.pages.find(this.pos + 1);
        if (!found) return null;
        r = found;
        this.gap();
      }
      this.pos = r.offset + r.size;
      if (r.serial !== this.serial) continue;
      if (this.lastSequence !== null && r.sequence !== ((this.lastSequence + 1) >>> 0)) this.gap();
      this.lastSequence = r.sequence;
      return r;
    }
  }

  /** Forgets the packet in progress and the running time after lost data. */
  private gap(): void {
    this.partial = null;
    this.lastEnd = null;
    this.clock.reset();
  }

  /** Reassembles the packets completed on `page`, times them and queues the audio ones. */
  private processPage(page: OggPage): void {
    const { pieces, lastComplete } = pagePieces(page);
    const completed: Uint8Array[] = [];
    let i = 0;
    if (page.flags & OGG_CONTINUED) {
      const piece = pieces[0];
      i = 1;
      if (this.partial && piece) {
        this.partial.push(piece);
        if (pieces.length > 1 || lastComplete) {
          completed.push(concatBytes(this.partial));
          this.partial = null;
        }
      }
      // Without a packet in progress the continuation is an orphan (after a seek or gap): dropped.
    } else {
      this.partial = null;
    }
    for (; i < pieces.length; i++) {
      const piece = pieces[i] as Uint8Array;
      if (i === pieces.length - 1 && !lastComplete) this.partial = [piece];
      else completed.push(piece.slice());
    }

    const audio: Uint8Array[] = [];
    for (const p of completed) {
      if (this.headersLeft > 0) {
        this.headers.push(p);
        this.headersLeft--;
      } else {
        audio.push(p);
      }
    }
    if (audio.length === 0) return;
    const frames = audio.map((p) => this.clock.frames(p));
    const sum = frames.reduce((a, b) => a + b, 0);
    if (this.base === null) {
      this.audioSoFar += sum;
      // On a first page that is also the last, a small granule trims the end, not the start.
      if (page.granule !== -1) this.base = page.flags & OGG_EOS ? 0 : page.granule - this.audioSoFar;
    }
    const pageEnd = page.granule !== -1 && this.base !== null ? page.granule - this.base : null;
    let start: number;
    if (this.lastEnd !== null) start = this.lastEnd;
    else if (pageEnd !== null) start = pageEnd - sum;
    else return; // no way to time these packets: drop them
    const skip = Math.min(this.skipNext, audio.length);
    this.skipNext -= skip;
    for (let k = 0; k < audio.length; k++) {
      const n = frames[k] as number;
      if (k >= skip) this.queue.push({ data: audio[k] as Uint8Array, frame: start, frames: n, key: true });
      start += n;
    }
    this.lastEnd = pageEnd ?? start;
    if (page.flags & OGG_EOS) {
      this.ended = true;
      if (this.track.totalFrames === undefined && pageEnd !== null) {
        this.track.totalFrames = Math.max(0, pageEnd - this.track.delayFrames);
      }
    }
  }

  async next(): Promise<EncodedPacket | null> {
    while (this.queue.length === 0) {
      if (this.ended) return null;
      const page = await this.readPage(false);
      if (!page) {
        if (this.partial) throw new KitharaError('parse', 'Ogg file ends inside a packet.');
        this.ended = true;
        return null;
      }
      this.processPage(page);
    }
    return this.queue.shift() ?? null;
  }

  /** Restarts reading at page `offset`, with timing state as given. */
  private position(offset: number, headers: number, skip: number, lastEnd: number): void {
    this.pos = offset;
    this.headersLeft = headers;
    this.headers = [];
    this.skipNext = skip;
    this.lastEnd = lastEnd;
    this.partial = null;
    this.lastSequence = null;
    this.queue = [];
    this.ended = false;
    this.clock.reset();
  }

  /**
   * Packet-exact seek: bisects the file by page granules to the last page ending at or before
   * `frame`, resumes after it, and drops the packets that end at or before `frame`. Returns the
   * start of the packet that contains `frame` (or the last packet, past the end).
   */
  async seek(frame: number): Promise<number> {
    const base = this.base ?? 0;
    const t = this.track;
    const end = t.totalFrames !== undefined ? t.delayFrames + t.totalFrames : Infinity;
    // Past the end, land on the packet holding the last real frame.
    const target = Math.max(0, Math.min(frame, end - 1));
    const page = target > 0 ? await findSeekPage(this.pages, this.serial, this.audioStart.offset, target + base) : null;
    if (page) this.position(page.offset, 0, packetsStartedAndEnded(page), page.granule - base);
    else this.position(this.audioStart.offset, this.audioStart.headers, 0, 0);
    if (target === 0) {
      const first = await this.next();
      if (first) this.queue.unshift(first);
      return first?.frame ?? 0;
    }
    let last: EncodedPacket | null = null;
    for (;;) {
      const p = await this.next();
      if (!p) break;
      if (p.frame + p.frames > target) {
        this.queue.unshift(p);
        return p.frame;
      }
      last = p;
    }
    if (last) {
      this.queue.unshift(last);
      return last.frame;
    }
    // Nothing followed the page found (it was the last): land on that page's own last packet.
    if (page && page.granule - base > 0) return this.seek(page.granule - base - 1);
    return this.lastEnd ?? 0;
  }
}
