// The console's number and time formats: the dashboards' units, a sign on gains and losses, UTC with the local time as title.

import { describe, expect, it } from 'vitest';
import { bps, bytes, count, duration, millis, money, NONE, percent, signedMoney, utc } from '../../src/console/format.js';

describe('console formats', () => {
  it('writes amounts of the quote currency with two decimals and separators, gains and losses signed', () => {
    expect(money(12345.678)).toBe('12,345.68');
    expect(signedMoney(12.3)).toBe('+12.30');
    expect(signedMoney(-4.005)).toBe('−4.01');
    expect(signedMoney(0)).toBe('0.00');
  });

  it('writes ratios as percentages', () => {
    expect(percent(0.0123)).toBe('1.23 %');
    expect(percent(0.0123, true)).toBe('+1.23 %');
    expect(percent(-0.5)).toBe('−50.0 %');
    expect(percent(2)).toBe('200 %');
  });

  it('writes durations, basis points, sizes and counts in their units', () => {
    expect(millis(250.4)).toBe('250 ms');
    expect(millis(1900)).toBe('1.90 s');
    expect(duration(43_260)).toBe('12 h 1 m');
    expect(duration(90_000)).toBe('1 d 1 h');
    expect(bps(1.234)).toBe('1.23 bps');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(count(1234)).toBe('1,234');
  });

  it('shows a missing figure as a dash, never NaN or null', () => {
    for (const f of [money, signedMoney, (n: number | null) => percent(n), count, millis, duration, bps, bytes]) {
      expect(f(null)).toBe(NONE);
      expect(f(Number.NaN)).toBe(NONE);
    }
  });

  it('writes times in UTC with the local time as the hover title', () => {
    const t = utc('2026-01-02T12:01:00.000Z');
    expect(t.text).toBe('2026-01-02 12:01:00 UTC');
    expect(t.title).toMatch(/^local time: /);
    expect(utc(Date.UTC(2026, 0, 2, 12, 1)).text).toBe('2026-01-02 12:01:00 UTC');
    expect(utc(null).text).toBe(NONE);
  });
});
