// npm run build: the WASM decoders (AssemblyScript), rollup bundles, then TypeScript declarations, then a size report.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
// The AssemblyScript decoders first: the worker's lazy WASM chunks import the generated modules.
run('node', ['scripts/build-wasm.mjs']);
run(bin('rollup'), ['-c', 'rollup.config.mjs', '--silent']);
run(bin('tsc'), ['-p', 'tsconfig.json', '--emitDeclarationOnly']);

const rows = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'types') walk(path);
    } else if (name.endsWith('.js') || name.endsWith('.mjs') || name.endsWith('.wasm')) {
      const bytes = readFileSync(path);
      rows.push([path, bytes.length, gzipSync(bytes).length]);
    }
  }
};
walk('dist');
for (const [path, raw, gz] of rows) console.log(`${path.padEnd(44)} ${(raw / 1024).toFixed(1).padStart(7)} KiB  ${(gz / 1024).toFixed(1).padStart(6)} KiB gzip`);
