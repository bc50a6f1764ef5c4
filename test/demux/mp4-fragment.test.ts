import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFragment, parseMoov, readBoxHeader } from '../../src/demux/mp4/index.js';
import { ffmpeg } from '../lib/ffmpeg.mjs';

const MEDIA = join(import.meta.dirname, '..', '..', 'fixtures', 'media');
const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;

describe('MP4 movie fragments', { skip: !HAVE_FFMPEG }, () => {
  it('resolve to the samples, offsets and times ffprobe reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kithara-fmp4-'));
    try {
      const file = join(dir, 'frag.m4a');
      ffmpeg(['-i', join(MEDIA, 'chirp-s16.wav'), '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '500000', file]);
      const bytes = new Uint8Array(readFileSync(file));
      const samples: { pos: number; size: number; dts: number }[] = [];
      let trackId = 0;
      let defaults;
      let moofs = 0;
      for (let at = 0; at < bytes.byteLength; ) {
        const h = readBoxHeader(bytes, at);
        assert.ok(h);
        const box = bytes.subarray(at, at + h.size);
        if (h.type === 'moov') {
          const movie = parseMoov(box, { ...h, start: 0 });
          assert.ok(movie.fragmented);
          const track = movie.tracks.find((t) => t.handler === 'soun');
          assert.ok(track);
          trackId = track.id;
          defaults = track.defaults;
        }
        if (h.type === 'moof') {
          moofs++;
          const f = parseFragment(box, at, trackId, defaults);
          assert.ok(f && f.baseDecodeTime !== undefined);
          let t = f.baseDecodeTime;
          f.offsets.forEach((pos, i) => {
            samples.push({ pos, size: f.sizes[i]!, dts: t });
            t += f.durations[i]!;
            assert.equal(f.sync[i], 1);
          });
          assert.equal(parseFragment(box, at, trackId + 1, defaults), null);
        }
        at += h.size;
      }
      assert.ok(moofs > 3, `${moofs} fragments`);
      const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=dts,size,pos', '-of', 'json', file], { encoding: 'utf8' });
      const ref = (JSON.parse(r.stdout).packets as Record<string, string>[]).map((p) => ({ pos: Number(p.pos), size: Number(p.size), dts: Number(p.dts) }));
      assert.equal(samples.length, ref.length);
      const shift = ref[0]!.dts - samples[0]!.dts; // ffprobe shifts by the edit list's priming
      assert.deepEqual(samples.map((s) => ({ ...s, dts: s.dts + shift })), ref);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
