/**
 * Storage and cache in the real browser: the storage contract suite for OPFS (sync handles and
 * createWritable), IndexedDB and memory inside a dedicated worker; eviction under a small
 * cacheMaxBytes; simulated quota exhaustion; two pages on one key (Web Locks); a page closed
 * mid-write; and the OPFS write throughput.
 */
import { test, expect, type Page, type BrowserContext } from '@playwright/test';
import { build } from 'esbuild';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  await build({
    entryPoints: ['e2e/pages/storage-worker.ts'],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: 'test-results/storage-e2e/storage-worker.js',
    logLevel: 'silent',
  });
});

async function openHarness(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/e2e/pages/storage-harness.html');
  await page.waitForFunction(() => (window as unknown as { storageReady?: boolean }).storageReady === true);
  return page;
}

function call<T>(page: Page, op: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([o, a]) => (window as unknown as { storageCall: (op: string, ...args: unknown[]) => Promise<unknown> }).storageCall(o as string, ...(a as unknown[])), [op, args] as const) as Promise<T>;
}

type CaseResult = { name: string; error?: string };

for (const driver of ['opfs', 'opfs-async', 'indexeddb', 'memory']) {
  test(`storage contract: ${driver}`, async ({ page }) => {
    await page.goto('/e2e/pages/storage-harness.html');
    await page.waitForFunction(() => (window as unknown as { storageReady?: boolean }).storageReady === true);
    const results = await call<CaseResult[]>(page, 'contract', driver);
    const failures = results.filter((r) => r.error !== undefined);
    expect(failures, JSON.stringify(failures, null, 1)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(driver === 'memory' ? 8 : 10);
  });
}

for (const cache of ['opfs', 'indexeddb']) {
  test(`eviction keeps the ${cache} cache under cacheMaxBytes and never evicts the playing asset`, async ({ page }) => {
    const p = await openHarness(page.context());
    const r = await call<{ backend: string; urls: string[]; evicted: string[]; intact: boolean; usage: { bytes: number }; persisted: string[] }>(p, 'eviction', cache);
    expect(r.backend).toBe(cache);
    // a (300 KiB, open) + b, c, d (400 KiB each) under a 1000 KiB cap: the oldest unpinned (b, c) go.
    expect(r.evicted.sort()).toEqual(['https://media.test/b.mp3', 'https://media.test/c.mp3']);
    expect(r.urls).toEqual(['https://media.test/a.mp3', 'https://media.test/d.mp3']);
    expect(r.intact).toBe(true);
    expect(r.usage.bytes).toBeLessThanOrEqual(1000 * 1024);
    expect(r.persisted).toEqual(r.urls);
  });

  test(`quota exhaustion on ${cache} falls back to memory and keeps every byte readable`, async ({ page }) => {
    const p = await openHarness(page.context());
    const r = await call<{ backend: string; outcome: string; intact: boolean; mode: string; fallback: string[] }>(p, 'quota', cache);
    expect(r.backend).toBe(cache);
    expect(r.fallback).toEqual(['quota']);
    expect(r.mode).toBe('memory');
    expect(r.outcome).toBe('ready');
    expect(r.intact).toBe(true);
  });
}

test('two pages on one URL: the second reads the durable bytes as a snapshot and never corrupts the asset', async ({ context }) => {
  const url = `https://media.test/tabs-${Date.now()}.mp3`;
  const writer = await openHarness(context);
  const reader = await openHarness(context);
  const w = await call<{ mode: string; held: number }>(writer, 'hold', url, 'opfs', 400 * 1024);
  expect(w.mode).toBe('persistent');
  const r = await call<{ mode: string; before: number; intact: boolean; deleted: boolean }>(reader, 'readOther', url, 'opfs');
  expect(r.mode).toBe('snapshot');
  expect(r.before).toBe(400 * 1024);
  expect(r.intact).toBe(true);
  expect(r.deleted).toBe(false);
  const f = await call<{ status: string }>(writer, 'finish', url);
  expect(f.status).toBe('committed');
  const v = await call<{ mode: string; status: string; total: number; intact: boolean }>(reader, 'verifyTabs', url, 'opfs');
  expect(v).toEqual({ mode: 'persistent', status: 'committed', total: 1024 * 1024, intact: true });
});

for (const cache of ['opfs', 'indexeddb'] as const) {
  test(`a page closed mid-write on ${cache} reopens with only durable, intact bytes and resumes`, async ({ context }) => {
    const key = `crash${Date.now()}`;
    const first = await openHarness(context);
    await call(first, 'crashWrite', key, cache);
    await expect.poll(() => call<number>(first, 'progress'), { timeout: 20_000 }).toBeGreaterThan(6 * 1024 * 1024);
    await first.close();
    const second = await openHarness(context);
    const r = await call<{ ranges: [number, number][]; held: number; length: number; intact: boolean; complete: boolean }>(second, 'crashVerify', key, cache);
    expect(r.length).toBe(64 * 1024 * 1024);
    expect(r.held).toBeGreaterThan(1024 * 1024);
    expect(r.ranges[0]?.[0]).toBe(0);
    expect(r.intact).toBe(true);
    expect(r.complete).toBe(true);
  });
}

test('OPFS file handles met while listing stay right after another page removes or replaces the files', async ({ page }) => {
  const p = await openHarness(page.context());
  const r = await call<{ listed: string[]; again: string[]; removed: { status: string; held: number }; replaced: { status: string; length: number; same: boolean } }>(p, 'staleHandles');
  expect(r.listed).toEqual(['k1']);
  expect(r.removed, 'removed elsewhere: opened fresh, holding nothing').toEqual({ status: 'active', held: 0 });
  expect(r.again).toEqual(['k1']);
  expect(r.replaced, "replaced elsewhere: the other page's bytes").toEqual({ status: 'committed', length: 6000, same: true });
});

// The speed itself is a benchmark figure (npm run bench, cache scenario), never a test assertion:
// this checks that the measurement runs the real path (sync handles, 32 MiB, index updates).
test('the OPFS write measurement writes 32 MiB through sync access handles with coverage updates', async ({ page }) => {
  const p = await openHarness(page.context());
  const r = await call<{ mbPerSec: number; ms: number; bytes: number; access: string; indexWrites: number }>(p, 'throughput');
  console.log(`OPFS write throughput: ${r.mbPerSec.toFixed(1)} MB/s (${r.ms.toFixed(0)} ms, ${r.access}, ${r.indexWrites} index writes)`);
  expect(r.access).toBe('sync');
  expect(r.bytes).toBe(32 * 1024 * 1024);
  expect(r.indexWrites).toBeGreaterThan(10);
  expect(Number.isFinite(r.mbPerSec) && r.mbPerSec > 0).toBe(true);
});
