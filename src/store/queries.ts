// History query arguments: the public query shapes, their validation, and in-memory matching rules.

import { ValidationError } from '../errors.js';
import {
  canonicalErrorType,
  ERROR_SEVERITIES,
  ERROR_TYPES,
  type ErrorEvent,
  type ErrorSeverity,
  type ErrorTypeName,
  EventType,
  type GrowthEvent,
  type LiquidityEvent,
  type LoopExecutionEvent,
  type MonitorEvent,
  type PerformanceEvent,
  type TradeEvent,
} from '../events/types.js';
import { requireName, requireObject } from '../internal/validate.js';

/** A time bound: a `Date` or epoch milliseconds (UTC). */
export type TimeBound = Date | number;

interface RangeQuery {
  /** Rows at or after this instant. */
  since?: TimeBound;
  /** Rows strictly before this instant. */
  until?: TimeBound;
  /** Most rows returned, newest first. @default 1000 */
  limit?: number;
}

export interface TradeQuery extends RangeQuery {
  symbol?: string;
}
export interface PerformanceQuery extends RangeQuery {
  metricName?: string;
}
export interface LiquidityQuery extends RangeQuery {
  symbol?: string;
}
export type GrowthQuery = RangeQuery;
export interface LoopExecutionQuery extends RangeQuery {
  loopName?: string;
  success?: boolean;
}
export interface ErrorQuery extends RangeQuery {
  errorType?: ErrorTypeName;
  severity?: ErrorSeverity;
  symbol?: string;
}

/** A validated query: every filter resolved to a value or null. */
export interface NormalizedQuery {
  readonly since: number | null;
  readonly until: number | null;
  readonly limit: number;
  /** Trades, liquidity and errors. */
  readonly symbol: string | null;
  readonly metricName: string | null;
  readonly loopName: string | null;
  readonly success: boolean | null;
  readonly errorType: string | null;
  readonly severity: string | null;
}

export const DEFAULT_QUERY_LIMIT = 1000;
export const MAX_QUERY_LIMIT = 1_000_000;

function timeBound(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const t = value instanceof Date ? value.getTime() : value;
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new ValidationError(field, value, 'a valid Date or epoch milliseconds');
  return t;
}

/**
 * Validates a query object against the filters its table accepts; an unknown key or a bad value
 * throws {@link ValidationError} naming it (a typo such as `symbl` must not silently return everything).
 */
export function normalizeQuery(query: unknown, allowed: readonly string[]): NormalizedQuery {
  const q = query === undefined ? {} : requireObject('query', query);
  for (const key of Object.keys(q)) {
    if (!allowed.includes(key) && key !== 'since' && key !== 'until' && key !== 'limit') {
      throw new ValidationError(key, q[key], `a known filter (since, until, limit, ${allowed.join(', ')})`);
    }
  }
  const since = timeBound('since', q.since);
  const until = timeBound('until', q.until);
  if (since !== null && until !== null && until < since)
    throw new ValidationError('until', q.until, `an instant at or after since (${since})`);
  const limit = q.limit === undefined ? DEFAULT_QUERY_LIMIT : q.limit;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new ValidationError('limit', limit, `a whole number from 1 to ${MAX_QUERY_LIMIT}`);
  }
  const name = (field: string) => (q[field] === undefined || q[field] === null ? null : requireName(field, q[field]));
  let success: boolean | null = null;
  if (q.success !== undefined && q.success !== null) {
    if (typeof q.success !== 'boolean') throw new ValidationError('success', q.success, 'true or false');
    success = q.success;
  }
  const named = name('errorType');
  const errorType = named === null ? null : (canonicalErrorType(named) as string);
  if (errorType !== null && !(ERROR_TYPES as readonly string[]).includes(errorType))
    throw new ValidationError('errorType', errorType, `one of ${ERROR_TYPES.join(', ')}`);
  const severity = name('severity');
  if (severity !== null && !(ERROR_SEVERITIES as readonly string[]).includes(severity)) {
    throw new ValidationError('severity', severity, `one of ${ERROR_SEVERITIES.join(', ')}`);
  }
  return {
    since,
    until,
    limit,
    symbol: name('symbol'),
    metricName: name('metricName'),
    loopName: name('loopName'),
    success,
    errorType,
    severity,
  };
}

export const TRADE_FILTERS = ['symbol'] as const;
export const PERFORMANCE_FILTERS = ['metricName'] as const;
export const LIQUIDITY_FILTERS = ['symbol'] as const;
export const GROWTH_FILTERS = [] as const;
export const LOOP_FILTERS = ['loopName', 'success'] as const;
export const ERROR_FILTERS = ['errorType', 'severity', 'symbol'] as const;

/** The event kinds that have a history table, with the event type each holds. */
export interface StoredEventByKind {
  trades: TradeEvent;
  performance: PerformanceEvent;
  liquidity: LiquidityEvent;
  growth: GrowthEvent;
  loops: LoopExecutionEvent;
  errors: ErrorEvent;
}
export type StoredKind = keyof StoredEventByKind;

/** The event type each query kind reads. */
export const EVENT_TYPE_OF: { readonly [K in StoredKind]: EventType } = {
  trades: EventType.TRADE_EXECUTION,
  performance: EventType.PERFORMANCE_METRIC,
  liquidity: EventType.LIQUIDITY_ANALYSIS,
  growth: EventType.GROWTH_TRACKING,
  loops: EventType.LOOP_EXECUTION,
  errors: EventType.ERROR_EVENT,
};

/**
 * Whether an event of the right kind matches a query: the same rules as the SQL the SQLite backend
 * runs (since inclusive, until exclusive), so the memory backend and buffered rows agree with it.
 */
export function matches(q: NormalizedQuery, e: MonitorEvent): boolean {
  if (q.since !== null && e.timestamp < q.since) return false;
  if (q.until !== null && e.timestamp >= q.until) return false;
  switch (e.eventType) {
    case EventType.TRADE_EXECUTION:
    case EventType.LIQUIDITY_ANALYSIS:
      return q.symbol === null || e.symbol === q.symbol;
    case EventType.PERFORMANCE_METRIC:
      return q.metricName === null || e.metricName === q.metricName;
    case EventType.LOOP_EXECUTION:
      return (q.loopName === null || e.loopName === q.loopName) && (q.success === null || e.success === q.success);
    case EventType.ERROR_EVENT:
      return (
        (q.errorType === null || e.errorType === q.errorType) &&
        (q.severity === null || e.severity === q.severity) &&
        (q.symbol === null || e.symbol === q.symbol)
      );
    default:
      return true;
  }
}

/**
 * Picks the newest `limit` matches from events in insertion order (later = newer on equal
 * timestamps), newest first: the order `ORDER BY timestamp DESC, id DESC` gives in SQL.
 */
export function newestMatches<T extends MonitorEvent>(events: readonly MonitorEvent[], type: EventType, q: NormalizedQuery): T[] {
  const found: { e: T; i: number }[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.eventType === type && matches(q, e)) found.push({ e: e as T, i });
  }
  found.sort((a, b) => b.e.timestamp - a.e.timestamp || b.i - a.i);
  return found.slice(0, q.limit).map((f) => f.e);
}

/**
 * The growth row of the latest hour before `hourStart` among `events` (the later one on a tie, as
 * `ORDER BY hour_start DESC, id DESC` picks it), or `best` when none is later than it.
 */
export function newestGrowthBefore(events: Iterable<MonitorEvent>, hourStart: number, best: GrowthEvent | null = null): GrowthEvent | null {
  for (const e of events) {
    if (e.eventType === EventType.GROWTH_TRACKING && e.hourStart < hourStart && (best === null || e.hourStart >= best.hourStart)) best = e;
  }
  return best;
}

/** Merges two newest-first lists where `newer` rows were inserted after `older` ones; keeps `limit`. */
export function mergeNewest<T extends MonitorEvent>(older: readonly T[], newer: readonly T[], limit: number): T[] {
  if (newer.length === 0) return older.slice(0, limit);
  const out: T[] = [];
  let a = 0;
  let b = 0;
  while (out.length < limit && (a < older.length || b < newer.length)) {
    // On equal timestamps the later-inserted (buffered) row comes first, as id DESC would order it.
    if (b < newer.length && (a >= older.length || newer[b]!.timestamp >= older[a]!.timestamp)) out.push(newer[b++]!);
    else out.push(older[a++]!);
  }
  return out;
}
