/**
 * The stylesheet of the `<kithara-player>` shadow root. Plain CSS in a string: no build step,
 * no dependency. Theming goes through custom properties set on the host:
 *
 * - `--kithara-accent`: played part of the seek bar, slider thumbs, focus rings.
 * - `--kithara-bg`, `--kithara-fg`: panel background and text colour.
 * - `--kithara-track`, `--kithara-buffered`: seek bar track and buffered ranges.
 *
 * Parts exposed for `::part()` styling: controls, play-button, seek, buffered, played, time,
 * mute-button, volume, status.
 */
export const CONTROLS_CSS = `
:host {
  --kithara-accent: #4fc3f7;
  --kithara-bg: #1c2230;
  --kithara-fg: #e6e9ef;
  --kithara-track: rgba(255, 255, 255, 0.14);
  --kithara-buffered: rgba(255, 255, 255, 0.32);
  display: block;
  min-width: 240px;
  color: var(--kithara-fg);
  font: 13px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  contain: content;
}
:host(:not([controls])), :host([hidden]) { display: none; }
.panel {
  background: var(--kithara-bg);
  border-radius: 10px;
  padding: 8px 12px 6px;
  box-sizing: border-box;
}
.bar { display: flex; align-items: center; gap: 10px; }
button {
  flex: none;
  width: 32px; height: 32px;
  display: grid; place-items: center;
  padding: 0; border: 0; border-radius: 50%;
  background: transparent; color: inherit; cursor: pointer;
}
button:hover { background: rgba(255, 255, 255, 0.08); }
button.play { background: var(--kithara-accent); color: #0b0f17; }
button.play:hover { filter: brightness(1.1); }
svg { width: 18px; height: 18px; fill: currentColor; }
:focus { outline: none; }
:focus-visible { outline: 2px solid var(--kithara-accent); outline-offset: 2px; }
.seek-wrap { position: relative; flex: 1 1 auto; height: 20px; min-width: 60px; }
.track, .buffered, .played {
  position: absolute; left: 0; top: 8px; height: 4px; border-radius: 2px; pointer-events: none;
}
.track { right: 0; background: var(--kithara-track); }
.buffered { right: 0; }
.played { width: 0; background: var(--kithara-accent); }
input[type="range"] {
  -webkit-appearance: none; appearance: none;
  margin: 0; background: transparent; cursor: pointer; height: 20px;
}
input.seek { position: absolute; inset: 0; width: 100%; }
input.volume { width: 72px; flex: none; }
input.volume { background: linear-gradient(var(--kithara-track), var(--kithara-track)) center / 100% 4px no-repeat; }
input[type="range"]::-webkit-slider-runnable-track { height: 20px; background: transparent; }
input[type="range"]::-moz-range-track { height: 4px; background: transparent; }
input[type="range"]::-webkit-slider-thumb {
  -webkit-appearance: none; appearance: none;
  width: 12px; height: 12px; margin-top: 4px; border-radius: 50%;
  background: var(--kithara-fg); border: 2px solid var(--kithara-accent);
}
input[type="range"]::-moz-range-thumb {
  width: 10px; height: 10px; border-radius: 50%;
  background: var(--kithara-fg); border: 2px solid var(--kithara-accent);
}
input[type="range"]:focus-visible { outline-offset: 0; border-radius: 4px; }
.time { flex: none; font-variant-numeric: tabular-nums; white-space: nowrap; opacity: 0.9; }
.status {
  margin-top: 4px; font-size: 11px; opacity: 0.65;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  font-variant-numeric: tabular-nums;
}
.panel.waiting button.play { animation: kithara-pulse 1s ease-in-out infinite; }
@keyframes kithara-pulse { 50% { opacity: 0.55; } }
@media (prefers-reduced-motion: reduce) { .panel.waiting button.play { animation: none; } }
@media (max-width: 360px) { input.volume { display: none; } }
`;
