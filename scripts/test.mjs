// npm test: build, unit tests (node:test), browser tests (Playwright + system Chromium).
// The last line is "N passed, N failed" counting both suites together.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every *.test.ts under test/ (Node 20's --test does not expand globs). */
function unitTestFiles(dir = 'test') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...unitTestFiles(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const only = process.argv.slice(2); // optional: 'unit' or 'e2e'
const want = (suite) => only.length === 0 || only.includes(suite);
let passed = 0;
let failed = 0;

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return res.status ?? 1;
}

/** Where results go (KITHARA_RESULTS lets two runs share a checkout, as e2e/playwright.config.ts does). */
const RESULTS = process.env.KITHARA_RESULTS ?? 'test-results';
mkdirSync(RESULTS, { recursive: true });

if (!existsSync('fixtures/media/manifest.json')) {
  if (run('node', ['scripts/make-fixtures.mjs']) !== 0) failed += 1;
}

if (run('node', ['scripts/build.mjs']) !== 0) {
  console.error('build failed');
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

if (want('unit')) {
  const status = run('node', [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${RESULTS}/unit.tap`,
    ...unitTestFiles(),
  ]);
  const tap = existsSync(`${RESULTS}/unit.tap`) ? readFileSync(`${RESULTS}/unit.tap`, 'utf8') : '';
  const pass = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(tap)?.[1] ?? 0);
  passed += pass;
  failed += fail;
  if (status !== 0 && fail === 0) failed += 1;
  console.log(`unit: ${pass} passed, ${fail} failed`);
}

if (want('e2e')) {
  rmSync(`${RESULTS}/e2e.json`, { force: true });
  const status = run('node', ['node_modules/@playwright/test/cli.js', 'test', '-c', 'e2e/playwright.config.ts']);
  let pass = 0;
  let fail = 0;
  if (existsSync(`${RESULTS}/e2e.json`)) {
    const report = JSON.parse(readFileSync(`${RESULTS}/e2e.json`, 'utf8'));
    pass = (report.stats?.expected ?? 0) + (report.stats?.flaky ?? 0);
    fail = report.stats?.unexpected ?? 0;
  }
  if (status !== 0 && fail === 0) fail = 1;
  passed += pass;
  failed += fail;
  console.log(`e2e: ${pass} passed, ${fail} failed`);
}

if (passed + failed === 0) failed = 1; // a run that executes no test is a failure
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
