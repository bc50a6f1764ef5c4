// Types for ffmpeg.mjs (Node only).

/** Decodes the first audio stream of a file to float planes with ffmpeg. */
export function ffmpegDecode(
  input: string,
  options?: { rate?: number; channels?: number },
): { planes: Float32Array[]; rate: number; channels: number; frames: number };

/** Sample rate, channel count and codec of the first audio stream. */
export function ffprobeAudio(input: string): { sampleRate: number; channels: number; codec: string };

/** Runs ffmpeg -hide_banner -loglevel error -y ...args; throws on failure. */
export function ffmpeg(args: string[]): void;
