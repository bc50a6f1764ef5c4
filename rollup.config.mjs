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
