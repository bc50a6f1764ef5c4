// <kithara-player> in a real browser: attributes and properties, the event order, the clock,
// the shadow-DOM controls (mouse and keyboard), the Player's lifetime across DOM moves, typed
// errors, and the audio at `element.player.output` (per-channel level of the chirp).
import { expect, test, type Page } from '@playwright/test';

/** A blank page that loads the built package; served by route so it needs no file. */
const PAGE_PATH = '/__kithara-element-test.html';
const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>element test</title></head>
<body>
<script type="module">
  import * as K from '/dist/kithara.mjs';
  if (!customElements.get('kithara-player')) customElements.define('kithara-player', K.KitharaPlayerElement);
  window.K = K;
  document.documentElement.dataset.ready = 'true';
</script>
</body></html>`;

const M4A = '/fixtures/media/chirp.m4a';
const FLAC = '/fixtures/media/chirp.flac';
const EVENTS = [
  'loadstart', 'loadedmetadata', 'durationchange', 'canplay', 'play', 'playing', 'pause', 'waiting',
  'seeking', 'seeked', 'timeupdate', 'progress', 'ended', 'error', 'volumechange', 'formatchange',
];

test.beforeEach(async ({ page }) => {
  await page.route(`**${PAGE_PATH}`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
      body: PAGE_HTML,
    }),
  );
  await page.goto(PAGE_PATH);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
});

/** Creates `<kithara-player>` with `attrs`, records its events in `window.events`, appends it. */
async function mount(page: Page, attrs: Record<string, string>): Promise<void> {
  await page.evaluate(
    ({ attrs, events }) => {
      const w = window as any;
      const el = document.createElement('kithara-player') as any;
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      w.events = [];
      for (const type of events) {
        el.addEventListener(type, (e: any) => {
          w.events.push({
            type,
            currentTime: el.currentTime,
            error: e.error ? { code: e.error.code, status: e.error.status, isKithara: e.error instanceof w.K.KitharaError } : null,
          });
        });
      }
      document.body.append(el);
      w.el = el;
    },
    { attrs, events: EVENTS },
  );
}

const eventTypes = (page: Page) => page.evaluate(() => (window as any).events.map((e: any) => e.type) as string[]);
const prop = <T>(page: Page, name: string) => page.evaluate((n) => (window as any).el[n] as T, name);
const waitForEvent = (page: Page, type: string) =>
  page.waitForFunction((t) => (window as any).events.some((e: any) => e.type === t), type);

test('is defined and reflects the HTMLMediaElement-like attributes', async ({ page }) => {
  const r = await page.evaluate(() => {
    const w = window as any;
    const el = document.createElement('kithara-player') as any;
    const before = { player: el.player, paused: el.paused, duration: el.duration, currentTime: el.currentTime };
    el.src = 'media/x.mp3';
    el.loop = true;
    el.autoplay = true;
    el.controls = true;
    el.setAttribute('volume', '0.25');
    el.setAttribute('muted', '');
    el.setAttribute('decoder', 'wasm');
    return {
      isElement: el instanceof w.K.KitharaPlayerElement,
      before,
      src: el.src,
      attrs: ['loop', 'autoplay', 'controls'].map((a) => el.hasAttribute(a)),
      volume: el.volume,
      muted: el.muted,
      decoder: el.decoder,
      cache: el.cache,
      badVolume: (() => {
        try {
          el.volume = 2;
          return 'no error';
        } catch (e: any) {
          return e.name;
        }
      })(),
    };
  });
  expect(r.isElement).toBe(true);
  expect(r.before.player).toBeNull();
  expect(r.before.paused).toBe(true);
  expect(Number.isNaN(r.before.duration)).toBe(true);
  expect(r.before.currentTime).toBe(0);
  expect(r.src).toBe(new URL('media/x.mp3', page.url()).href);
  expect(r.attrs).toEqual([true, true, true]);
  expect(r.volume).toBe(0.25);
  expect(r.muted).toBe(true);
  expect(r.decoder).toBe('wasm');
  expect(r.cache).toBe('auto');
  expect(r.badVolume).toBe('IndexSizeError');
});

test('fires loadedmetadata, then play, playing and timeupdate; duration is 6 s and the clock runs', async ({ page }) => {
  await mount(page, { src: M4A, controls: '' });
  await waitForEvent(page, 'loadedmetadata');
  expect(await prop<number>(page, 'duration')).toBeCloseTo(6, 1);
  expect(await page.evaluate(() => (window as any).el.player !== null)).toBe(true);

  await page.evaluate(() => (window as any).el.play());
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeGreaterThan(0.5);

  const types = await eventTypes(page);
  const meta = types.indexOf('loadedmetadata');
  const play = types.indexOf('play');
  const playing = types.indexOf('playing');
  const tick = types.indexOf('timeupdate', playing);
  expect(meta).toBeGreaterThanOrEqual(0);
  expect(play).toBeGreaterThan(meta);
  expect(playing).toBeGreaterThan(play);
  expect(tick).toBeGreaterThan(playing);
  expect(types).not.toContain('error');
  expect(await prop<boolean>(page, 'paused')).toBe(false);

  // The clock follows real time while playing (within scheduling slack).
  const t0 = await prop<number>(page, 'currentTime');
  await page.waitForTimeout(1000);
  const t1 = await prop<number>(page, 'currentTime');
  expect(t1 - t0).toBeGreaterThan(0.7);
  expect(t1 - t0).toBeLessThan(1.5);
});

test('pause stops the clock and fires pause', async ({ page }) => {
  await mount(page, { src: M4A });
  await page.evaluate(() => (window as any).el.play());
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeGreaterThan(0.3);
  await page.evaluate(() => (window as any).el.pause());
  await waitForEvent(page, 'pause');
  expect(await prop<boolean>(page, 'paused')).toBe(true);
  const t0 = await prop<number>(page, 'currentTime');
  await page.waitForTimeout(600);
  const t1 = await prop<number>(page, 'currentTime');
  expect(Math.abs(t1 - t0)).toBeLessThan(0.05);
});

test('the shadow play button toggles playback and its label', async ({ page }) => {
  await mount(page, { src: M4A, controls: '' });
  await waitForEvent(page, 'loadedmetadata');
  const button = page.locator('kithara-player button.play');
  await expect(button).toHaveAttribute('aria-label', 'Play');
  await button.click();
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeGreaterThan(0.3);
  await expect(button).toHaveAttribute('aria-label', 'Pause');
  await button.click();
  await expect.poll(() => prop<boolean>(page, 'paused')).toBe(true);
  await expect(button).toHaveAttribute('aria-label', 'Play');
  // The time text shows the position and the 6 s duration.
  await expect(page.locator('kithara-player .time')).toContainText('/ 0:06');
});

test('keyboard: Space toggles, arrows seek ±5 s on the focused seek bar', async ({ page }) => {
  await mount(page, { src: M4A, controls: '' });
  await waitForEvent(page, 'loadedmetadata');
  const seek = page.locator('kithara-player input.seek');
  await expect(seek).toBeEnabled();
  await seek.focus();
  await page.keyboard.press('Space');
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeGreaterThan(0.2);
  await page.keyboard.press('Space');
  await expect.poll(() => prop<boolean>(page, 'paused')).toBe(true);
  const t0 = await prop<number>(page, 'currentTime');

  await page.keyboard.press('ArrowRight');
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeCloseTo(Math.min(6, t0 + 5), 1);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeCloseTo(t0, 1);
  await page.keyboard.press('Home');
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeCloseTo(0, 1);
});

test('a DOM move keeps the Player; removal destroys it after a microtask', async ({ page }) => {
  await mount(page, { src: M4A });
  const r = await page.evaluate(async () => {
    const el = (window as any).el;
    const first = el.player;
    const box = document.createElement('div');
    document.body.append(box);
    box.append(el); // remove + insert in the same task: a move
    await Promise.resolve();
    await Promise.resolve();
    const keptOnMove = el.player === first && first !== null;
    el.remove();
    const stillThereSync = el.player === first;
    await Promise.resolve();
    await Promise.resolve();
    const goneAfterMicrotask = el.player === null;
    document.body.append(el);
    const recreated = el.player !== null && el.player !== first;
    return { keptOnMove, stillThereSync, goneAfterMicrotask, recreated };
  });
  expect(r).toEqual({ keptOnMove: true, stillThereSync: true, goneAfterMicrotask: true, recreated: true });
});

test('error events carry the KitharaError', async ({ page }) => {
  await mount(page, { src: '/fixtures/media/does-not-exist.mp3' });
  await waitForEvent(page, 'error');
  const err = await page.evaluate(() => (window as any).events.find((e: any) => e.type === 'error').error);
  expect(err).toEqual({ code: 'http', status: 404, isKithara: true });
  expect(await page.evaluate(() => (window as any).el.error?.code)).toBe('http');
});

test('element.player.output carries the chirp: left louder than right by the signal ratio', async ({ page }) => {
  await mount(page, { src: FLAC, loop: '' });
  await page.evaluate(() => (window as any).el.play());
  await expect.poll(() => prop<number>(page, 'currentTime')).toBeGreaterThan(1);
  const levels = await page.evaluate(async () => {
    const player = (window as any).el.player;
    const ctx: BaseAudioContext = player.audioContext;
    const split = ctx.createChannelSplitter(2);
    const taps = [ctx.createAnalyser(), ctx.createAnalyser()];
    player.output.connect(split);
    taps.forEach((a, ch) => {
      a.fftSize = 16384;
      split.connect(a, ch);
    });
    await new Promise((r) => setTimeout(r, 600)); // let the analysers fill their windows
    return taps.map((a) => {
      const buf = new Float32Array(a.fftSize);
      a.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      return Math.sqrt(sum / buf.length);
    });
  });
  // fixtures/signal.mjs: left amplitude 0.5, right 0.35 → RMS 0.354 and 0.247 (sine).
  const [left, right] = levels as [number, number];
  expect(left).toBeGreaterThan(0.3);
  expect(left).toBeLessThan(0.41);
  expect(right).toBeGreaterThan(0.21);
  expect(right).toBeLessThan(0.29);
  expect(left / right).toBeCloseTo(0.5 / 0.35, 1);
});
