// Hand-drawn canvas charts for the demo page: a time-series chart, an oscilloscope and a
// spectrum. No chart library. Every canvas is sized to its CSS box times devicePixelRatio on
// each draw, so the layout stays responsive.

/** Theme colours shared with style.css. */
export const COLORS = {
  grid: 'rgba(255,255,255,0.08)',
  axis: 'rgba(230,233,239,0.55)',
  text: '#e6e9ef',
  left: '#4fc3f7',
  right: '#ffb74d',
  green: '#81c784',
  red: '#e57373',
  purple: '#b39ddb',
};

/**
 * Resizes `canvas` to its CSS size × devicePixelRatio when needed and returns a 2D context
 * scaled to CSS pixels, plus the CSS width and height.
 * @param {HTMLCanvasElement} canvas
 */
export function fitCanvas(canvas) {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  const w = Math.max(1, Math.round(canvas.clientWidth));
  const h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/**
 * A scrolling time-series chart: several lines over the last `windowSec` seconds, optional
 * horizontal guide lines and vertical event markers.
 */
export class TimeSeriesChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{ windowSec?: number, series: { key: string, label: string, color: string, fill?: boolean }[],
   *   yMin?: number, yMaxMin?: number, yMax?: number, format?: (v: number) => string }} options
   *   `yMax` fixes the top of the scale; otherwise it follows the data but never goes below `yMaxMin`.
   */
  constructor(canvas, options) {
    this.canvas = canvas;
    this.windowSec = options.windowSec ?? 30;
    this.series = options.series;
    this.yMin = options.yMin ?? 0;
    this.yMax = options.yMax;
    this.yMaxMin = options.yMaxMin ?? 1;
    this.format = options.format ?? ((v) => v.toFixed(1));
    /** @type {Map<string, { t: number, v: number }[]>} */
    this.data = new Map(this.series.map((s) => [s.key, []]));
    /** @type {{ t: number, color: string, label: string }[]} */
    this.markers = [];
    /** @type {{ v: number, color: string, label: string }[]} */
    this.guides = [];
  }

  /** Appends one sample per series at time `t` (ms, performance.now()). NaN values leave a gap. */
  push(t, values) {
    for (const s of this.series) {
      const v = values[s.key];
      if (v === undefined) continue;
      const arr = /** @type {{ t: number, v: number }[]} */ (this.data.get(s.key));
      arr.push({ t, v });
      while (arr.length > 0 && /** @type {{t:number}} */ (arr[0]).t < t - this.windowSec * 1000) arr.shift();
    }
    this.markers = this.markers.filter((m) => m.t >= t - this.windowSec * 1000);
  }

  /** Adds a vertical marker (an underrun, a variant switch) at time `t`. */
  mark(t, color, label = '') {
    this.markers.push({ t, color, label });
  }

  /** Forgets every sample and marker. */
  clear() {
    for (const arr of this.data.values()) arr.length = 0;
    this.markers.length = 0;
  }

  /** Latest value of a series, or NaN. */
  last(key) {
    const arr = this.data.get(key);
    return arr && arr.length > 0 ? /** @type {{v:number}} */ (arr[arr.length - 1]).v : NaN;
  }

  /** Draws the chart at time `now` (ms). */
  draw(now = performance.now()) {
    const { ctx, w, h } = fitCanvas(this.canvas);
    const padL = 46;
    const padR = 8;
    const padT = 8;
    const padB = 18;
    const plotW = Math.max(1, w - padL - padR);
    const plotH = Math.max(1, h - padT - padB);

    let top = this.yMax;
    if (top === undefined) {
      top = this.yMaxMin;
      for (const arr of this.data.values()) for (const p of arr) if (Number.isFinite(p.v)) top = Math.max(top, p.v * 1.15);
      for (const g of this.guides) top = Math.max(top, g.v * 1.1);
    }
    const y = (v) => padT + plotH - ((v - this.yMin) / (top - this.yMin)) * plotH;
    const x = (t) => padL + plotW - ((now - t) / (this.windowSec * 1000)) * plotW;

    // Grid and y labels.
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = this.yMin + ((top - this.yMin) * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath();
      ctx.moveTo(padL, yy);
      ctx.lineTo(padL + plotW, yy);
      ctx.stroke();
      ctx.fillStyle = COLORS.axis;
      ctx.fillText(this.format(v), padL - 6, yy);
    }
    // Time labels.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let s = 0; s <= this.windowSec; s += this.windowSec / 3) {
      ctx.fillText(s === 0 ? 'now' : `-${Math.round(s)}s`, padL + plotW - (s / this.windowSec) * plotW, padT + plotH + 4);
    }

    // Guides (e.g. variant bandwidths).
    ctx.setLineDash([4, 4]);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    for (const g of this.guides) {
      const yy = Math.round(y(g.v)) + 0.5;
      ctx.strokeStyle = g.color;
      ctx.beginPath();
      ctx.moveTo(padL, yy);
      ctx.lineTo(padL + plotW, yy);
      ctx.stroke();
      ctx.fillStyle = g.color;
      ctx.fillText(g.label, padL + 4, yy - 2);
    }
    ctx.setLineDash([]);

    // Markers.
    for (const m of this.markers) {
      const xx = Math.round(x(m.t)) + 0.5;
      if (xx < padL) continue;
      ctx.strokeStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(xx, padT);
      ctx.lineTo(xx, padT + plotH);
      ctx.stroke();
      if (m.label) {
        ctx.fillStyle = m.color;
        ctx.textBaseline = 'top';
        ctx.fillText(m.label, Math.min(xx + 3, padL + plotW - 30), padT);
      }
    }

    // Series.
    ctx.save();
    ctx.beginPath();
    ctx.rect(padL, padT, plotW, plotH);
    ctx.clip();
    for (const s of this.series) {
      const arr = /** @type {{ t: number, v: number }[]} */ (this.data.get(s.key));
      if (arr.length === 0) continue;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.75;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let pen = false;
      let firstX = NaN;
      let lastX = NaN;
      for (const p of arr) {
        if (!Number.isFinite(p.v)) {
          pen = false;
          continue;
        }
        const px = x(p.t);
        const py = y(Math.min(p.v, top));
        if (pen) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        if (!pen && Number.isNaN(firstX)) firstX = px;
        lastX = px;
        pen = true;
      }
      ctx.stroke();
      if (s.fill && Number.isFinite(firstX)) {
        ctx.lineTo(lastX, padT + plotH);
        ctx.lineTo(firstX, padT + plotH);
        ctx.closePath();
        ctx.globalAlpha = 0.15;
        ctx.fillStyle = s.color;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
    }
    ctx.restore();
  }
}

/**
 * Draws a two-channel oscilloscope, triggered on the left channel's first rising zero
 * crossing so a periodic signal stands still.
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array} left
 * @param {Float32Array | null} right
 */
export function drawScope(canvas, left, right) {
  const { ctx, w, h } = fitCanvas(canvas);
  const mid = h / 2;
  ctx.strokeStyle = COLORS.grid;
  ctx.lineWidth = 1;
  for (const yy of [h * 0.25, mid, h * 0.75]) {
    ctx.beginPath();
    ctx.moveTo(0, Math.round(yy) + 0.5);
    ctx.lineTo(w, Math.round(yy) + 0.5);
    ctx.stroke();
  }
  const span = Math.floor(left.length / 2);
  let start = 0;
  for (let i = 1; i < span; i++) {
    if ((left[i - 1] ?? 0) < 0 && (left[i] ?? 0) >= 0) {
      start = i;
      break;
    }
  }
  const trace = (buf, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < span; i++) {
      const px = (i / (span - 1)) * w;
      const py = mid - (buf[start + i] ?? 0) * (h * 0.45);
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
  };
  if (right) trace(right, COLORS.right);
  trace(left, COLORS.left);
}

/** Frequencies labelled under the spectrum. */
const SPECTRUM_TICKS = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];
/** Height of the label strip under the spectrum bars, in CSS px. */
export const SPECTRUM_LABEL_STRIP = 14;

/**
 * Draws a log-frequency spectrum from byte magnitudes (AnalyserNode.getByteFrequencyData).
 * Nothing is drawn above the label strip for a silent input.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8Array} bins
 * @param {number} sampleRate
 */
export function drawSpectrum(canvas, bins, sampleRate) {
  const { ctx, w, h } = fitCanvas(canvas);
  const plotH = h - SPECTRUM_LABEL_STRIP;
  const nyquist = sampleRate / 2;
  const fMin = 30;
  const fMax = Math.min(20000, nyquist);
  const xOf = (f) => (Math.log(f / fMin) / Math.log(fMax / fMin)) * w;
  const binHz = nyquist / bins.length;
  const bars = Math.max(16, Math.floor(w / 4));
  const grad = ctx.createLinearGradient(0, plotH, 0, 0);
  grad.addColorStop(0, '#1e88e5');
  grad.addColorStop(0.6, COLORS.left);
  grad.addColorStop(1, '#e1f5fe');
  ctx.fillStyle = grad;
  for (let b = 0; b < bars; b++) {
    const f0 = fMin * Math.pow(fMax / fMin, b / bars);
    const f1 = fMin * Math.pow(fMax / fMin, (b + 1) / bars);
    const i0 = Math.max(0, Math.floor(f0 / binHz));
    const i1 = Math.min(bins.length - 1, Math.max(i0, Math.ceil(f1 / binHz) - 1));
    let m = 0;
    for (let i = i0; i <= i1; i++) m = Math.max(m, bins[i] ?? 0);
    if (m === 0) continue;
    const bh = (m / 255) * plotH;
    const x0 = xOf(f0);
    ctx.fillRect(x0, plotH - bh, Math.max(1, xOf(f1) - x0 - 1), bh);
  }
  ctx.fillStyle = COLORS.axis;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (const f of SPECTRUM_TICKS) {
    if (f < fMin || f > fMax) continue;
    ctx.fillText(f >= 1000 ? `${f / 1000}k` : String(f), Math.min(w - 10, Math.max(10, xOf(f))), h);
  }
}
