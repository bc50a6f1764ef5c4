// Scalefactor band tables (ISO/IEC 14496-3 Tables 4.128 to 4.146) and TNS band limits
// (Table 4.156), by sampling frequency index 0..12 (96000 .. 7350 Hz).

const SWB_LONG_96: StaticArray<u16> = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144,
  156, 172, 188, 212, 240, 276, 320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960, 1024,
];
const SWB_LONG_64: StaticArray<u16> = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 100, 112, 124, 140, 156,
  172, 192, 216, 240, 268, 304, 344, 384, 424, 464, 504, 544, 584, 624, 664, 704, 744, 784, 824, 864,
  904, 944, 984, 1024,
];
const SWB_LONG_48: StaticArray<u16> = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176,
  196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768,
  800, 832, 864, 896, 928, 1024,
];
const SWB_LONG_32: StaticArray<u16> = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176,
  196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768,
  800, 832, 864, 896, 928, 960, 992, 1024,
];
const SWB_LONG_24: StaticArray<u16> = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 136, 148,
  160, 172, 188, 204, 220, 240, 260, 284, 308, 336, 364, 396, 432, 468, 508, 552, 600, 652, 704, 768,
  832, 896, 960, 1024,
];
const SWB_LONG_16: StaticArray<u16> = [
  0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 100, 112, 124, 136, 148, 160, 172, 184, 196, 212,
  228, 244, 260, 280, 300, 320, 344, 368, 396, 424, 456, 492, 532, 572, 616, 664, 716, 772, 832, 896,
  960, 1024,
];
const SWB_LONG_8: StaticArray<u16> = [
  0, 12, 24, 36, 48, 60, 72, 84, 96, 108, 120, 132, 144, 156, 172, 188, 204, 220, 236, 252, 268, 288,
  308, 328, 348, 372, 396, 420, 448, 476, 508, 544, 580, 620, 664, 712, 764, 820, 880, 944, 1024,
];
const SWB_SHORT_96: StaticArray<u16> = [0, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 92, 128];
const SWB_SHORT_48: StaticArray<u16> = [0, 4, 8, 12, 16, 20, 28, 36, 44, 56, 68, 80, 96, 112, 128];
const SWB_SHORT_24: StaticArray<u16> = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 64, 76, 92, 108, 128];
const SWB_SHORT_16: StaticArray<u16> = [0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60, 72, 88, 108, 128];
const SWB_SHORT_8: StaticArray<u16> = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 60, 72, 88, 108, 128];

/** Long-window band offsets for a sampling frequency index. */
export function swbLong(sfi: i32): StaticArray<u16> {
  if (sfi <= 1) return SWB_LONG_96;
  if (sfi == 2) return SWB_LONG_64;
  if (sfi <= 4) return SWB_LONG_48;
  if (sfi == 5) return SWB_LONG_32;
  if (sfi <= 7) return SWB_LONG_24;
  if (sfi <= 10) return SWB_LONG_16;
  return SWB_LONG_8;
}

/** Short-window band offsets for a sampling frequency index. */
export function swbShort(sfi: i32): StaticArray<u16> {
  if (sfi <= 2) return SWB_SHORT_96;
  if (sfi <= 5) return SWB_SHORT_48;
  if (sfi <= 7) return SWB_SHORT_24;
  if (sfi <= 10) return SWB_SHORT_16;
  return SWB_SHORT_8;
}

/** TNS_MAX_BANDS for AAC-LC long windows, by sampling frequency index. */
export const TNS_MAX_BANDS_LONG: StaticArray<u8> = [31, 31, 34, 40, 42, 51, 46, 46, 42, 42, 42, 39, 39];
/** TNS_MAX_BANDS for AAC-LC short windows, by sampling frequency index. */
export const TNS_MAX_BANDS_SHORT: StaticArray<u8> = [9, 9, 10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14];
