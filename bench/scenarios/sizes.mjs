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
  if (name === 'kithara.worker.js') return 'engine worker';
  return 'worker chunk (lazy)';
}

export default {
  name: 'sizes',
  title: 'Sizes',
  async run(env) {
    const files = readdirSync(env.distDir).filter((n) => /\.(m?js|wasm)$/.test(n)).sort();
    return files.map((name) => {
      const bytes = readFileSync(join(env.distDir, name));
      return { name, role: roleOf(name), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  },
  markdown(files) {
    const rows = files.map((f) => [`dist/${f.name}`, f.role, kib(f.raw), kib(f.gzip)]);
    const first = files.filter((f) => f.name !== 'kithara.iife.js');
    const total = first.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
    rows.push(['**total** (ESM + worker + chunks + worklet)', '', kib(total.raw), `**${kib(total.gzip)}**`]);
    return table(['file', 'role', 'raw', 'gzip -9'], rows);
  },
};
