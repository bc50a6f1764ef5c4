/** Playwright helpers for the harness page (e2e/pages/harness.html). */
import type { Page } from '@playwright/test';
import { fromBase64, planar } from './pcm.js';

/** What `kt.readResource` returns, with PCM decoded to planes. */
export interface ReadOutcome {
  sampleRate: number;
  channels: number;
  duration: number;
  frames: number;
  openMs: number;
  startPosition: number;
  endPosition: number;
  format: { container: string; codec: string; codecString: string; sampleRate: number; channels: number; decoder: string; decoderName: string };
  planes: Float32Array[];
}

/** A KitharaError as seen from the page. */
export interface PageError {
  name?: string;
  code?: string;
  status?: number;
  url?: string;
  message: string;
  isKithara: boolean;
}

/** Opens the harness page and waits for the SDK. */
export async function openHarness(page: Page, origin = ''): Promise<void> {
  await page.goto(`${origin}/e2e/pages/harness.html`);
  await page.waitForFunction(() => (window as unknown as { ktReady?: boolean }).ktReady === true);
}

/** Reads a resource in the page through `Resource`. */
export async function readResource(
  page: Page,
  src: string,
  options: Record<string, unknown> = {},
  read: { seek?: number; maxSeconds?: number; blockFrames?: number } = {},
): Promise<ReadOutcome> {
  const res = await page.evaluate(
    ([s, o, r]) => (window as unknown as { kt: { tryReadResource: (...a: unknown[]) => Promise<Record<string, unknown>> } }).kt.tryReadResource(s, o, r),
    [src, options, read] as const,
  );
  if (res.ok !== true) throw new Error(`readResource(${src}) failed: ${JSON.stringify(res.error)}`);
  const out = res as unknown as ReadOutcome & { pcm: string };
  return { ...out, planes: planar(fromBase64(out.pcm), out.channels) };
}

/** Like readResource, but resolves with the error the page saw. */
export async function readResourceError(page: Page, src: string, options: Record<string, unknown> = {}): Promise<PageError> {
  const res = await page.evaluate(
    ([s, o]) => (window as unknown as { kt: { tryReadResource: (...a: unknown[]) => Promise<Record<string, unknown>> } }).kt.tryReadResource(s, o, {}),
    [src, options] as const,
  );
  if (res.ok === true) throw new Error(`readResource(${src}) was expected to fail but read ${String(res.frames)} frames`);
  return res.error as PageError;
}
