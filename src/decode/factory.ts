/**
 * Chooses a decoder for a track: PCM directly, WebCodecs where `isConfigSupported` says
 * yes and `configure` succeeds, otherwise the WASM fallback (a later issue adds it).
 */
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

/** The default factory. */
export class DefaultDecoderFactory implements DecoderFactory {
  constructor(private readonly fallback?: () => Promise<FallbackDecoderProvider | undefined>) {}

  async create(track: TrackInfo, preference: DecoderPreference, options: DecoderOptions = {}): Promise<Decoder> {
    if (track.codec === 'pcm') return new PcmDecoder(track);
    const reasons: string[] = [];
    if (preference !== 'wasm') {
      if (typeof AudioDecoder === 'undefined') {
        reasons.push('this browser has no WebCodecs AudioDecoder');
      } else if (await webCodecsSupports(track)) {
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
