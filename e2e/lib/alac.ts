/** Makes ALAC-in-M4A copies of the lossless WAV fixtures with ffmpeg, for the software ALAC decoder's browser tests. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';

/** An ALAC file made from a WAV fixture, with what the test compares it against. */
export interface AlacFixture {
  /** URL path on the test server. */
  url: string;
  sampleRate: number;
  channels: number;
  bits: 16 | 24;
  frames: number;
}

/** The WAV fixtures ALAC copies are made from: 16-bit stereo, 24-bit stereo at 48 kHz, 16-bit mono at 22.05 kHz. */
const SOURCES = [
  { wav: 'chirp-s16.wav', name: 'chirp-alac.m4a', sampleRate: 44100, channels: 2, bits: 16, frames: 264600, fmt: 's16p' },
  { wav: 'chirp-s24-48000.wav', name: 'chirp-alac-s24-48000.m4a', sampleRate: 48000, channels: 2, bits: 24, frames: 288000, fmt: 's32p' },
  { wav: 'chirp-mono-s16-22050.wav', name: 'chirp-alac-mono-22050.m4a', sampleRate: 22050, channels: 1, bits: 16, frames: 132300, fmt: 's16p' },
] as const;

/**
 * Writes the ALAC files into test-results/media (once; a temporary name and a rename keep a
 * parallel test from serving a half-written file) and describes them.
 */
export function alacFixtures(): AlacFixture[] {
  mkdirSync('test-results/media', { recursive: true });
  return SOURCES.map((s) => {
    const file = `test-results/media/${s.name}`;
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.m4a`;
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', `fixtures/media/${s.wav}`, '-c:a', 'alac', '-sample_fmt', s.fmt, tmp]);
      renameSync(tmp, file);
    }
    return { url: `/${file}`, sampleRate: s.sampleRate, channels: s.channels, bits: s.bits, frames: s.frames };
  });
}
