/** Helpers for the HLS segment demuxer tests: fixtures, ffprobe packets, chunked feeding. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KitharaError } from '../../src/platform/errors.js';
import type { EncodedPacket } from '../../src/demux/types.js';
import type { SegmentDemuxer } from '../../src/demux/segment/index.js';
import { concatBytes as joinBytes } from '../../src/platform/bytes.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HLS = join(ROOT, 'fixtures', 'hls');
export const MEDIA = join(ROOT, 'fixtures', 'media');
export const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
export const HAVE_HLS_FIXTURES = existsSync(join(HLS, 'manifest.json'));

/** Bytes of a file. */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kithara-seg-'));
}

/** One packet as ffprobe reports it: start in frames at `rate`, size, byte position (-1 when unknown). */
export interface ProbedPacket {
  frame: number;
  size: number;
  pos: number;
  /** The unrounded start in frames. */
  exact: number;
}

/** ffprobe's packets of the first audio stream of `file`, with pts converted to frames at `rate`. */
export function probePackets(file: string, rate: number): ProbedPacket[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts,size,pos:stream=time_base', '-of', 'json', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { packets: Record<string, string>[]; streams: { time_base: string }[] };
  const [num, den] = (json.streams[0]?.time_base ?? '1/1').split('/').map(Number) as [number, number];
  return json.packets.map((p) => {
    const exact = (Number(p.pts) * num * rate) / den;
    return { frame: Math.round(exact), exact, size: Number(p.size), pos: p.pos === undefined || p.pos === 'N/A' ? -1 : Number(p.pos) };
  });
}

/** Deterministic random integers in [lo, hi] (xorshift32). */
export function randomInts(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0 || 1;
  return (lo, hi) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return lo + (s % (hi - lo + 1));
  };
}

/** Pushes a whole segment in one piece and ends it. */
export function demuxWhole(d: SegmentDemuxer, segment: Uint8Array): EncodedPacket[] {
  return [...d.push(segment), ...d.endSegment()];
}

/** Pushes a segment in random pieces of 1..`max` bytes and ends it. */
export function demuxChunked(d: SegmentDemuxer, segment: Uint8Array, seed: number, max = 3000): EncodedPacket[] {
  const next = randomInts(seed);
  const out: EncodedPacket[] = [];
  for (let at = 0; at < segment.byteLength; ) {
    const n = next(1, max);
    out.push(...d.push(segment.slice(at, at + n)));
    at += n;
  }
  out.push(...d.endSegment());
  return out;
}

/** Asserts that packets within one segment are contiguous. */
export function assertContiguous(packets: EncodedPacket[]): void {
  for (let k = 1; k < packets.length; k++) {
    const a = packets[k - 1]!;
    assert.equal(packets[k]!.frame, a.frame + a.frames, `packet ${k} is not contiguous`);
  }
}

/** Packets as comparable plain values (data as hex is too slow; use lengths and a checksum). */
export function summary(packets: EncodedPacket[]): { frame: number; frames: number; key: boolean; size: number; sum: number }[] {
  return packets.map((p) => ({ frame: p.frame, frames: p.frames, key: p.key, size: p.data.byteLength, sum: p.data.reduce((s, b) => (s * 31 + b) >>> 0, 7) }));
}

/** Runs `fn` and asserts it throws a KitharaError (of `code`, when given). */
export function throwsKithara(fn: () => unknown, code?: string): KitharaError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof KitharaError)) throw new Error(`expected a KitharaError, got ${String(err)}`);
    if (code !== undefined) assert.equal(err.code, code, err.message);
    return err;
  }
  throw new Error('expected a KitharaError, nothing was thrown');
}

/** Joins byte arrays (the SDK's own helper). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return joinBytes(parts);
}
