/** Test helpers for the HLS playlist tests: fixture access and URL ↔ file mapping. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** fixtures/hls on disk. */
export const HLS = join(ROOT, 'fixtures', 'hls');
/** The base URL the tests pretend fixtures/hls is served from. */
export const BASE = 'https://cdn.example.test/media/hls/';

/** One fixtures/hls/manifest.json entry (the fields the tests use). */
export interface HlsFixture {
  file: string;
  kind?: 'master' | 'broken';
  playlist: string;
  container: string;
  sampleRate: number;
  channels: number;
  mediaSequence: number;
  segmentCount: number;
  segmentDurations: number[];
  duration: number;
  firstPts90k: number;
  encrypted: boolean;
  keyHex?: string;
  ivMode?: 'explicit' | 'sequence';
  ivHex?: string;
  decryptsTo?: string;
  alsoPlaylist?: string;
  singleFile?: string;
  variants?: { playlist: string; bandwidth: number; averageBandwidth: number; codecs: string; sampleRate: number; channels: number }[];
  playlists?: { file: string; expect: { code: string; line?: number; status?: number } }[];
}

/** The HLS fixture manifest. */
export const hlsManifest: HlsFixture[] = JSON.parse(readFileSync(join(HLS, 'manifest.json'), 'utf8'));

/** The manifest entry of a fixture folder. */
export function hlsFixture(file: string): HlsFixture {
  const f = hlsManifest.find((m) => m.file === file);
  if (!f) throw new Error(`no manifest entry for ${file}`);
  return f;
}

/** The text of a playlist under fixtures/hls and the URL it pretends to come from. */
export function playlistText(path: string): { text: string; url: string } {
  return { text: readFileSync(join(HLS, path), 'utf8'), url: BASE + path };
}

/** The bytes behind a URL under BASE. */
export function bytesAt(url: string): Uint8Array {
  if (!url.startsWith(BASE)) throw new Error(`${url} is not under ${BASE}`);
  return new Uint8Array(readFileSync(join(HLS, decodeURIComponent(url.slice(BASE.length)))));
}

/** Joins lines into a playlist text. */
export const m3u8 = (...lines: string[]): string => `${lines.join('\n')}\n`;
