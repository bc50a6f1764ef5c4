// The package as users get it: version, exports map, bundle size budget, no import cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { version } from '../../src/version.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; exports: Record<string, unknown>; sideEffects: unknown; types: string };

/** gzip budgets in bytes (STYLE rule 8). Raise one only with a reason in the commit. */
const BUDGET = {
  'dist/kithara.mjs': 20 * 1024,
  'dist/kithara.worklet.js': 6 * 1024,
  'dist/kithara.worker.js': 60 * 1024,
};

test('the exported version matches package.json', () => {
  assert.equal(version, pkg.version);
});

test('package.json exposes the ESM build, the IIFE build and the types', () => {
  assert.equal(pkg.sideEffects, false);
  const root = pkg.exports['.'] as Record<string, string>;
  assert.equal(root.import, './dist/kithara.mjs');
  assert.equal(root.types, pkg.types);
  assert.equal(pkg.exports['./iife'], './dist/kithara.iife.js');
});

test('the built bundles stay within their gzip size budgets', { skip: !existsSync('dist/kithara.mjs') && 'run the build first' }, () => {
  for (const [file, budget] of Object.entries(BUDGET)) {
    const size = gzipSync(readFileSync(file)).length;
    assert.ok(size <= budget, `${file} is ${size} bytes gzipped, over its ${budget}-byte budget`);
  }
  assert.ok(existsSync(pkg.types), `${pkg.types} was emitted`);
});

test('the worklet bundle is self-contained: no imports, no DOM, no comlink', { skip: !existsSync('dist/kithara.worklet.js') && 'run the build first' }, () => {
  const code = readFileSync('dist/kithara.worklet.js', 'utf8');
  assert.ok(!/\bimport\s*[({"']/.test(code.replace(/\/\/# sourceMappingURL.*/, '')), 'no import statements');
  assert.ok(!code.includes('document.'), 'no DOM access');
  assert.ok(!code.includes('Comlink'), 'no comlink');
});

// One exception: src/player/types.ts is the public contract (declarations only, no code), and
// lower layers implement parts of it, so a type-only import of it is allowed anywhere.
test('src layers import only from layers below them', () => {
  const order = ['platform', 'bufpool', 'events', 'ring', 'storage', 'net', 'assets', 'drm', 'abr', 'stream', 'file', 'hls', 'demux', 'decode', 'audio', 'engine', 'player', 'element'];
  const rank = (layer: string): number => {
    if (layer === 'drm' || layer === 'abr') return order.indexOf('drm');
    if (layer === 'file' || layer === 'hls') return order.indexOf('file');
    return order.indexOf(layer);
  };
  const bad: string[] = [];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
  for (const file of walk('src')) {
    const layer = file.split('/')[1] as string;
    if (!order.includes(layer)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import (type )?[^;]*?from '\.\.\/(?:\.\.\/)*([a-z]+)\/([a-z-]+)\.js'/gms)) {
      const target = m[2] as string;
      if (m[1] !== undefined && target === 'player' && m[3] === 'types') continue;
      if (!order.includes(target) || target === layer) continue;
      if (rank(target) > rank(layer)) bad.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(bad, [], 'upward imports');
});
