// The demo page (demo/index.html) against the built package: it loads clean, Play starts the
// default track, the live panels draw the real signal, track switching works, main-thread
// jank does not stop the audio, and the <kithara-player> example plays.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

/** The test server serves the repository root, so the media live under /fixtures/media/. */
const DEMO = '/demo/index.html?media=/fixtures/media/';
const MANIFEST = JSON.parse(readFileSync('fixtures/media/manifest.json', 'utf8')) as { file: string; codec: string }[];

/** Collects console errors and uncaught exceptions. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

async function openDemo(page: Page): Promise<void> {
  await page.goto(DEMO);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
}

const demoTime = (page: Page) => page.evaluate(() => (window as any).demo.player.currentTime as number);

async function playDemo(page: Page): Promise<void> {
  await page.click('#play');
  await expect.poll(() => demoTime(page)).toBeGreaterThan(0.5);
}

/**
 * Pixel facts about a canvas: how many pixels are drawn at all (alpha > 0) in the top `rows`
 * fraction, and how many distinct rows hold a pixel close to `rgb`.
 */
function canvasFacts(page: Page, id: string, rgb: [number, number, number], topFraction = 1) {
  return page.evaluate(
    ({ id, rgb, topFraction }) => {
      const c = document.getElementById(id) as HTMLCanvasElement;
      const ctx = c.getContext('2d') as CanvasRenderingContext2D;
      const h = Math.floor(c.height * topFraction);
      const { data } = ctx.getImageData(0, 0, c.width, h);
      let drawn = 0;
      const rows = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i + 3] as number) > 0) drawn++;
        const near =
          Math.abs((data[i] as number) - rgb[0]) < 40 &&
          Math.abs((data[i + 1] as number) - rgb[1]) < 40 &&
          Math.abs((data[i + 2] as number) - rgb[2]) < 40 &&
          (data[i + 3] as number) > 200;
        if (near) rows.add(Math.floor(i / 4 / c.width));
      }
      return { drawn, colourRows: rows.size, height: h };
    },
    { id, rgb, topFraction },
  );
}

test('loads with no console errors and lists every bundled track', async ({ page }) => {
  const errors = watchErrors(page);
  await openDemo(page);
  const options = await page.locator('#track option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
  expect(options).toEqual(MANIFEST.map((m) => m.file));
  expect(await page.locator('#track').inputValue()).toBe('chirp.m4a');
  await expect(page.locator('#version')).not.toHaveText('v?');
  await expect(page.locator('#hls-card')).toBeHidden();
  await page.waitForTimeout(1000);
  expect(errors).toEqual([]);
});

test('Play starts the default track; time, format and charts follow', async ({ page }) => {
  const errors = watchErrors(page);
  await openDemo(page);
  await playDemo(page);
  expect(await page.evaluate(() => (window as any).demo.player.paused)).toBe(false);
  await expect(page.locator('#play')).toHaveAttribute('aria-label', 'Pause');
  await expect(page.locator('#time')).toContainText(/\/ 0:0(5\.9|6\.0)/);
  await expect(page.locator('#format')).toContainText(/aac|mp4a/i);
  await expect(page.locator('#log')).toContainText('playing');

  // The buffer chart recorded decoded audio waiting ahead; the network chart recorded bytes.
  const series = await page.evaluate(() => {
    const c = (window as any).demo.charts;
    return {
      ahead: Math.max(0, ...c.buffer.data.get('ahead').map((p: any) => p.v)),
      mb: c.net.last('mb'),
    };
  });
  expect(series.ahead).toBeGreaterThan(0.05);
  expect(series.mb).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('the scope and spectrum draw the playing signal', async ({ page }) => {
  await openDemo(page);
  await playDemo(page);
  // The analyser on player.output hears the chirp (mixed L+R RMS is well above 0.05).
  await expect.poll(() => page.evaluate(() => (window as any).demo.rms() as number)).toBeGreaterThan(0.05);
  // Oscilloscope: the left trace (#4fc3f7) spans many rows, unlike a flat line of silence.
  await expect.poll(async () => (await canvasFacts(page, 'scope', [0x4f, 0xc3, 0xf7])).colourRows).toBeGreaterThan(20);
  // Spectrum: bars are drawn above the label strip only for a non-silent input.
  await expect.poll(async () => (await canvasFacts(page, 'spectrum', [0x4f, 0xc3, 0xf7], 0.8)).drawn).toBeGreaterThan(200);

  // Pausing silences the output: the spectrum above the labels empties.
  await page.click('#play');
  await expect.poll(() => page.evaluate(() => (window as any).demo.rms() as number)).toBeLessThan(0.001);
  await expect.poll(async () => (await canvasFacts(page, 'spectrum', [0, 0, 0], 0.8)).drawn, { timeout: 5000 }).toBe(0);
});

test('switching tracks plays the new one', async ({ page }) => {
  const errors = watchErrors(page);
  await openDemo(page);
  await playDemo(page);
  await page.selectOption('#track', 'chirp.flac');
  await expect
    .poll(() => page.evaluate(() => (window as any).demo.player.stats.format?.codec ?? ''))
    .toMatch(/flac/i);
  await expect(page.locator('#format')).toContainText(/flac/i);
  // It plays from the start: the clock runs again from near 0.
  await expect.poll(() => demoTime(page)).toBeGreaterThan(0.5);
  const t0 = await demoTime(page);
  await page.waitForTimeout(700);
  expect(await demoTime(page)).toBeGreaterThan(t0 + 0.4);
  await expect.poll(() => page.evaluate(() => (window as any).demo.rms() as number)).toBeGreaterThan(0.05);

  await page.selectOption('#track', 'chirp.opus');
  await expect
    .poll(() => page.evaluate(() => (window as any).demo.player.stats.format?.codec ?? ''))
    .toMatch(/opus/i);
  await expect.poll(() => demoTime(page)).toBeGreaterThan(0.5);
  expect(errors).toEqual([]);
});

test('main-thread jank does not stop playback', async ({ page }) => {
  await openDemo(page);
  await playDemo(page);
  await page.evaluate(() => {
    (window as any).demo.player.currentTime = 0.5;
  });
  await page.waitForFunction(() => !(window as any).demo.player.seeking);
  await page.waitForTimeout(500); // let the ring refill after the seek
  await page.check('#jank');
  const before = await page.evaluate(() => ({
    t: (window as any).demo.player.currentTime as number,
    wall: performance.now(),
    underruns: (window as any).demo.player.stats.underruns as number,
  }));
  await page.waitForTimeout(3000);
  const after = await page.evaluate(() => ({
    t: (window as any).demo.player.currentTime as number,
    wall: performance.now(),
    underruns: (window as any).demo.player.stats.underruns as number,
  }));
  await page.uncheck('#jank');
  await expect(page.locator('#jank-meter')).toContainText('main thread idle');
  const wallSec = (after.wall - before.wall) / 1000;
  // The audio clock kept pace with the wall clock through the 200 ms blocks, with no underruns.
  expect(after.t - before.t).toBeGreaterThan(wallSec - 0.3);
  expect(after.t - before.t).toBeLessThan(wallSec + 0.3);
  expect(after.underruns).toBe(before.underruns);
});

test('the <kithara-player> example plays and pauses the main player', async ({ page }) => {
  await openDemo(page);
  await playDemo(page);
  const el = page.locator('#element-player');
  await expect(el).toHaveAttribute('src', /chirp\.flac$/);
  await page.locator('#element-player button.play').click();
  await expect.poll(() => page.evaluate(() => (window as any).demo.element.currentTime as number)).toBeGreaterThan(0.5);
  expect(await page.evaluate(() => (window as any).demo.player.paused)).toBe(true);
  await expect(page.locator('#element-player .status')).toContainText(/flac/i);
});
