/** Features switched off in the test and bench Chromium (Playwright's list plus the omnibox popup WebUIs). */
export const DISABLED_FEATURES: readonly string[];
/** Command-line flags of the system Chromium for the browser tests and the benchmarks. */
export const CHROMIUM_ARGS: readonly string[];
