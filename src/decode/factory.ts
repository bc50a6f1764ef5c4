/**
 * Chooses a decoder for a track: PCM directly, WebCodecs where `isConfigSupported` says
 * yes and `configure` succeeds, otherwise the WASM fallback. A bulk factory (PCM readers) tries
 * the WASM decoder first for the codecs where it is faster (see {@link softwareFirst}).
 */
import { mark } from '../platform/trace.js';
import { KitharaError } from '../platform/errors.js';
import type { TrackInfo } from '../demux/types.js';
import { PcmDecoder } from './pcm-decoder.js';
import type { Decoder, DecoderFactory, DecoderOptions, DecoderPreference } from './types.js';
import { WebCodecsDecoder, webCodecsSupports } from './webcodecs-decoder.js';

/** A lazily loaded fallback decoder provider (WASM). */
export interface FallbackDecoderProvider {
  supports(track: TrackInfo): Promise<boolean>;
  create(track: TrackInfo): Promise<Decoder>;
}

/**
 * Tracks whose software decoder outruns WebCodecs when one thread reads as fast as it can: MPEG
 * audio, whose packets WebCodecs takes one per round trip to its media thread (Chromium refuses
 * joined MP3 frames), while the WASM decoder runs on the reading thread with no round trip.
 * Measured in Chromium on the 60 s MP3 of the benchmarks: about 1.5× the throughput.
 */
export function softwareFirst(track: TrackInfo): boolean {
  return track.codec === 'mp3' || track.codec === 'mp2' || track.codec === 'mp1';
}

/** The default factory. */
export class DefaultDecoderFactory implements DecoderFactory {
  /**
   * @param fallback - loads the software decoder suite.
   * @param bulk - for PCM readers: with `'auto'`, tracks {@link softwareFirst} names start on the
   *   software decoder (WebCodecs when it cannot). Players leave it off: their first packet must
   *   not wait for a WASM module to load.
   */
  constructor(
    private readonly fallback?: () => Promise<FallbackDecoderProvider | undefined>,
    private readonly bulk = false,
  ) {}

  async create(track: TrackInfo, preference: DecoderPreference, options: DecoderOptions = {}): Promise<Decoder> {
    if (track.codec === 'pcm') return new PcmDecoder(track);
    if (preference === 'auto' && this.bulk && softwareFirst(track) && this.fallback !== undefined) {
      const provider = await this.fallback().catch(() => undefined);
      if (provider !== undefined && (await provider.supports(track))) {
        try {
          return await provider.create(track);
        } catch {
          // WebCodecs below.
        }
      }
    }
    const reasons: string[] = [];
    if (preference !== 'wasm') {
      if (typeof AudioDecoder === 'undefined') {
        reasons.push('this browser has no WebCodecs AudioDecoder');
      } else if (await webCodecsSupports(track)) {
        mark('decode:supported');
        try {
          return new WebCodecsDecoder(track, options.queueDepth, options.batch);
        } catch (e) {
          reasons.push(`WebCodecs failed to configure ${track.codecString}: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else {
        reasons.push(`WebCodecs does not support ${track.codecString} at ${track.sampleRate} Hz, ${track.channels} ch`);
      }
    }
    if (preference !== 'webcodecs') {
      const provider = this.fallback === undefined ? undefined : await this.fallback();
      if (provider !== undefined && (await provider.supports(track))) return provider.create(track);
      reasons.push(provider === undefined ? 'no WASM fallback decoder is available' : `the WASM decoders do not support ${track.codec}`);
    }
    throw new KitharaError('unsupported', `Cannot decode ${track.codec} (${track.codecString}): ${reasons.join('; ')}.`);
  }
}
