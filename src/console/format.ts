// How the console writes numbers and times: the dashboards' units (quote currency, percent, seconds, bytes), UTC with local time on hover.

/** What a missing figure (null: no data yet) shows as. */
export const NONE = '—';

const money2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const missing = (n: number | null | undefined): n is null | undefined => n === null || n === undefined || !Number.isFinite(n);

/** An amount of the quote currency: `12,345.67`. */
export function money(n: number | null | undefined): string {
  return missing(n) ? NONE : money2.format(n);
}

/** A gain or loss with its sign: `+12.30`, `−4.01`. */
export function signedMoney(n: number | null | undefined): string {
  if (missing(n)) return NONE;
  return n > 0 ? `+${money2.format(n)}` : n < 0 ? `−${money2.format(-n)}` : money2.format(0);
}

/** A ratio as a percentage: 0.0123 → `1.23 %`; `signed` adds + to gains. */
export function percent(ratio: number | null | undefined, signed = false): string {
  if (missing(ratio)) return NONE;
  const p = ratio * 100;
  const digits = Math.abs(p) >= 100 ? 0 : Math.abs(p) >= 10 ? 1 : 2;
  const text = `${Math.abs(p).toFixed(digits)} %`;
  if (p < 0) return `−${text}`;
  return signed && p > 0 ? `+${text}` : text;
}

const short = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

/** A chart axis tick: `12.5K`, `0.25`. */
export function compact(n: number): string {
  return short.format(n);
}

/** A count or a plain figure: `1,234`, `1.5`. */
export function count(n: number | null | undefined): string {
  return missing(n) ? NONE : plain.format(n);
}

/** A duration in milliseconds: `250 ms`, `1.90 s`. */
export function millis(ms: number | null | undefined): string {
  if (missing(ms)) return NONE;
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${whole.format(ms)} ms`;
}

/** A duration in seconds: `3 d 4 h`, `5 h 12 m`, `42 s`. */
export function duration(seconds: number | null | undefined): string {
  if (missing(seconds)) return NONE;
  const s = Math.floor(seconds);
  if (s >= 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
  if (s >= 60) return `${Math.floor(s / 60)} m ${s % 60} s`;
  return `${s} s`;
}

/** Basis points: `1.25 bps`. */
export function bps(n: number | null | undefined): string {
  return missing(n) ? NONE : `${n.toFixed(2)} bps`;
}

/** A size in bytes: `1.5 MiB`. */
export function bytes(n: number | null | undefined): string {
  if (missing(n)) return NONE;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A time as the page shows it (UTC) and as its hover title shows it (the viewer's local time). */
export interface ShownTime {
  readonly text: string;
  readonly title: string;
}

/** An ISO string or epoch milliseconds as `2026-01-01 12:00:00 UTC`, with the local time as title. */
export function utc(value: string | number | null | undefined): ShownTime {
  if (value === null || value === undefined) return { text: NONE, title: '' };
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return { text: String(value), title: '' };
  const iso = date.toISOString();
  return { text: `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`, title: `local time: ${date.toLocaleString()}` };
}
