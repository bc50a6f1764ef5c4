import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';
import { E2E_PORT } from './lib/port.js';
import { CHROMIUM_ARGS } from '../test/lib/chromium-args.mjs';

/** Everything the run writes goes under <repo>/test-results (the run starts at the repo root). */
const results = resolve(process.cwd(), process.env.KITHARA_RESULTS ?? 'test-results');

/** Browser tests: Debian's Chromium, a local test server with Range, faults and COOP/COEP. */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: resolve(results, 'e2e.json') }]],
  outputDir: resolve(results, 'e2e-artifacts'),
  globalSetup: './global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS],
    },
  },
});
