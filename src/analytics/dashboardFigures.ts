// The dashboards' parsing of windows and hours, and the rounding and shaping of their figures into JSON.

import { ValidationError } from '../errors.js';
import type { TradeEvent } from '../events/types.js';
import type { ErrorCount, TradeAggregate } from './AnalyticsQueries.js';
import type { Drawdown, ErrorRates } from './dashboardTypes.js';
import { hourStartOf } from './GrowthTracker.js';
import { type maxDrawdown, round9, winRate } from './statistics.js';

/** The default window of the dashboards, in hours. */
export const DAY_HOURS = 24;
const MAX_WINDOW_HOURS = 24 * 366;

export function iso(t: number): string {
  return new Date(t).toISOString();
}

export function parseHours(value: unknown): number {
  if (value === undefined) return DAY_HOURS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_WINDOW_HOURS) {
    throw new ValidationError('hours', value, `a number of hours > 0 and <= ${MAX_WINDOW_HOURS}`);
  }
  return value;
}

/** Parses an hour given as a Date, epoch ms, or `YYYY-MM-DDTHH` (UTC); returns the hour's start. */
export function parseHour(value: unknown): number {
  if (value instanceof Date || typeof value === 'number') {
    const t = value instanceof Date ? value.getTime() : value;
    if (!Number.isFinite(t)) throw new ValidationError('hour', value, 'a valid Date, epoch milliseconds or YYYY-MM-DDTHH');
    return hourStartOf(t);
  }
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::00(?::00(?:\.000)?)?)?Z?$/.exec(value);
    if (m) {
      const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
      const back = new Date(t);
      if (back.getUTCHours() === Number(m[4]) && back.getUTCDate() === Number(m[3]) && back.getUTCMonth() === Number(m[2]) - 1) return t;
    }
  }
  throw new ValidationError('hour', value, 'a valid Date, epoch milliseconds or YYYY-MM-DDTHH (UTC)');
}

export function average(sum: number, count: number): number | null {
  return count > 0 ? round9(sum / count) : null;
}

export function drawdownJson(d: ReturnType<typeof maxDrawdown>): Drawdown | null {
  return d === null ? null : { absolute: round9(d.absolute), ratio: round9(d.ratio), peakAt: iso(d.peakAt), troughAt: iso(d.troughAt) };
}

export function roundOrNull(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : round9(x);
}

export function aggregateFigures(a: TradeAggregate) {
  return {
    tradeCount: a.tradeCount,
    buyCount: a.buyCount,
    sellCount: a.sellCount,
    volume: round9(a.volume),
    fees: round9(a.fees),
    realizedPnl: round9(a.realizedPnl),
    closedTrades: a.closedTrades,
    wins: a.wins,
    losses: a.losses,
    winRate: roundOrNull(winRate(a.wins, a.closedTrades)),
    avgExecutionTimeMs: average(a.executionTimeMsSum, a.tradeCount),
    avgSlippageBps: average(a.slippageBpsSum, a.tradeCount),
  };
}

export function errorRates(counts: readonly ErrorCount[], hours: number): ErrorRates {
  const byType = new Map<string, number>();
  const bySeverity = new Map<string, number>();
  const byHour = new Map<number, number>();
  let total = 0;
  for (const c of counts) {
    total += c.count;
    byType.set(c.errorType, (byType.get(c.errorType) ?? 0) + c.count);
    bySeverity.set(c.severity, (bySeverity.get(c.severity) ?? 0) + c.count);
    byHour.set(c.hourStart, (byHour.get(c.hourStart) ?? 0) + c.count);
  }
  const sortedDesc = <K>(m: Map<K, number>) => [...m.entries()].sort((x, y) => y[1] - x[1] || String(x[0]).localeCompare(String(y[0])));
  return {
    total,
    byType: sortedDesc(byType).map(([errorType, count]) => ({ errorType, count, perHour: round9(count / hours) })),
    bySeverity: sortedDesc(bySeverity).map(([severity, count]) => ({ severity, count })),
    byHour: [...byHour.entries()].sort((x, y) => x[0] - y[0]).map(([h, count]) => ({ hour: iso(h), count })),
  };
}

/** A trade as plain JSON, timestamp in ISO form, with the P&L it realized. */
export function tradeJson(t: TradeEvent, realizedPnl: number | null): Record<string, unknown> {
  return { ...t, timestamp: iso(t.timestamp), realizedPnl: realizedPnl === null ? null : round9(realizedPnl) };
}
