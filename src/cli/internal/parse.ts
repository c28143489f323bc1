// Parsers for CLI arguments: each returns a typed value or throws commander's InvalidArgumentError.

import { InvalidArgumentError } from 'commander';

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m`, `90s`, `1h`, `1.5h`, `500ms`, a bare number of seconds, or `0`/`unlimited` for no limit (null). */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited' || t === 'forever' || t === '0') return null;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(t);
  if (!m) throw new InvalidArgumentError('expected a duration such as 30s, 10m, 1h, or unlimited');
  const ms = Number(m[1]) * DURATION_UNITS[m[2] ?? 's']!;
  if (!(ms >= 1) || ms > 365 * 86_400_000) throw new InvalidArgumentError('expected a duration from 1ms to 365d');
  return Math.round(ms);
}

/** A finite number within [min, max]. */
export function numberIn(min: number, max: number, what: string): (text: string) => number {
  return (text) => {
    const t = text.trim();
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}`);
    return n;
  };
}

/** A whole number within [min, max]. */
export function integerIn(min: number, max: number, what: string): (text: string) => number {
  return (text) => {
    const t = text.trim();
    const n = /^[+-]?\d+$/.test(t) ? Number(t) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected ${what}: a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Comma-separated trading pairs such as `BTCUSDT,ETHUSDT`: upper-cased, de-duplicated, at most 20. */
export function parseSymbols(text: string): string[] {
  const symbols = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s.length > 0),
    ),
  ];
  if (symbols.length === 0 || symbols.length > 20 || symbols.some((s) => !/^[A-Z0-9._-]{2,32}$/.test(s))) {
    throw new InvalidArgumentError('expected 1 to 20 comma-separated symbols of letters and digits, such as BTCUSDT,ETHUSDT');
  }
  return symbols;
}

/** One of a fixed list of words. */
export function oneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (text) => {
    const t = text.trim().toLowerCase();
    const match = values.find((v) => v === t);
    if (match === undefined) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return match;
  };
}

/** An ISO 8601 instant (`2026-01-01T12:00:00Z`) as epoch milliseconds. */
export function parseInstant(text: string): number {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(t))
    throw new InvalidArgumentError('expected an ISO 8601 time such as 2026-01-01T12:00:00Z');
  return t;
}
