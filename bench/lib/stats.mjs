// Summary statistics and number formatting for the bench report.

/** Finite values, sorted ascending. */
function sorted(values) {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/** The q-quantile (0..1) by linear interpolation between order statistics; NaN when empty. */
export function quantile(values, q) {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Median, p90, min, max and the count of finite values. */
export function summary(values) {
  const s = sorted(values);
  return {
    n: s.length,
    failed: values.length - s.length,
    median: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    min: s.length ? s[0] : NaN,
    max: s.length ? s[s.length - 1] : NaN,
  };
}

/** Fixed-point text, or '—' for a non-number. */
export function fmt(value, digits = 0) {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** Byte count in KiB with one decimal. */
export function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A Markdown table from a header row and data rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
