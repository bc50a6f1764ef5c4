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
 * the target: only that segment is fetched, never the list before it, and only its packets from
 * the one holding the asked frame on are handed out (see README.md).
 */
import { KitharaError } from '../../platform/errors.js';
import { realClock } from '../../platform/clock.js';
import { concatBytes } from '../../platform/bytes.js';
import { mark, tracing } from '../../platform/trace.js';
import type { Net } from '../../net/net.js';
import type { RetryPolicy } from '../../net/retry-net.js';
import { KeyManager } from '../../drm/key-manager.js';
import { AbrController } from '../../abr/abr-controller.js';
import type { AbrOptions } from '../../abr/abr-options.js';
import { audioLadder, parsePlaylist, parseMediaPlaylist } from '../../hls/playlist/index.js';
import { warmUpPlaylistParsers } from '../../hls/playlist/warm-up.js';
import type { AudioLadderEntry, HlsSegment, MediaPlaylist } from '../../hls/playlist/types.js';
import { SegmentLoader, type HlsCache } from '../../hls/segment-loader.js';
import { encryptedSegmentError } from '../../hls/segment-decrypt.js';
import type { Demuxer, EncodedPacket, TrackInfo } from '../../demux/types.js';
import {
  createFmp4SegmentDemuxer,
  createPackedAudioSegmentDemuxer,
  createTsSegmentDemuxer,
  detectSegmentFormat,
  type SegmentDemuxer,
  type Fmp4SegmentDemuxer,
} from '../../demux/segment/index.js';
import { warmUpFmp4Demuxer } from '../../demux/segment/fmp4-warm-up.js';
import type { KeyLoader, VariantInfo } from '../../player/types.js';

// This module loads while a session's first playlist downloads (Session.open starts it): compile
// the playlist parsers and the fMP4 box parsers now, rather than on the path to the first segment
// request and the first audio.
mark('hls:module-evaluating');
warmUpPlaylistParsers();
warmUpFmp4Demuxer();
mark('hls:module-evaluated');

/** AAC priming assumed when an HLS segment format does not signal it (one AAC frame). */
const HLS_AAC_ASSUMED_PRIMING = 1024;

/** What the HLS demuxer tells the session. */
export interface HlsEvents {
  onVariants(variants: VariantInfo[]): void;
  onStats(throughputBps: number, variant: number): void;
  /** The download switched to another variant (heard once the queued audio before it has played). */
  onVariantChange(from: number, to: number, reason: string): void;
}

/** One queued packet, with the segment it came from and the track it decodes with. */
interface Queued {
  packet: EncodedPacket;
  segment: number;
  track: TrackInfo;
}

/** Whether packets of `a` and `b` can go through one decoder. */
function sameFormat(a: TrackInfo, b: TrackInfo | undefined): boolean {
  if (b === undefined) return false;
  if (a.codecString !== b.codecString || a.sampleRate !== b.sampleRate || a.channels !== b.channels) return false;
  const x = a.description;
  const y = b.description;
  if (x === undefined || y === undefined) return x === y;
  return x.byteLength === y.byteLength && x.every((v, i) => v === y[i]);
}

/** Dependencies of {@link HlsDemuxer.open}. */
export interface HlsDeps {
  net: Net;
  /** The persistent cache for playlists, init segments and segments. Defaults to none. */
  cache?: HlsCache;
  retry: RetryPolicy;
  abr: AbrOptions;
  /** Supplies AES-128 keys instead of the network (PlayerOptions.keyLoader). Defaults to none. */
  keyLoader?: KeyLoader;
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
  private queue: Queued[] = [];
  /** Seconds of media queued ahead of the reader: the buffer ABR decisions look at. */
  private queuedSec = 0;
  /** The track of the last queued packet: a packet of another format carries a fence. */
  private queuedTrack: TrackInfo | undefined;
  /** A variant switch happened: the next queued packet carries a fence. */
  private switchPending = false;
  /** The loop crossed a discontinuity: the next queued packet carries a fence and a cut. */
  private cutPending = false;
  /** The reason of a switch decided before a restart, reported when the restarted loop makes it. */
  private carriedReason: string | undefined;
  /** The segment the reader is in (of the last packet it took). */
  private readerSegment = 0;
  private nextSegment = 0;
  private finished = false;
  private failure: KitharaError | undefined;
  private wakeReader: (() => void) | undefined;
  /** Callers of {@link packetReady} waiting for a packet (or the end, or a failure). */
  private packetWaiters: (() => void)[] = [];
  private wakeLoader: (() => void) | undefined;
  private loop: AbortController = new AbortController();
  /** Anchor: frame on the timeline ↔ media frame of the segment demuxer, set at the first packet after a (re)start. */
  private anchor: { frame: number; media: number } | undefined;
  private anchorSegment = 0;
  /**
   * After a seek: packets that end at or before this frame are dropped (the pipeline asked for
   * this frame, preroll included, so nothing before it is decoded); cleared at the first packet kept.
   */
  private skipBefore: number | undefined;
  /** Dropped packets since the last key packet, kept in case the first packet kept is not a key packet. */
  private skipped: EncodedPacket[] = [];
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly ladder: AudioLadderEntry[],
    private readonly deps: HlsDeps,
  ) {
    const load = deps.keyLoader;
    const keys = new KeyManager({
      fetchKey: (uri, signal) => deps.net.getBytes(uri, { signal }),
      ...(load !== undefined && { keyLoader: async (uri: string) => new Uint8Array((await load(uri)) as ArrayBuffer) }),
    });
    this.loader = new SegmentLoader({ net: deps.net, keys, retry: deps.retry, ...(deps.cache !== undefined && { cache: deps.cache }) });
    this.abr = new AbrController(
      ladder.map((v) => ({ index: v.index, bandwidth: v.averageBandwidth ?? v.bandwidth })),
      deps.abr,
      { clock: realClock },
    );
  }

  /** Loads the playlist(s), picks the first variant and reads until the track is known. */
  static async open(url: string, text: string, deps: HlsDeps): Promise<HlsDemuxer> {
    mark('hls:open');
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
    mark('hls:variant-chosen');
    d.playlist = await d.mediaPlaylist(d.variant);
    mark('hls:playlist-ready');
    d.abr.segmentSec = d.playlist.targetDuration ?? 0;
    if (!d.playlist.endList) throw new KitharaError('unsupported', 'Live HLS playlists are not supported (no EXT-X-ENDLIST): only VOD.', { url });
    if (d.playlist.segments.length === 0) throw new KitharaError('parse', 'The media playlist has no segments.', { url: d.playlist.url });
    d.start(0);
    await d.waitForTrack();
    mark('hls:track-known');
    return d;
  }

  /** Several variants: packets may carry a format fence. */
  get switchable(): boolean {
    return this.ladder.length > 1;
  }

  /**
   * Pins a variant, or `'auto'`. Applies at the next segment the reader has not started: what
   * is queued past it is dropped and downloaded again from the chosen variant.
   */
  setVariant(mode: number | 'auto'): void {
    if (mode !== 'auto' && (mode < 0 || mode >= this.ladder.length)) {
      throw new TypeError(`variant must be 'auto' or an index from 0 to ${this.ladder.length - 1}.`);
    }
    this.abr.setMode(mode);
    if (this.track === undefined || this.closed) return;
    if (mode !== 'auto' && mode !== this.variant) this.restartFrom(this.readerSegment + 1);
  }

  /** Playlist duration in seconds. */
  get duration(): number {
    return this.playlist.totalDuration;
  }

  async next(): Promise<EncodedPacket | null> {
    for (;;) {
      const q = this.queue.shift();
      if (q !== undefined) {
        const p = q.packet;
        if (p.format !== undefined) this.track = p.format;
        this.queuedSec -= p.frames / q.track.sampleRate;
        this.readerSegment = q.segment;
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
    // Only the packets from the one holding `frame` on are handed out: the segment is still
    // fetched from its start (its timestamps anchor the timeline), but what lies before the
    // target (and its preroll) is never decoded.
    this.skipBefore = frame;
    return Math.round((segs[k] as HlsSegment).startTime * rate);
  }

  /**
   * Packets the reader can take without waiting. The pipeline uses it to collect decoded audio
   * instead of blocking on a packet that is still on the network.
   */
  get packetsReady(): number {
    return this.queue.length;
  }

  /** Resolves once {@link next} would return at once: a packet is queued, or the stream ended or failed. */
  packetReady(): Promise<void> {
    if (this.queue.length > 0 || this.finished || this.failure !== undefined || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.packetWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.loop.abort(new KitharaError('aborted', 'The HLS stream was closed.'));
    this.wakeReaders();
    this.wakeLoader?.();
  }

  // ---- download loop --------------------------------------------------------------------

  /** (Re)starts the download loop at segment `k`. */
  private start(k: number): void {
    this.loop.abort(new KitharaError('aborted', 'Superseded by a seek.'));
    this.loop = new AbortController();
    this.queue = [];
    this.queuedSec = 0;
    this.queuedTrack = this.track;
    this.switchPending = false;
    this.cutPending = false;
    this.readerSegment = k;
    this.finished = false;
    this.failure = undefined;
    this.anchor = undefined;
    this.anchorSegment = k;
    this.nextSegment = k;
    this.skipBefore = undefined;
    this.skipped = [];
    this.segDemuxer?.reset();
    void this.run(this.loop.signal);
  }

  /**
   * Restarts the download at segment `k` while the reader keeps what it has of the segments
   * before it (a manual variant change takes effect at the next segment boundary).
   */
  private restartFrom(k: number): void {
    this.loop.abort(new KitharaError('aborted', 'Superseded by a variant change.'));
    this.loop = new AbortController();
    while (this.queue.length > 0 && (this.queue[this.queue.length - 1] as Queued).segment >= k) {
      const q = this.queue.pop() as Queued;
      this.queuedSec -= q.packet.frames / q.track.sampleRate;
    }
    const last = this.queue[this.queue.length - 1];
    this.queuedTrack = last?.track ?? this.track;
    if (last === undefined) this.switchPending = false;
    this.nextSegment = Math.min(k, this.playlist.segments.length);
    if (this.anchor === undefined) this.anchorSegment = this.nextSegment;
    this.finished = false;
    this.failure = undefined;
    this.skipped = [];
    this.segDemuxer?.reset();
    void this.run(this.loop.signal);
  }

  /**
   * Switches the download to variant `target` at the segment the loop was about to fetch. The
   * loop restarts one segment earlier in the new variant (its previous segment primes the new
   * decoder; the pipeline trims it), and the first packet carries a format fence.
   */
  private async switchVariant(target: number, reason: string, signal: AbortSignal): Promise<void> {
    const from = this.variant;
    const next = await this.mediaPlaylist(target);
    if (signal.aborted) return;
    const at = this.playlist.segments[this.nextSegment]?.startTime ?? this.playlist.totalDuration;
    const segs = next.segments;
    let k = 0;
    // The new variant's segment that holds `at` (ladders are usually aligned: then it starts there).
    for (let i = 0; i < segs.length; i++) {
      if ((segs[i] as HlsSegment).startTime <= at + 1e-3) k = i;
      else break;
    }
    this.variant = target;
    this.playlist = next;
    this.segDemuxer = undefined;
    this.anchor = undefined;
    this.anchorSegment = Math.max(0, k - 1);
    this.nextSegment = this.anchorSegment;
    this.switchPending = true;
    this.deps.events.onVariantChange(from, target, reason);
  }

  private async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted && this.nextSegment < this.playlist.segments.length) {
        await this.waitForRoom(signal);
        if (signal.aborted) return;
        if (this.track !== undefined && this.ladder.length > 1 && !this.switchPending) {
          const decision = this.abr.decide(this.queuedSec);
          if (decision.target !== this.variant) {
            // Switching up with much queued: fetch again what the reader has not reached, from the
            // better variant, so the improvement is heard within a segment and not after the whole
            // look-ahead (the estimate cleared the up-hysteresis, so the bandwidth is there).
            if (decision.reason === 'up' && this.queuedSec > this.abr.options.upCatchUpSec && this.readerSegment + 1 < this.nextSegment) {
              this.carriedReason = decision.reason;
              this.restartFrom(this.readerSegment + 1);
              return;
            }
            const reason = this.carriedReason ?? decision.reason;
            this.carriedReason = undefined;
            await this.switchVariant(decision.target, reason, signal);
            continue;
          }
        }
        const index = this.nextSegment;
        const seg = this.playlist.segments[index] as HlsSegment;
        if (seg.discontinuity && index !== this.anchorSegment) {
          this.anchor = undefined;
          this.anchorSegment = index;
          this.cutPending = true;
        }
        // An encrypted segment whose plaintext is not audio was decrypted with the wrong key or IV.
        const stats = await this.loadSegment(seg, index, signal).catch((e: unknown) => {
          throw seg.key === undefined ? e : encryptedSegmentError(e, seg.uri);
        });
        if (signal.aborted) return;
        this.abr.addSample({ bytes: stats.bytes, durationMs: stats.durationMs, source: stats.cached ? 'cache' : 'network' });
        this.deps.events.onStats(this.abr.estimateBps() ?? NaN, this.variant);
        this.nextSegment = index + 1;
      }
      if (!signal.aborted) {
        this.finished = true;
        this.wakeReaders();
      }
    } catch (e) {
      if (signal.aborted) return;
      this.failure = KitharaError.from(e, 'network');
      this.wakeReaders();
    }
  }

  private async loadSegment(seg: HlsSegment, index: number, signal: AbortSignal): Promise<{ bytes: number; durationMs: number; cached: boolean }> {
    let demuxer = this.segDemuxer;
    let sniffed = demuxer !== undefined;
    const pending: Uint8Array[] = [];
    /** Media bytes that arrived before the init segment they need (both are fetched at once). */
    let held: Uint8Array[] | undefined;
    const onBytes = (bytes: Uint8Array): void => {
      if (signal.aborted) return;
      if (held !== undefined) {
        held.push(bytes.slice());
        return;
      }
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
      this.accept((demuxer as SegmentDemuxer).push(bytes), seg, index);
    };
    let loadInit: (() => Promise<void>) | undefined;
    const map = seg.map;
    // The init segment is stored in the cache only after the media segment is in: nothing is
    // written between the first media bytes and the first audio.
    let segmentSettled!: () => void;
    const segmentLoaded = new Promise<void>((resolve) => (segmentSettled = resolve));
    if (map !== undefined && this.segDemuxer === undefined) {
      // The init segment and the media segment are requested together (one round trip, not
      // two); media bytes wait in `held` until the init is parsed.
      const fmp4 = createFmp4SegmentDemuxer();
      this.segDemuxer = demuxer = fmp4;
      sniffed = true;
      held = [];
      loadInit = () => this.loader.init(map, seg.sequence, signal, segmentLoaded).then(
        (init) => {
          mark('hls:init-received');
          fmp4.setInit(init);
          mark('hls:init-parsed');
          // The init segment describes the track: the session can build its decoder while the
          // media segment's first bytes are still on their way.
          if (this.track === undefined && fmp4.track !== undefined) {
            this.track = this.finalTrack(fmp4.track);
            this.queuedTrack = this.track;
            this.wakeReaders();
          }
          const early = held ?? [];
          held = undefined;
          for (const b of early) onBytes(b);
        },
        (e: unknown) => {
          if (this.segDemuxer === fmp4) this.segDemuxer = undefined;
          throw e;
        },
      );
    }
    if (demuxer !== undefined && 'segmentByteOffset' in demuxer) (demuxer as Fmp4SegmentDemuxer).segmentByteOffset = seg.byteRange?.offset ?? 0;
    // The init segment is asked for first: the decoder is built from it while the media
    // segment's first bytes are on their way.
    const initLoaded = loadInit?.();
    const loading = this.loader.segment(seg, onBytes, signal);
    loading.then(segmentSettled, segmentSettled);
    const [stats] = await Promise.all([loading, initLoaded]);
    if (signal.aborted) return stats;
    if (!sniffed) throw new KitharaError('parse', `The HLS segment ${seg.uri} is empty or not audio.`, { url: seg.uri });
    this.accept((demuxer as SegmentDemuxer).endSegment(), seg, index);
    return stats;
  }

  private makeDemuxer(kind: 'fmp4' | 'ts' | 'adts' | 'mp3'): SegmentDemuxer {
    const d = kind === 'ts' ? createTsSegmentDemuxer() : kind === 'fmp4' ? createFmp4SegmentDemuxer() : createPackedAudioSegmentDemuxer();
    this.segDemuxer = d;
    return d;
  }

  /** Maps segment-demuxer packets onto the playlist timeline and queues them. */
  private accept(packets: EncodedPacket[], seg: HlsSegment, index: number): void {
    if (packets.length === 0) return;
    if (tracing()) mark(`hls:packets seg ${index} +${packets.length} (queued ${this.queue.length})`);
    const d = this.segDemuxer as SegmentDemuxer;
    const track = this.finalTrack(d.track as TrackInfo);
    if (this.track === undefined) {
      this.track = track;
      this.queuedTrack = track;
    }
    const rate = track.sampleRate;
    for (const p of packets) {
      if (this.anchor === undefined) {
        const anchorSeg = this.playlist.segments[this.anchorSegment] ?? seg;
        // Each encode after a discontinuity has its own priming, which the playlist's EXTINF
        // values count as media: move the anchor back by one priming per discontinuity so the
        // first real sample of each encode follows the last one of the previous encode.
        const shift = track.delayFrames * this.discontinuitiesUpTo(this.anchorSegment);
        this.anchor = { frame: Math.round(anchorSeg.startTime * rate) - shift, media: p.frame };
      }
      const packet: EncodedPacket = { ...p, frame: this.anchor.frame + (p.frame - this.anchor.media) };
      if (this.skipBefore !== undefined) {
        if (packet.frame + packet.frames <= this.skipBefore) {
          if (packet.key) this.skipped = [];
          this.skipped.push(packet);
          continue;
        }
        this.skipBefore = undefined;
        // The first packet kept must be one decoding can start at: go back to the last key packet.
        const lead = packet.key ? [] : this.skipped;
        this.skipped = [];
        for (const q of lead) this.enqueue(q, index, track);
      }
      this.enqueue(packet, index, track);
    }
    this.wakeReaders();
  }

  /** Queues one packet on the timeline, with the format fence or cut it carries. */
  private enqueue(packet: EncodedPacket, index: number, track: TrackInfo): void {
    if (this.cutPending) {
      packet.format = track;
      packet.discontinuity = true;
      this.cutPending = false;
      this.switchPending = false;
    } else if (this.switchPending || !sameFormat(track, this.queuedTrack)) {
      packet.format = track;
      this.switchPending = false;
    }
    this.queuedTrack = track;
    this.queue.push({ packet, segment: index, track });
    this.queuedSec += packet.frames / track.sampleRate;
  }

  /** Wakes the reader waiting in `next()` and every `packetReady()` caller. */
  private wakeReaders(): void {
    this.wakeReader?.();
    const waiters = this.packetWaiters;
    if (waiters.length === 0) return;
    this.packetWaiters = [];
    for (const w of waiters) w();
  }

  /** Discontinuity tags at segments 1…`index` of the current playlist. */
  private discontinuitiesUpTo(index: number): number {
    let n = 0;
    const segs = this.playlist.segments;
    for (let i = 1; i <= index && i < segs.length; i++) if ((segs[i] as HlsSegment).discontinuity) n++;
    return n;
  }

  /**
   * The track as the pipeline sees it, with the playlist's duration. AAC in fMP4 that signals
   * no priming (ffmpeg's HLS muxer writes an edit list with media_time 0) is given the same
   * 1024-frame priming that ADTS and MPEG-TS AAC assume, so every container of one encode, and
   * every rendition of a ladder, lines up on the same timeline.
   */
  private finalTrack(t: TrackInfo): TrackInfo {
    const delayFrames = t.codec === 'aac' && t.delayFrames === 0 ? HLS_AAC_ASSUMED_PRIMING : t.delayFrames;
    // The playlist's duration counts the priming of every encode (one more per discontinuity).
    const encodes = 1 + this.discontinuitiesUpTo(this.playlist.segments.length - 1);
    const total = Math.round(this.playlist.totalDuration * t.sampleRate) - delayFrames * encodes;
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
    while (!signal.aborted && this.track !== undefined && this.queuedSec > this.abr.options.lookAheadSec) {
      await new Promise<void>((resolve) => (this.wakeLoader = resolve));
    }
  }

  private mediaPlaylist(index: number): Promise<MediaPlaylist> {
    let p = this.playlists.get(index);
    if (p === undefined) {
      const uri = (this.ladder[index] as AudioLadderEntry).uri;
      // VOD playlists (EXT-X-ENDLIST) are cached; a live one would change, so it never is.
      p = this.loader.playlist(uri, (text) => parseMediaPlaylist(text, uri), (pl) => pl.endList);
      this.playlists.set(index, p);
      p.catch(() => this.playlists.delete(index));
    }
    return p;
  }
}
