// Scenario: shipped sizes of dist/, raw and gzip (level 9, like a CDN would serve).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { kib, table } from '../lib/stats.mjs';

/** Which part of the SDK a dist file belongs to. */
function roleOf(name) {
  if (name === 'kithara.mjs') return 'main thread (ESM)';
  if (name === 'kithara.iife.js') return 'main thread (IIFE build, alternative)';
  if (name === 'kithara.worklet.js') return 'audio worklet';
  if (name === 'kithara.worker.js') return 'engine worker (entry)';
  if (/^chunks\/engine-core-/.test(name)) return 'engine worker (its core, loaded with the entry)';
  if (name.startsWith('chunks/')) return 'lazy chunk (loaded on demand)';
  return 'other';
}

/** Script files under `dir` (recursively, without the types/ folder), as paths relative to it. */
function scripts(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return e.name === 'types' ? [] : scripts(dir, rel);
    return /\.(m?js|wasm)$/.test(e.name) ? [rel] : [];
  });
}

export default {
  name: 'sizes',
  title: 'Sizes',
  async run(env) {
    const files = scripts(env.distDir).sort();
    return files.map((name) => {
      const bytes = readFileSync(join(env.distDir, name));
      return { name, role: roleOf(name), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  },
  markdown(files) {
    const rows = files.map((f) => [`dist/${f.name}`, roleOf(f.name), kib(f.raw), kib(f.gzip)]);
    const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
    const core = sum(files.filter((f) => ['kithara.mjs', 'kithara.worker.js', 'kithara.worklet.js'].includes(f.name) || /^chunks\/engine-core-/.test(f.name)));
    const all = sum(files.filter((f) => f.name !== 'kithara.iife.js'));
    rows.push(['**progressive playback** (ESM + worker + worklet)', '', kib(core.raw), `**${kib(core.gzip)}**`]);
    rows.push(['**everything** (also the lazy chunks)', '', kib(all.raw), `**${kib(all.gzip)}**`]);
    return table(['file', 'role', 'raw', 'gzip -9'], rows);
  },
};
