// Decodes or encodes with the ffmpeg command line, for tests that compare the engine's output
// with a reference decoder or need a freshly encoded file. Node only (child_process).

import { spawnSync } from 'node:child_process';
import { deinterleave } from './analyze.mjs';

/**
 * Decodes the first audio stream of `input` (a path) to float planes with ffmpeg.
 * @param {string} input
 * @param {{ rate?: number, channels?: number }} [options] resample / remix when given;
 *   otherwise the stream's own rate and channel count are kept.
 * @returns {{ planes: Float32Array[], rate: number, channels: number, frames: number }}
 */
export function ffmpegDecode(input, { rate, channels } = {}) {
  const probe = ffprobeAudio(input);
  const outRate = rate ?? probe.sampleRate;
  const outChannels = channels ?? probe.channels;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', input, '-map', '0:a:0',
    '-ar', String(outRate), '-ac', String(outChannels), '-f', 'f32le', '-c:a', 'pcm_f32le', '-'],
  { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ffmpeg decode of ${input} failed: ${r.stderr}`);
  const buf = r.stdout;
  const samples = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const planes = deinterleave(samples, outChannels);
  return { planes, rate: outRate, channels: outChannels, frames: planes[0]?.length ?? 0 };
}

/**
 * Sample rate and channel count of the first audio stream, from ffprobe.
 * @param {string} input
 * @returns {{ sampleRate: number, channels: number, codec: string }}
 */
export function ffprobeAudio(input) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries',
    'stream=sample_rate,channels,codec_name', '-of', 'json', input], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${input} failed: ${r.stderr}`);
  const s = JSON.parse(r.stdout).streams?.[0];
  if (!s) throw new Error(`no audio stream in ${input}`);
  return { sampleRate: Number(s.sample_rate), channels: Number(s.channels), codec: s.codec_name };
}

/**
 * Runs ffmpeg with `args` (after `-hide_banner -loglevel error -y`); throws on failure.
 * @param {string[]} args
 */
export function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}
