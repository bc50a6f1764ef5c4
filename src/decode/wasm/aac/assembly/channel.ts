// Per-channel state: the parsed individual_channel_stream of the current access unit, its
// spectrum, and the overlap carried to the next one. Everything is allocated once.

/** window_sequence values. */
export const ONLY_LONG: i32 = 0;
export const LONG_START: i32 = 1;
export const EIGHT_SHORT: i32 = 2;
export const LONG_STOP: i32 = 3;

/** Special section codebooks. */
export const ZERO_HCB: i32 = 0;
export const NOISE_HCB: i32 = 13;
export const INTENSITY_HCB2: i32 = 14;
export const INTENSITY_HCB: i32 = 15;

/** Bands per group in the per-band arrays (max_sfb is at most 51). */
export const BAND_STRIDE: i32 = 64;
/** Largest TNS order kept (long windows allow 12 in AAC-LC, short 7; the syntax allows 31). */
export const TNS_MAX_ORDER: i32 = 32;

/** One channel of the decoder. */
export class Channel {
  // ics_info
  windowSequence: i32 = ONLY_LONG;
  windowShape: i32 = 0;
  /** The previous access unit's window_shape (the left half of this window). */
  prevShape: i32 = 0;
  maxSfb: i32 = 0;
  numGroups: i32 = 1;
  groupLen: StaticArray<u8> = new StaticArray<u8>(8);
  globalGain: i32 = 0;

  /** Section codebook and scalefactor (or IS position / noise energy) per [group][band]. */
  cb: StaticArray<u8> = new StaticArray<u8>(8 * BAND_STRIDE);
  sf: StaticArray<i32> = new StaticArray<i32>(8 * BAND_STRIDE);

  // pulse_data
  pulseCount: i32 = 0;
  pulseStart: i32 = 0;
  pulseOffset: StaticArray<u8> = new StaticArray<u8>(4);
  pulseAmp: StaticArray<u8> = new StaticArray<u8>(4);

  // tns_data: per window, up to 3 filters (long) or 1 (short); LPC coefficients a[1..order].
  tnsPresent: bool = false;
  tnsFilters: StaticArray<u8> = new StaticArray<u8>(8);
  tnsLength: StaticArray<u8> = new StaticArray<u8>(8 * 4);
  tnsOrder: StaticArray<u8> = new StaticArray<u8>(8 * 4);
  tnsDown: StaticArray<u8> = new StaticArray<u8>(8 * 4);
  tnsLpc: StaticArray<f32> = new StaticArray<f32>(8 * 4 * TNS_MAX_ORDER);

  /** Quantized spectrum, then the dequantized one; short windows at w * 128. */
  quant: StaticArray<i32> = new StaticArray<i32>(1024);
  spec: StaticArray<f32> = new StaticArray<f32>(1024);
  /** The second half of the last windowed IMDCT output, added to the next frame's first half. */
  overlap: StaticArray<f32> = new StaticArray<f32>(1024);

  /** Whether the window is an EIGHT_SHORT_SEQUENCE. */
  // @ts-ignore: decorator
  @inline get short(): bool {
    return this.windowSequence == EIGHT_SHORT;
  }

  /** Copies the ics_info of `o` (common_window in a CPE). */
  copyInfo(o: Channel): void {
    this.windowSequence = o.windowSequence;
    this.windowShape = o.windowShape;
    this.maxSfb = o.maxSfb;
    this.numGroups = o.numGroups;
    for (let i = 0; i < 8; i++) unchecked((this.groupLen[i] = o.groupLen[i]));
  }

  /** Forgets the overlap and the window history (after a seek). */
  reset(): void {
    memory.fill(changetype<usize>(this.overlap), 0, 1024 * 4);
    this.prevShape = 0;
    this.windowSequence = ONLY_LONG;
  }
}
