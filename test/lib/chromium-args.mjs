// Command-line flags of the system Chromium for the browser tests (e2e/playwright.config.ts) and
// the benchmarks (bench/lib/browser.mjs): one list, so both measure the same browser.

/**
 * Features switched off. Chromium keeps only the last `--disable-features` switch, so this list
 * repeats the one Playwright (1.65) passes itself, then adds the headless browser's omnibox popup
 * WebUIs: every new browser context opens a window whose popup renderers build their UI in the
 * first second, about 400 ms of CPU on a 2-core machine, at the same time as the test or
 * measurement that has just started in that context (measured with per-thread CPU times from
 * /proc: the cold `Resource.read` of a 60 s MP3 ran 1.3× slower beside it).
 */
export const DISABLED_FEATURES = [
  // Playwright's own list (playwright-core chromiumSwitches).
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  // The omnibox popups (chrome://omnibox-popup.top-chrome/), which a headless run never shows.
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
];

/** The flags: the brief's launch flags, no GPU or QUIC, and the features above. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic',
  `--disable-features=${DISABLED_FEATURES.join(',')}`,
];
