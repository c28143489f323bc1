// Plain-text tables, bars and sparklines for the report command; no colours, so output pipes cleanly.

/** A cell: numbers are right-aligned, text left-aligned, null shown as a dash. */
export type Cell = string | number | null;

const SPARKS = '▁▂▃▄▅▆▇█';

/** Renders rows under headers with column widths fitted to the content. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null ? '-' : typeof cell === 'number' ? formatNumber(cell) : cell)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] === null));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(headers), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of text) out.push(line(row));
  return out.join('\n');
}

/** Two columns of label and value. */
export function renderPairs(pairs: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v === null ? '-' : typeof v === 'number' ? formatNumber(v) : v}`).join('\n');
}

/** Up to two decimals for ordinary figures, more for small ones, thousands separated. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as a signed percentage: 0.0123 → "+1.23%". */
export function percent(ratio: number | null, digits = 2): string | null {
  if (ratio === null || !Number.isFinite(ratio)) return null;
  return `${ratio > 0 ? '+' : ''}${(ratio * 100).toFixed(digits)}%`;
}

/** One block character per value, scaled between the smallest and largest; nulls are spaces. */
export function sparkline(values: readonly (number | null)[]): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      const i = hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1));
      return SPARKS[i];
    })
    .join('');
}

/** A bar of `width` cells for |value| relative to `max`, drawn right of centre for gains and left for losses. */
export function signedBar(value: number | null, max: number, width = 10): string {
  if (value === null || !Number.isFinite(value) || max <= 0) return `${' '.repeat(width)}|${' '.repeat(width)}`;
  const n = Math.min(width, Math.round((Math.abs(value) / max) * width));
  return value < 0
    ? `${' '.repeat(width - n)}${'#'.repeat(n)}|${' '.repeat(width)}`
    : `${' '.repeat(width)}|${'#'.repeat(n)}${' '.repeat(width - n)}`;
}
