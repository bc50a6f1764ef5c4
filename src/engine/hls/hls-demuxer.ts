/**
 * HLS VOD as a {@link Demuxer}: playlists, segment loading and segment demuxing composed into
 * one packet sequence on the playlist timeline, so the audio pipeline (decode, trim, seek,
 * output) treats HLS exactly like a progressive file.
 *
 * Timeline: packet frames are `round(segment.startTime × rate)` at the first packet after an
 * anchor (the start, a seek, a discontinuity), then follow the media timestamps (PTS, tfdt,
 * ID3) from there, so segments join sample-exactly however the EXTINF values were rounded.
 *
 * Ownership: the demuxer owns its playlists, its segment loader, its segment demuxer and the
 * download loop. A seek aborts the running download and restarts at the segment that holds
 * the target: only that segment is fetched, never the list before it.
 */
import { KitharaError } from '../../platform/errors.js';
import { realClock } from '../../platform/clock.js';
import { concatBytes } from '../../platform/bytes.js';
import type { Net } from '../../net/net.js';
import type { RetryPolicy } from '../../net/retry-net.js';
import { KeyManager } from '../../drm/key-manager.js';
import { AbrController } from '../../abr/abr-controller.js';
import type { AbrOptions } from '../../abr/abr-options.js';
import { audioLadder, parsePlaylist, parseMediaPlaylist } from '../../hls/playlist/index.js';
import type { AudioLadderEntry, HlsSegment, MediaPlaylist } from '../../hls/playlist/types.js';
import { SegmentLoader } from '../../hls/segment-loader.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../../demux/types.js';
import {
  createFmp4SegmentDemuxer,
  createPackedAudioSegmentDemuxer,
  createTsSegmentDemuxer,
  detectSegmentFormat,
  type SegmentDemuxer,
  type Fmp4SegmentDemuxer,
} from '../../demux/segment/index.js';
import type { VariantInfo } from '../../player/types.js';

/** Defaults of the HLS demuxer. */
export const HLS_DEFAULTS = {
  /** Seconds of media fetched ahead of the reader. Defaults to 30. */
  lookAheadSec: 30,
};

/** AAC priming assumed when an HLS segment format does not signal it (one AAC frame). */
const HLS_AAC_ASSUMED_PRIMING = 1024;

/** What the HLS demuxer tells the session. */
export interface HlsEvents {
  onVariants(variants: VariantInfo[]): void;
  onStats(throughputBps: number, variant: number): void;
}

/** Dependencies of {@link HlsDemuxer.open}. */
export interface HlsDeps {
  net: Net;
  retry: RetryPolicy;
  abr: AbrOptions;
  events: HlsEvents;
}

/** A VOD HLS stream as a packet source. */
export class HlsDemuxer implements Demuxer {
  track!: TrackInfo;
  private readonly loader: SegmentLoader;
  private readonly playlists = new Map<number, Promise<MediaPlaylist>>();
  private readonly abr: AbrController;
  private variant = 0;
  private playlist!: MediaPlaylist;
  private segDemuxer: SegmentDemuxer | undefined;
  private queue: EncodedPacket[] = [];
  private queuedFrames = 0;
  private nextSegment = 0;
  private finished = false;
  private failure: KitharaError | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeLoader: (() => void) | undefined;
  private loop: AbortController = new AbortController();
  /** Anchor: frame on the timeline ↔ media frame of the segment demuxer, set at the first packet after a (re)start. */
  private anchor: { frame: number; media: number } | undefined;
  private anchorSegment = 0;
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly ladder: AudioLadderEntry[],
    private readonly deps: HlsDeps,
  ) {
    const keys = new KeyManager({ fetchKey: (uri, signal) => deps.net.getBytes(uri, { signal }) });
    this.loader = new SegmentLoader({ net: deps.net, keys, retry: deps.retry });
    this.abr = new AbrController(
      ladder.map((v) => ({ index: v.index, bandwidth: v.averageBandwidth ?? v.bandwidth })),
      deps.abr,
      { clock: realClock },
    );
  }

  /** Loads the playlist(s), picks the first variant and reads until the track is known. */
  static async open(url: string, text: string, deps: HlsDeps): Promise<HlsDemuxer> {
    const parsed = parsePlaylist(text, url);
    let ladder: AudioLadderEntry[];
    let media: MediaPlaylist | undefined;
    if (parsed.kind === 'master') {
      ladder = audioLadder(parsed);
      if (ladder.length === 0) throw new KitharaError('parse', 'The master playlist lists no playable stream.', { url });
    } else {
      ladder = [{ index: 0, uri: url, bandwidth: 1, name: 'main', source: { kind: 'variant', variantIndex: 0 } }];
      media = parsed;
    }
    const d = new HlsDemuxer(url, ladder, deps);
    if (media !== undefined) d.playlists.set(0, Promise.resolve(media));
    deps.events.onVariants(ladder.map((v) => ({ index: v.index, bandwidth: v.bandwidth, codecs: v.codecs ?? '', name: v.name })));
    d.variant = d.abr.decide(0).target;
    d.playlist = await d.mediaPlaylist(d.variant);
    if (!d.playlist.endList) throw new KitharaError('unsupported', 'Live HLS playlists are not supported (no EXT-X-ENDLIST): only VOD.', { url });
    if (d.playlist.segments.length === 0) throw new KitharaError('parse', 'The media playlist has no segments.', { url: d.playlist.url });
    d.start(0);
    await d.waitForTrack();
    return d;
  }

  /** Playlist duration in seconds. */
  get duration(): number {
    return this.playlist.totalDuration;
  }

  async next(): Promise<EncodedPacket | null> {
    for (;;) {
      const p = this.queue.shift();
      if (p !== undefined) {
        this.queuedFrames -= p.frames;
        this.wakeLoader?.();
        return p;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.finished) return null;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  async seek(frame: number): Promise<number> {
    const rate = this.track.sampleRate;
    const segs = this.playlist.segments;
    let k = 0;
    for (let i = 0; i < segs.length; i++) {
      if (Math.round((segs[i] as HlsSegment).startTime * rate) <= frame) k = i;
      else break;
    }
    this.start(k);
    return Math.round((segs[k] as HlsSegment).startTime * rate);
  }

  close(): void {
    this.closed = true;
    this.loop.abort(new KitharaError('aborted', 'The HLS stream was closed.'));
    this.wakeReader?.();
    this.wakeLoader?.();
  }

  // ---- download loop --------------------------------------------------------------------

  /** (Re)starts the download loop at segment `k`. */
  private start(k: number): void {
    this.loop.abort(new KitharaError('aborted', 'Superseded by a seek.'));
    this.loop = new AbortController();
    this.queue = [];
    this.queuedFrames = 0;
    this.finished = false;
    this.failure = undefined;
    this.anchor = undefined;
    this.anchorSegment = k;
    this.nextSegment = k;
    this.segDemuxer?.reset();
    void this.run(this.loop.signal);
  }

  private async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted && this.nextSegment < this.playlist.segments.length) {
        await this.waitForRoom(signal);
        if (signal.aborted) return;
        const index = this.nextSegment;
        const seg = this.playlist.segments[index] as HlsSegment;
        if (seg.discontinuity && index !== this.anchorSegment) {
          this.anchor = undefined;
          this.anchorSegment = index;
        }
        const stats = await this.loadSegment(seg, signal);
        if (signal.aborted) return;
        this.abr.addSample({ bytes: stats.bytes, durationMs: stats.durationMs, source: 'network' });
        this.deps.events.onStats(this.abr.estimateBps() ?? NaN, this.variant);
        this.nextSegment = index + 1;
      }
      if (!signal.aborted) {
        this.finished = true;
        this.wakeReader?.();
      }
    } catch (e) {
      if (signal.aborted) return;
      this.failure = KitharaError.from(e, 'network');
      this.wakeReader?.();
    }
  }

  private async loadSegment(seg: HlsSegment, signal: AbortSignal): Promise<{ bytes: number; durationMs: number }> {
    let demuxer = this.segDemuxer;
    let sniffed = demuxer !== undefined;
    const pending: Uint8Array[] = [];
    const onBytes = (bytes: Uint8Array): void => {
      if (signal.aborted) return;
      if (!sniffed) {
        pending.push(bytes.slice());
        const head = concatBytes(pending);
        const kind = detectSegmentFormat(head);
        if (kind === null) {
          if (head.byteLength < 1024) return;
          throw new KitharaError('parse', `Unrecognised HLS segment format at ${seg.uri}.`, { url: seg.uri });
        }
        demuxer = this.makeDemuxer(kind);
        sniffed = true;
        pending.length = 0;
        bytes = head;
      }
      this.accept((demuxer as SegmentDemuxer).push(bytes), seg);
    };
    if (seg.map !== undefined && this.segDemuxer === undefined) {
      const init = await this.loader.init(seg.map, seg.sequence, signal);
      const fmp4 = createFmp4SegmentDemuxer();
      fmp4.setInit(init);
      this.segDemuxer = demuxer = fmp4;
      sniffed = true;
    }
    if (demuxer !== undefined && 'segmentByteOffset' in demuxer) (demuxer as Fmp4SegmentDemuxer).segmentByteOffset = seg.byteRange?.offset ?? 0;
    const stats = await this.loader.segment(seg, onBytes, signal);
    if (signal.aborted) return stats;
    if (!sniffed) throw new KitharaError('parse', `The HLS segment ${seg.uri} is empty or not audio.`, { url: seg.uri });
    this.accept((demuxer as SegmentDemuxer).endSegment(), seg);
    return stats;
  }

  private makeDemuxer(kind: 'fmp4' | 'ts' | 'adts' | 'mp3'): SegmentDemuxer {
    const d = kind === 'ts' ? createTsSegmentDemuxer() : kind === 'fmp4' ? createFmp4SegmentDemuxer() : createPackedAudioSegmentDemuxer();
    this.segDemuxer = d;
    return d;
  }

  /** Maps segment-demuxer packets onto the playlist timeline and queues them. */
  private accept(packets: EncodedPacket[], seg: HlsSegment): void {
    if (packets.length === 0) return;
    const d = this.segDemuxer as SegmentDemuxer;
    if (this.track === undefined && d.track !== undefined) this.track = this.finalTrack(d.track);
    const rate = (d.track as TrackInfo).sampleRate;
    for (const p of packets) {
      if (this.anchor === undefined) {
        const anchorSeg = this.playlist.segments[this.anchorSegment] ?? seg;
        this.anchor = { frame: Math.round(anchorSeg.startTime * rate), media: p.frame };
      }
      const frame = this.anchor.frame + (p.frame - this.anchor.media);
      this.queue.push({ ...p, frame });
      this.queuedFrames += p.frames;
    }
    this.wakeReader?.();
  }

  /**
   * The track as the pipeline sees it, with the playlist's duration. AAC in fMP4 that signals
   * no priming (ffmpeg's HLS muxer writes an edit list with media_time 0) is given the same
   * 1024-frame priming that ADTS and MPEG-TS AAC assume, so every container of one encode, and
   * every rendition of a ladder, lines up on the same timeline.
   */
  private finalTrack(t: TrackInfo): TrackInfo {
    const delayFrames = t.codec === 'aac' && t.delayFrames === 0 ? HLS_AAC_ASSUMED_PRIMING : t.delayFrames;
    const total = Math.round(this.playlist.totalDuration * t.sampleRate) - delayFrames;
    return { ...t, delayFrames, totalFrames: Math.max(0, total) };
  }

  private async waitForTrack(): Promise<void> {
    while (this.track === undefined) {
      if (this.failure !== undefined) throw this.failure;
      if (this.finished) throw new KitharaError('parse', 'The HLS stream has no audio packets.', { url: this.url });
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  /** Waits while more than the look-ahead is queued. */
  private async waitForRoom(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.track !== undefined && this.queuedFrames / this.track.sampleRate > HLS_DEFAULTS.lookAheadSec) {
      await new Promise<void>((resolve) => (this.wakeLoader = resolve));
    }
  }

  private mediaPlaylist(index: number): Promise<MediaPlaylist> {
    let p = this.playlists.get(index);
    if (p === undefined) {
      const uri = (this.ladder[index] as AudioLadderEntry).uri;
      p = this.deps.net.getBytes(uri).then((bytes) => parseMediaPlaylist(new TextDecoder().decode(bytes), uri));
      this.playlists.set(index, p);
      p.catch(() => this.playlists.delete(index));
    }
    return p;
  }
}
