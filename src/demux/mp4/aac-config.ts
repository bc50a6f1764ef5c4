/**
 * MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) and the WebCodecs codec string it
 * implies. Pure. Enough of the syntax is read to pick 'mp4a.40.2' / '.5' (SBR) / '.29' (PS),
 * with both explicit hierarchical signalling (AOT 5/29 first) and backward-compatible
 * signalling (a 0x2b7 sync extension after an AAC-LC GASpecificConfig).
 */
import { KitharaError } from '../../platform/errors.js';

/** Sampling frequencies by `samplingFrequencyIndex`. */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** Output channels by `channelConfiguration` (0 = given elsewhere). */
const AAC_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];

/** What an AudioSpecificConfig says. */
export interface AudioSpecificConfig {
  /** The signalled audio object type (5 = SBR, 29 = PS, 2 = LC, …). */
  objectType: number;
  /** The core codec's object type (2 for HE-AAC over LC). */
  coreObjectType: number;
  /** Core sampling rate. */
  sampleRate: number;
  /** Output rate: the SBR extension rate when SBR is signalled, else `sampleRate`. */
  outputSampleRate: number;
  /** Channels from `channelConfiguration`; 0 when a program config element defines them. */
  channels: number;
  sbr: boolean;
  ps: boolean;
  /** 'mp4a.40.<aot>' */
  codecString: string;
}

/** MSB-first bit reader over a byte array. */
class Bits {
  private bit = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get left(): number {
    return this.bytes.byteLength * 8 - this.bit;
  }

  read(n: number): number {
    if (n > this.left) throw new KitharaError('parse', 'AudioSpecificConfig is truncated.');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.bit >> 3] as number;
      v = v * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
  }

  peek(n: number): number {
    const save = this.bit;
    const v = this.read(n);
    this.bit = save;
    return v;
  }
}

function objectType(b: Bits): number {
  const aot = b.read(5);
  return aot === 31 ? 32 + b.read(6) : aot;
}

function samplingFrequency(b: Bits): number {
  const index = b.read(4);
  if (index === 15) return b.read(24);
  const rate = AAC_RATES[index];
  if (rate === undefined) throw new KitharaError('parse', `AAC sampling frequency index ${index} is reserved.`);
  return rate;
}

/** Parses an AudioSpecificConfig. Throws `parse` when it is malformed. */
export function parseAudioSpecificConfig(asc: Uint8Array): AudioSpecificConfig {
  const b = new Bits(asc);
  let aot = objectType(b);
  const signalled = aot;
  const sampleRate = samplingFrequency(b);
  const channelConfig = b.read(4);
  let outputSampleRate = sampleRate;
  let sbr = false;
  let ps = false;
  if (aot === 5 || aot === 29) {
    // Explicit hierarchical signalling: extension rate, then the core object type.
    sbr = true;
    ps = aot === 29;
    outputSampleRate = samplingFrequency(b);
    aot = objectType(b);
    if (aot === 22) b.read(4); // extensionChannelConfiguration (ER BSAC)
  } else if (aot === 2 && channelConfig !== 0) {
    // GASpecificConfig for AAC-LC: frameLengthFlag, dependsOnCoreCoder (+delay), extensionFlag.
    b.read(1);
    if (b.read(1)) b.read(14);
    b.read(1);
    // Backward-compatible explicit signalling: syncExtensionType 0x2b7.
    if (b.left >= 16 && b.peek(11) === 0x2b7) {
      b.read(11);
      const ext = objectType(b);
      if (ext === 5 && b.left >= 1 && b.read(1)) {
        sbr = true;
        outputSampleRate = samplingFrequency(b);
        if (b.left >= 12 && b.peek(11) === 0x548) {
          b.read(11);
          ps = b.read(1) === 1;
        }
      }
    }
  }
  const channels = AAC_CHANNELS[channelConfig] ?? 0;
  const codecAot = ps ? 29 : sbr ? 5 : aot;
  return {
    objectType: signalled,
    coreObjectType: aot,
    sampleRate,
    outputSampleRate,
    channels: ps && channels === 1 ? 2 : channels,
    sbr,
    ps,
    codecString: `mp4a.40.${codecAot}`,
  };
}
