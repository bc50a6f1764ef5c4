#!/usr/bin/env node
// The demo's dev server: the test server with the demo page at /, the built package at /dist and
// the fixtures at /media. Cross-origin isolated (COOP/COEP), so the SharedArrayBuffer ring works.
//   npm start            (builds first)
//   PORT=9000 node demo/server.mjs

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../e2e/server/test-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

const server = await startServer({
  root: here,
  port: Number(process.env.PORT ?? 8080),
  host: '127.0.0.1',
  extraRoots: { '/dist': join(repo, 'dist'), '/media': join(repo, 'fixtures', 'media') },
});
console.log(`Kithara demo: ${server.url}/`);

const stop = () => server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
