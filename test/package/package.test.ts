// The package as users get it: version, exports map, bundle size budget, no import cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { version } from '../../src/version.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; exports: Record<string, unknown>; sideEffects: unknown; types: string };

/** gzip budgets in bytes (STYLE rule 8). Raise one only with a reason in the commit. */
const BUDGET = {
  'dist/kithara.mjs': 20 * 1024,
  'dist/kithara.worklet.js': 6 * 1024,
};
/** gzip budget of what the worker loads before any lazy part: the entry and its static imports. */
const WORKER_BUDGET = 60 * 1024;

/** Relative .js imports (static and dynamic) of a built file, resolved to paths under dist/. */
function importsOf(file: string, kind: 'static' | 'dynamic'): string[] {
  const code = readFileSync(file, 'utf8');
  const re = kind === 'static' ? /\b(?:from\s*|import\s*)["'](\.{1,2}\/[^"']+\.js)["']/g : /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+\.js)["']\s*\)/g;
  return [...code.matchAll(re)].map((m) => normalize(join(dirname(file), m[1] as string)));
}

/** The worker entry and every file it imports statically (what a worker start loads). */
function workerCoreFiles(): string[] {
  const seen = new Set<string>();
  const queue = [normalize('dist/kithara.worker.js')];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file, 'static'));
  }
  return [...seen];
}

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
  const worker = workerCoreFiles().reduce((a, f) => a + gzipSync(readFileSync(f)).length, 0);
  assert.ok(worker <= WORKER_BUDGET, `the worker's core is ${worker} bytes gzipped, over its ${WORKER_BUDGET}-byte budget`);
  assert.ok(existsSync(pkg.types), `${pkg.types} was emitted`);
});

/** gzip budget of the whole lazily loaded WASM decoder suite (issue 5): 150 KiB at gzip -9. */
const WASM_SUITE_BUDGET = 150 * 1024;

/**
 * The files the worker loads lazily for the software decoders: the chunk of
 * src/decode/wasm/provider.ts (the one the worker entry imports dynamically and which itself
 * imports the codec chunks) and every chunk or .wasm file reachable from it, without the worker
 * entry itself.
 */
function wasmSuiteFiles(): string[] {
  const core = workerCoreFiles();
  const roots = [...new Set(core.flatMap((f) => importsOf(f, 'dynamic')))].filter((f) => /chunks\/provider-[^/]+\.js$/.test(f));
  assert.equal(roots.length, 1, 'the worker imports exactly one decoder provider chunk lazily');
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = normalize(queue.pop() as string);
    if (seen.has(file) || core.includes(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(file, 'utf8');
    const refs = [
      ...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+\.js)["']/g),
      ...code.matchAll(/["'](\.{0,2}\/?[\w./-]+\.wasm)["']/g),
    ].map((m) => join(dirname(file), m[1] as string));
    queue.push(...refs.filter((ref) => existsSync(ref)));
  }
  return [...seen].sort();
}

test('the lazily loaded WASM decoder chunks stay within 150 KiB gzip in total', { skip: !existsSync('dist/kithara.worker.js') && 'run the build first' }, () => {
  const files = wasmSuiteFiles();
  assert.ok(files.length >= 2, `the provider and at least one codec chunk (found ${files.join(', ')})`);
  const sizes = files.map((f) => [f, gzipSync(readFileSync(f), { level: 9 }).length] as const);
  const total = sizes.reduce((a, [, n]) => a + n, 0);
  const detail = sizes.map(([f, n]) => `${f.replace(/^dist\//, '')} ${(n / 1024).toFixed(1)}`).join(', ');
  assert.ok(total <= WASM_SUITE_BUDGET, `the WASM decoder suite is ${(total / 1024).toFixed(1)} KiB gzipped (${detail}), over its ${WASM_SUITE_BUDGET / 1024} KiB budget`);
});

test('no lazy chunk imports the worker entry (a worker URL with a query would run it twice)', { skip: !existsSync('dist/kithara.worker.js') && 'run the build first' }, () => {
  const entry = normalize('dist/kithara.worker.js');
  const offenders = readdirSync('dist/chunks')
    .filter((f) => f.endsWith('.js'))
    .map((f) => normalize(join('dist/chunks', f)))
    .filter((f) => importsOf(f, 'static').includes(entry) || importsOf(f, 'dynamic').includes(entry));
  assert.deepEqual(offenders, []);
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
