// Builds the public bundles (ESM + IIFE), the engine worker (ESM, code-split so optional
// parts load lazily) and the output worklet (one self-contained ES module).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import esbuild from 'rollup-plugin-esbuild';

const production = process.env.KITHARA_DEV !== '1';

const plugins = () => [
  nodeResolve({ browser: true, extensions: ['.ts', '.mjs', '.js'] }),
  commonjs(),
  esbuild({ target: 'es2022', minify: production, sourceMap: true, tsconfig: 'tsconfig.json' }),
];

/** Import cycles fail the build (STYLE rule 1). */
function onwarn(warning, warn) {
  if (warning.code === 'CIRCULAR_DEPENDENCY' && !warning.ids?.some((id) => id.includes('node_modules'))) {
    throw new Error(`Import cycle: ${warning.ids.join(' -> ')}`);
  }
  warn(warning);
}

/** Rollup manualChunks: the worker entry's static import closure → 'engine-core'. */
function engineCoreChunk(id, { getModuleInfo }) {
  if (!staticClosure) {
    staticClosure = new Set();
    const root = getModuleInfo(WORKER_ENTRY_ID());
    const stack = root ? [...root.importedIds] : [];
    while (stack.length > 0) {
      const next = stack.pop();
      if (staticClosure.has(next)) continue;
      staticClosure.add(next);
      const info = getModuleInfo(next);
      if (info) stack.push(...info.importedIds);
    }
  }
  if (staticClosure.has(id)) return 'engine-core';
  // The HLS code (playlists, segment loading and demuxing, AES, mux.js, m3u8-parser) is one lazy
  // chunk, so opening a playlist costs one chunk fetch, not two waves of them.
  // Rollup's CommonJS helpers serve mux.js and the WASM packages alike: their own tiny chunk, so
  // a decoder never loads the HLS chunk for them (manual chunks pull dependencies in otherwise).
  if (id.includes('commonjsHelpers')) return 'commonjs-helpers';
  if (HLS_MODULES.test(id)) return 'hls';
  return undefined;
}
const HLS_MODULES = /[\\/](src[\\/](hls|drm|demux[\\/]segment|engine[\\/]hls)[\\/]|node_modules[\\/](mux\.js|m3u8-parser|@videojs|global)[\\/])/;
let staticClosure;
const WORKER_ENTRY_ID = () => new URL('./workers/engine.worker.ts', import.meta.url).pathname;

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/kithara.mjs', format: 'es', sourcemap: true },
    plugins: plugins(),
    onwarn,
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/kithara.iife.js', format: 'iife', name: 'Kithara', sourcemap: true, inlineDynamicImports: true },
    plugins: plugins(),
    onwarn,
  },
  {
    input: 'workers/engine.worker.ts',
    output: {
      dir: 'dist',
      entryFileNames: 'kithara.worker.js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      format: 'es',
      sourcemap: true,
      // Everything the entry imports statically goes into one core chunk, so lazy chunks import
      // that chunk and never the entry itself: a worker URL with a query string (or served from
      // another name) would otherwise run the entry a second time as a separate module.
      manualChunks: engineCoreChunk,
    },
    plugins: plugins(),
    onwarn,
  },
  {
    input: 'worklets/output.worklet.ts',
    output: { file: 'dist/kithara.worklet.js', format: 'es', sourcemap: true },
    plugins: plugins(),
    onwarn,
  },
];
